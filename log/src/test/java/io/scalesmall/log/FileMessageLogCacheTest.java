package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file log's memory budget: recent batches are read from memory, the oldest leave first, counters count. */
class FileMessageLogCacheTest {
    @TempDir
    Path dir;

    /** Appends {@code n} single-message batches of 200 random bytes to "s"; returns the messages. */
    private static List<byte[]> fill(FileMessageLog log, int n) throws IOException {
        SplittableRandom rnd = new SplittableRandom(9);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            byte[] m = new byte[200];
            rnd.nextBytes(m);
            out.add(m);
            log.append("s", m);
        }
        return out;
    }

    /** One batch of {@link #fill} on disk and in the cache: header, name "s", one 200-byte message. */
    private static long recordBytes() {
        return BatchRecord.HEADER_BYTES + 1 + 204;
    }

    @Test
    void recentBatchesAreReadFromMemoryEvenIfTheDiskChanged() throws IOException {
        FileLogConfig config = FileLogConfig.DEFAULT.withCacheBytes(10 * recordBytes());
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            List<byte[]> sent = fill(log, 30);
            log.flush(); // every batch in the file (write-behind), so that no later write undoes the flips below
            assertThat(log.cacheStats().cachedBatches()).isEqualTo(10);
            Path seg = dir.resolve(Segment.fileName(0));
            long recordLength = recordBytes();
            FileMessageLogRecoveryTest.flip(seg, 29 * recordLength + recordLength - 1); // the last batch's last byte
            FileMessageLogRecoveryTest.flip(seg, 10 * recordLength + recordLength - 1); // an evicted batch's

            assertThat(log.read("s", 20, 100, 1 << 20).messages()).containsExactlyElementsOf(sent.subList(20, 30));
            assertThat(log.cacheStats()).isEqualTo(new CacheStats(10 * recordBytes(), 10 * recordBytes(), 10, 10, 0));

            assertThat(log.read("s", 0, 10, 1 << 20).messages()).containsExactlyElementsOf(sent.subList(0, 10));
            assertThat(log.cacheStats().misses()).as("the oldest 10 were evicted").isEqualTo(10);
            assertThatThrownBy(() -> log.read("s", 10, 1, 1 << 20)).as("read from disk, and the CRC caught the flip")
                    .isInstanceOf(LogCorruptedException.class).hasMessageContaining("CRC32C mismatch on read");
            assertThat(log.cacheStats().hits()).isEqualTo(10);
        }
    }

    /** A budget below one chunk is one chunk, reused whole when full: here it holds batches 75..99 at the end. */
    @Test
    void theOldestLeaveFirstAndTheBudgetHolds() throws IOException {
        long budget = 25 * recordBytes() + 7;
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT.withCacheBytes(budget))) {
            List<byte[]> sent = fill(log, 100);
            assertThat(log.cacheStats().heldBytes()).isEqualTo(budget);
            assertThat(log.cacheStats().cachedBatches()).isEqualTo(25);
            for (int i = 0; i < 100; i++) {
                CacheStats before = log.cacheStats();
                assertThat(log.read("s", i, 1, 1 << 20).messages()).singleElement().isEqualTo(sent.get(i));
                CacheStats after = log.cacheStats();
                assertThat(after.hits() - before.hits()).as("offset %d from memory", i).isEqualTo(i >= 75 ? 1 : 0);
                assertThat(after.misses() - before.misses()).as("offset %d from disk", i).isEqualTo(i >= 75 ? 0 : 1);
            }
        }
    }

    @Test
    void aBatchLargerThanTheBudgetIsNotCachedAndZeroSwitchesTheCacheOff() throws IOException {
        try (FileMessageLog log = FileMessageLog.open(dir.resolve("a"),
                FileLogConfig.DEFAULT.withCacheBytes(recordBytes() - 1))) {
            fill(log, 3);
            assertThat(log.cacheStats().cachedBatches()).isZero();
            log.read("s", 0, 10, 1 << 20);
            assertThat(log.cacheStats()).isEqualTo(new CacheStats(recordBytes() - 1, 0, 0, 0, 3));
        }
        try (FileMessageLog log = FileMessageLog.open(dir.resolve("b"), FileLogConfig.DEFAULT.withCacheBytes(0))) {
            fill(log, 3);
            log.read("s", 0, 10, 1 << 20);
            assertThat(log.cacheStats()).isEqualTo(new CacheStats(0, 0, 0, 0, 3));
        }
    }

    @Test
    void retentionTakesDroppedBatchesOutOfTheCache() throws IOException {
        long[] now = {0};
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1024).withRetentionMillis(1_000);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            fill(log, 20); // 4 per segment
            now[0] = 10_000;
            byte[] t = new byte[100];
            new SplittableRandom(2).nextBytes(t); // incompressible: does not fit the last segment, so all 5 go
            log.append("t", t);
            assertThat(log.cacheStats().cachedBatches()).isEqualTo(21);
            assertThat(log.enforceRetention(now[0])).isEqualTo(20);
            assertThat(log.cacheStats().cachedBatches()).isEqualTo(1);
            assertThat(log.read("t", 0, 1, 100).messages()).hasSize(1);
            assertThat(log.cacheStats().hits()).isEqualTo(1);
        }
    }

    @Test
    void theDefaultBudgetIsHalfOfTheHeapAndNegativeBudgetsAreRefused() throws IOException {
        assertThat(FileLogConfig.DEFAULT.cacheBytes()).isEqualTo(FileLogConfig.AUTO_CACHE_BYTES);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.cacheStats().budgetBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 2);
            assertThat(log.cacheStats().heldBytes()).as("chunks come as data does").isZero();
            log.append("s", new byte[10]);
            assertThat(log.cacheStats().heldBytes()).isEqualTo(BatchCache.CHUNK_BYTES);
        }
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withCacheBytes(-2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cacheBytes");
    }

    @Test
    void aReopenedLogStartsWithAnEmptyCacheAndReadsFromDisk() throws IOException {
        List<byte[]> sent;
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            sent = fill(log, 5);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.read("s", 0, 10, 1 << 20).messages()).containsExactlyElementsOf(sent);
            assertThat(log.cacheStats().misses()).isEqualTo(5);
            log.append("s", new byte[1]);
            assertThat(log.read("s", 5, 10, 1 << 20).messages()).hasSize(1);
            assertThat(log.cacheStats().hits()).isEqualTo(1);
        }
    }
}
