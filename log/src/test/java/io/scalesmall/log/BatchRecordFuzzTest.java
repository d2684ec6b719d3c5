package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Feeds the batch record's checks and decoder hostile records: valid records (any message count and size, with and
 * without producer fields, raw and LZ4, version 1 and 2) with random bytes changed, inserted or cut, the CRC then
 * recomputed so that the checks past it run too. The way recovery and reads use them, for every input: either
 * {@link BatchRecord#headerProblem} or {@link BatchRecord#producerProblem} names a problem, or
 * {@link BatchRecord#decode} returns messages or throws {@link IllegalArgumentException}; nothing else, and an
 * unchanged record decodes to exactly what was encoded. Seeded: failures name the seed, iteration and input.
 * Overrides: {@code -Dscalesmall.fuzz.seed=N}, {@code -Dscalesmall.fuzz.iterations=N}.
 */
class BatchRecordFuzzTest {
    @Test
    void checksAndDecoderSurviveHostileRecords() {
        String s = System.getProperty("scalesmall.fuzz.seed");
        long seed = s == null || s.isBlank() ? System.nanoTime() : Long.parseLong(s.trim());
        String n = System.getProperty("scalesmall.fuzz.iterations");
        int iterations = n == null || n.isBlank() ? 200_000 : Integer.parseInt(n.trim());
        System.out.println("BatchRecordFuzzTest seed=" + seed + " iterations=" + iterations);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] outcomes = new int[4]; // header problem, producer problem, decoded, refused by decode
        for (int it = 0; it < iterations; it++) {
            List<byte[]> messages = new ArrayList<>();
            for (int k = rnd.nextInt(1, 6); k > 0; k--) {
                messages.add(Seeds.message(rnd, rnd.nextInt(0, rnd.nextBoolean() ? 8 : 300)));
            }
            long producer = rnd.nextInt(3) == 0 ? 0 : rnd.nextLong() | 1;
            ByteBuffer rec = BatchRecord.seal(BatchRecord.encode(new byte[] {'s', (byte) ('0' + it % 10)}, producer,
                    rnd.nextLong(0, 1L << 40), messages, Limits.checkBatch(messages), rnd.nextInt(0, 200),
                    CompressionGate.always()), rnd.nextLong(0, 1L << 40), rnd.nextLong());
            byte[] bytes = new byte[rec.remaining()];
            rec.get(bytes);
            if (producer == 0 && rnd.nextInt(4) == 0) {
                bytes[2] = (byte) BatchRecord.VERSION_1;
            }
            boolean mutated = it % 10 != 0;
            if (mutated) {
                bytes = mutate(bytes, rnd);
            }
            String where = "seed " + seed + " (rerun: mvn -o test -pl log -Dtest=BatchRecordFuzzTest"
                    + " -Dscalesmall.fuzz.seed=" + seed + "), iteration " + it + ", record "
                    + HexFormat.of().formatHex(bytes);
            try {
                int outcome = check(bytes, rnd);
                outcomes[outcome]++;
                if (!mutated) {
                    assertThat(outcome).as(where).isEqualTo(2);
                    assertThat(BatchRecord.decode(ByteBuffer.wrap(bytes), 0, 0, 100, Long.MAX_VALUE, true))
                            .as(where).containsExactlyElementsOf(messages);
                }
            } catch (RuntimeException | AssertionError e) {
                throw new AssertionError(where + ": " + e, e);
            }
        }
        System.out.printf("BatchRecordFuzzTest outcomes: header problem %d, producer problem %d, decoded %d,"
                + " refused by decode %d%n", outcomes[0], outcomes[1], outcomes[2], outcomes[3]);
        assertThat(outcomes).as("every outcome reached").doesNotContain(0);
    }

    /** Runs the checks as recovery does; returns which of the four outcomes it was. */
    private static int check(byte[] bytes, SplittableRandom rnd) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        if (bytes.length < BatchRecord.HEADER_BYTES || BatchRecord.headerProblem(buf, 0) != null) {
            return 0;
        }
        int length = BatchRecord.recordLength(buf, 0);
        if (length > bytes.length || length < BatchRecord.HEADER_BYTES) {
            return 0; // recovery: a torn batch
        }
        buf.putInt(BatchRecord.CRC_AT, BatchRecord.crc(buf, 0, length)); // so that the checks past the CRC run
        ByteBuffer record = ByteBuffer.wrap(bytes, 0, length).slice();
        if (BatchRecord.producerProblem(record, 0) != null) {
            return 1;
        }
        BatchRecord.streamName(record, 0);
        try {
            BatchRecord.decode(record, 0, rnd.nextInt(0, 4), rnd.nextInt(1, 10), rnd.nextLong(1, 2000),
                    rnd.nextBoolean());
            return 2;
        } catch (IllegalArgumentException e) {
            return 3;
        }
    }

    /** One to four random byte changes, insertions or cuts. */
    private static byte[] mutate(byte[] in, SplittableRandom rnd) {
        byte[] b = in;
        for (int m = rnd.nextInt(1, 5); m > 0; m--) {
            int at = rnd.nextInt(0, b.length);
            switch (rnd.nextInt(4)) {
                case 0 -> b[at] = (byte) rnd.nextInt();
                case 1 -> b[at] ^= (byte) (1 << rnd.nextInt(8));
                case 2 -> {
                    byte[] longer = new byte[b.length + 1];
                    System.arraycopy(b, 0, longer, 0, at);
                    longer[at] = (byte) rnd.nextInt();
                    System.arraycopy(b, at, longer, at + 1, b.length - at);
                    b = longer;
                }
                default -> {
                    if (b.length > 1) {
                        byte[] shorter = new byte[b.length - 1];
                        System.arraycopy(b, 0, shorter, 0, at);
                        System.arraycopy(b, at + 1, shorter, at, b.length - at - 1);
                        b = shorter;
                    }
                }
            }
        }
        return b;
    }
}
