package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MessageLog#readBatches}: the file log returns each stored batch with its producer id and first sequence
 * (advanced when a read starts inside a batch), from its cache and from disk after reopening; plain batches have
 * producer 0; the messages are exactly those of {@link MessageLog#read}.
 */
class FileMessageLogReadBatchesTest {
    @TempDir
    Path dir;

    private static List<byte[]> msgs(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void batchesCarryTheirProducerFieldsFromCacheAndDisk() throws IOException {
        FileLogConfig small = FileLogConfig.DEFAULT.withSegmentBytes(4096);
        try (FileMessageLog log = FileMessageLog.open(dir, small)) {
            fill(log);
            check(log);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, small)) { // cold: every batch from disk
            check(log);
        }
    }

    /** Offsets 0..2 producer 7 seq 10..12, 3..4 plain, 5..8 producer 9 seq 0..3. */
    private static void fill(MessageLog log) throws IOException {
        assertThat(log.append("s", 7, 10, msgs("a", 3)).firstOffset()).isZero();
        assertThat(log.append("s", msgs("b", 2))).isEqualTo(3);
        assertThat(log.append("s", 9, 0, msgs("c", 4)).firstOffset()).isEqualTo(5);
    }

    private static void check(MessageLog log) throws IOException {
        List<StoredBatch> all = log.readBatches("s", 0, 100, 1 << 20);
        assertThat(all).extracting(StoredBatch::firstOffset).containsExactly(0L, 3L, 5L);
        assertThat(all).extracting(StoredBatch::producerId).containsExactly(7L, 0L, 9L);
        assertThat(all).extracting(StoredBatch::firstSequence).containsExactly(10L, 0L, 0L);

        List<StoredBatch> mid = log.readBatches("s", 1, 100, 1 << 20);
        assertThat(mid.get(0).firstOffset()).isEqualTo(1);
        assertThat(mid.get(0).firstSequence()).isEqualTo(11);
        assertThat(mid.get(0).messages()).hasSize(2);

        List<StoredBatch> cut = log.readBatches("s", 6, 2, 1 << 20); // the message limit stops inside a batch
        assertThat(cut).hasSize(1);
        assertThat(cut.get(0).firstSequence()).isEqualTo(1);
        assertThat(cut.get(0).endOffset()).isEqualTo(8);

        assertThat(log.readBatches("s", 9, 10, 10)).isEmpty();
        assertThatThrownBy(() -> log.readBatches("s", 10, 10, 10)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void messagesAreThoseOfReadWhateverTheLimits() throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT.withSegmentBytes(2048))) {
            long seq = 0;
            for (int i = 0; i < 200; i++) {
                List<byte[]> m = new ArrayList<>();
                for (int k = rnd.nextInt(1, 6); k > 0; k--) {
                    m.add(Seeds.message(rnd, rnd.nextInt(0, 60)));
                }
                if (rnd.nextBoolean()) {
                    log.append("r", 5, seq, m);
                    seq += m.size();
                } else {
                    log.append("r", m);
                }
            }
            long end = log.endOffset("r");
            for (int i = 0; i < 300; i++) {
                long from = rnd.nextLong(0, end + 1);
                int maxMessages = rnd.nextInt(1, 40);
                int maxBytes = rnd.nextInt(1, 600);
                List<byte[]> flat = new ArrayList<>();
                long next = from;
                for (StoredBatch b : log.readBatches("r", from, maxMessages, maxBytes)) {
                    assertThat(b.firstOffset()).isEqualTo(next);
                    next = b.endOffset();
                    flat.addAll(b.messages());
                }
                assertThat(flat).containsExactlyElementsOf(log.read("r", from, maxMessages, maxBytes).messages());
            }
        }
    }

    @Test
    void theDefaultReturnsOneBatchWithoutProducer() throws IOException {
        try (MemoryMessageLog log = new MemoryMessageLog()) {
            fill(log);
            List<StoredBatch> all = log.readBatches("s", 1, 100, 1 << 20);
            assertThat(all).hasSize(1);
            assertThat(all.get(0).producerId()).isZero();
            assertThat(all.get(0).messages()).hasSize(8);
            assertThat(log.readBatches("s", 9, 1, 1)).isEmpty();
        }
    }
}
