package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

/** The batch layout byte by byte (the golden bytes pin format version 2, and that version 1 is still read). */
class BatchRecordTest {
    private static ByteBuffer record(List<byte[]> messages, int compressMin) {
        int body = Limits.checkBatch(messages);
        return BatchRecord.seal(BatchRecord.encode(CodecBytes.of("ab"), messages, body, compressMin), 5,
                0x0102030405060708L);
    }

    @Test
    void anUncompressedBatchHasTheDocumentedLayout() {
        ByteBuffer rec = record(List.of(CodecBytes.of("hi"), new byte[0]), Integer.MAX_VALUE);
        byte[] bytes = new byte[rec.remaining()];
        rec.duplicate().get(bytes);
        String expected = "534c" + "02" + "00" // magic "SL", version 2, flags: not compressed, no producer
                + "8cb8d4e4" // CRC32C of everything after it
                + "0000000a" + "0000000a" // stored = uncompressed = 10
                + "0000000000000005" // base offset 5
                + "00000002" // 2 messages
                + "0102030405060708" // append time
                + "02" + "6162" // name "ab"
                + "00000002" + "6869" + "00000000"; // "hi", ""
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(expected);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 8, bytes.length - 8);
        assertThat((int) crc.getValue()).isEqualTo(rec.getInt(4));
        assertThat(BatchRecord.headerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.recordLength(rec, 0)).isEqualTo(bytes.length);
    }

    @Test
    void aProducersBatchCarriesItsIdAndFirstSequenceAfterTheName() {
        int body = Limits.checkBatch(List.of(CodecBytes.of("hi")));
        ByteBuffer rec = BatchRecord.seal(BatchRecord.encode(CodecBytes.of("ab"), 0x1122334455667788L, 9,
                List.of(CodecBytes.of("hi")), body, Integer.MAX_VALUE, CompressionGate.always()), 5, 0x0102030405060708L);
        byte[] bytes = new byte[rec.remaining()];
        rec.duplicate().get(bytes);
        String expected = "534c" + "02" + "02" // magic "SL", version 2, flags: producer fields, not compressed
                + "d60b0afb" // CRC32C of everything after it
                + "00000006" + "00000006" // stored = uncompressed = 6
                + "0000000000000005" // base offset 5
                + "00000001" // 1 message
                + "0102030405060708" // append time
                + "02" + "6162" // name "ab"
                + "1122334455667788" + "0000000000000009" // producer id, first sequence 9
                + "00000002" + "6869"; // "hi"
        assertThat(HexFormat.of().formatHex(bytes)).isEqualTo(expected);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 8, bytes.length - 8);
        assertThat((int) crc.getValue()).isEqualTo(rec.getInt(4));
        assertThat(BatchRecord.headerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.producerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.recordLength(rec, 0)).isEqualTo(bytes.length);
        assertThat(BatchRecord.producerId(rec, 0)).isEqualTo(0x1122334455667788L);
        assertThat(BatchRecord.firstSequence(rec, 0)).isEqualTo(9);
        assertThat(BatchRecord.decode(rec, 0, 0, 10, 100, true)).singleElement().isEqualTo(CodecBytes.of("hi"));
        ByteBuffer zeroId = clone(rec).putLong(BatchRecord.HEADER_BYTES + 2, 0);
        assertThat(BatchRecord.producerProblem(zeroId, 0)).contains("producer id 0");
        ByteBuffer negative = clone(rec).putLong(BatchRecord.HEADER_BYTES + 2 + 8, -1);
        assertThat(BatchRecord.producerProblem(negative, 0)).contains("first sequence -1");
    }

    /** Version 1 (before producer fields): the same layout without them, still read. */
    @Test
    void aVersion1RecordIsStillRead() {
        byte[] v1 = HexFormat.of().parseHex("534c" + "01" + "00" + "8cb8d4e4" + "0000000a" + "0000000a"
                + "0000000000000005" + "00000002" + "0102030405060708" + "02" + "6162"
                + "00000002" + "6869" + "00000000");
        ByteBuffer rec = ByteBuffer.wrap(v1);
        assertThat(BatchRecord.headerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.crc(rec, 0, v1.length)).isEqualTo(rec.getInt(BatchRecord.CRC_AT));
        assertThat(BatchRecord.recordLength(rec, 0)).isEqualTo(v1.length);
        assertThat(BatchRecord.producerId(rec, 0)).isZero();
        assertThat(BatchRecord.producerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.decode(rec, 0, 0, 10, 100, true)).hasSize(2).first().isEqualTo(CodecBytes.of("hi"));
        ByteBuffer v1WithProducerFlag = clone(rec).put(3, (byte) BatchRecord.FLAG_PRODUCER);
        assertThat(BatchRecord.headerProblem(v1WithProducerFlag, 0)).contains("flags");
    }

    @Test
    void aCompressibleBodyIsStoredAsAnLz4BlockAndDecodes() {
        byte[] m = new byte[1000];
        ByteBuffer rec = record(List.of(m, m), 0);
        assertThat(rec.get(3)).isEqualTo((byte) BatchRecord.FLAG_LZ4);
        assertThat(rec.getInt(BatchRecord.UNCOMPRESSED_AT)).isEqualTo(2008);
        assertThat(rec.getInt(BatchRecord.STORED_AT)).isLessThan(100);
        assertThat(BatchRecord.headerProblem(rec, 0)).isNull();
        assertThat(BatchRecord.decode(rec, 0, 1, 10, 1 << 20, true)).singleElement().isEqualTo(m);
    }

    @Test
    void incompressibleBodiesStayRaw() {
        byte[] m = new byte[200];
        new java.util.SplittableRandom(1).nextBytes(m);
        assertThat(record(List.of(m), 0).get(3)).isZero();
    }

    @Test
    void implausibleHeadersAreNamed() {
        ByteBuffer rec = record(List.of(CodecBytes.of("hi")), Integer.MAX_VALUE);
        assertThat(BatchRecord.headerProblem(clone(rec).put(0, (byte) 0), 0)).isEqualTo("bad magic");
        ByteBuffer v = clone(rec).put(2, (byte) 3);
        assertThat(BatchRecord.headerProblem(v, 0)).contains("version 3");
        ByteBuffer f = clone(rec).put(3, (byte) 4);
        assertThat(BatchRecord.headerProblem(f, 0)).contains("flags");
        ByteBuffer n = clone(rec).putInt(BatchRecord.COUNT_AT, 0);
        assertThat(BatchRecord.headerProblem(n, 0)).contains("count");
        ByteBuffer s = clone(rec).putInt(BatchRecord.STORED_AT, 7);
        assertThat(BatchRecord.headerProblem(s, 0)).contains("stored length");
        ByteBuffer k = clone(rec).put(BatchRecord.NAME_LENGTH_AT, (byte) 0);
        assertThat(BatchRecord.headerProblem(k, 0)).contains("name");
    }

    @Test
    void aBodyThatDoesNotMatchItsCountIsRefused() {
        ByteBuffer rec = clone(record(List.of(CodecBytes.of("hi"), CodecBytes.of("yo")), Integer.MAX_VALUE));
        rec.putInt(BatchRecord.COUNT_AT, 1);
        assertThatThrownBy(() -> BatchRecord.decode(rec, 0, 0, 10, 100, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("left after 1 messages");
    }

    /** After 8 bodies LZ4 could not shrink, only every 32nd is tried, until one shrinks again. */
    @Test
    void theCompressionGateBacksOffOnIncompressibleBodiesAndComesBack() {
        CompressionGate gate = new CompressionGate();
        byte[] noise = new byte[500];
        new java.util.SplittableRandom(3).nextBytes(noise);
        List<byte[]> random = List.of(noise);
        List<byte[]> zeros = List.of(new byte[500]);
        int body = Limits.checkBatch(random);
        for (int i = 0; i < CompressionGate.MISSES_TO_BACK_OFF; i++) {
            assertThat(gate.shouldTry()).isTrue();
            BatchRecord.encode(CodecBytes.of("s"), 0, 0, random, body, 0, gate);
        }
        int tried = 0;
        for (int i = 0; i < CompressionGate.PROBE_EVERY * 2; i++) {
            ByteBuffer rec = BatchRecord.seal(BatchRecord.encode(CodecBytes.of("s"), 0, 0, zeros, body, 0, gate), 0, 0);
            tried += rec.get(3) & BatchRecord.FLAG_LZ4;
            assertThat(BatchRecord.decode(rec, 0, 0, 1, 1000, true)).singleElement().isEqualTo(new byte[500]);
            if (tried > 0) {
                break;
            }
        }
        assertThat(tried).as("a probe compressed the zeros").isEqualTo(1);
        for (int i = 0; i < 5; i++) {
            ByteBuffer rec = BatchRecord.seal(BatchRecord.encode(CodecBytes.of("s"), 0, 0, zeros, body, 0, gate), 0, 0);
            assertThat(rec.get(3) & BatchRecord.FLAG_LZ4).as("every batch tried again").isEqualTo(1);
        }
        assertThat(CompressionGate.always().shouldTry()).isTrue();
    }

    @Test
    void aReusedScratchEncodesExactlyWhatFreshArraysDo() {
        // Batches of random sizes (some past the largest array a scratch keeps), compressible or not, with and without
        // producer fields, through one scratch in turn: a smaller record after a larger one must not pick up its bytes.
        Seeds.check("scratch encode == fresh encode", 20, seed -> {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
            BatchRecord.Scratch scratch = new BatchRecord.Scratch();
            for (int b = 0; b < 12; b++) {
                int n = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 3_000 : 300);
                int size = rnd.nextInt(rnd.nextInt(10) == 0 ? 1_500 : 120);
                boolean compressible = rnd.nextBoolean();
                List<byte[]> messages = new java.util.ArrayList<>();
                for (int i = 0; i < n; i++) {
                    byte[] m = new byte[size];
                    if (compressible) {
                        java.util.Arrays.fill(m, (byte) ('a' + rnd.nextInt(3)));
                    } else {
                        rnd.nextBytes(m);
                    }
                    messages.add(m);
                }
                int body = Limits.checkBatch(messages);
                long producer = rnd.nextBoolean() ? 0 : 1 + rnd.nextInt(1_000);
                long sequence = producer == 0 ? 0 : rnd.nextInt(1 << 20);
                byte[] name = CodecBytes.of("stream-" + rnd.nextInt(100));
                ByteBuffer fresh = BatchRecord.seal(BatchRecord.encode(name, producer, sequence,
                        MessageBatch.of(messages), body, 64, CompressionGate.always()), b, 42);
                ByteBuffer reused = BatchRecord.seal(BatchRecord.encode(name, producer, sequence,
                        MessageBatch.of(messages), body, 64, CompressionGate.always(), scratch), b, 42);
                assertThat(reused).as("batch %d: %d messages of %d bytes", b, n, size).isEqualTo(fresh);
                assertThat(BatchRecord.decode(reused, 0, 0, Integer.MAX_VALUE, Long.MAX_VALUE, true))
                        .hasSize(n).containsExactlyElementsOf(messages);
            }
        });
    }

    private static ByteBuffer clone(ByteBuffer b) {
        ByteBuffer c = ByteBuffer.allocate(b.remaining());
        c.put(b.duplicate()).flip();
        return c;
    }
}
