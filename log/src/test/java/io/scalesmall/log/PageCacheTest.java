package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Synced segments leave the page cache (Linux): residency is read with {@link MappedByteBuffer#isLoaded()}, which
 * asks the kernel ({@code mincore}) without touching the pages.
 */
class PageCacheTest {
    @TempDir
    Path dir;

    /** Whether every page of {@code file} is in the page cache now. */
    private static boolean cached(Path file) throws IOException {
        return cached(file, 0, Files.size(file));
    }

    /** Whether every page of bytes {@code [from, from + length)} of {@code file} is in the page cache now. */
    private static boolean cached(Path file, long from, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, from, length);
            return m.isLoaded();
        }
    }

    /** Writes {@code length} random bytes (from {@code seed}) to a new {@code file}, fsynced or not; returns them. */
    private static byte[] write(Path file, int length, long seed, boolean fsync) throws IOException {
        byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes));
            if (fsync) {
                ch.force(false);
            }
        }
        return bytes;
    }

    @Test
    void aWrittenBackRangeLeavesThePageCacheAndTheRestStays() throws IOException {
        assumeTrue(PageCache.supported(), "sync_file_range and posix_fadvise through JNA (Linux)");
        Path f = dir.resolve("f");
        byte[] bytes = write(f, 8 << 20, 11, false); // no fsync: every page dirty
        assertThat(PageCache.startWriteback(f, 0, 4 << 20)).isTrue();

        // Dirty pages cannot be dropped: that the first half leaves the cache shows its writeback finished first.
        assertThat(PageCache.finishWriteback(f, 0, 4 << 20, true)).isTrue();

        assertThat(cached(f, 0, 4 << 20)).as("written back and dropped").isFalse();
        assertThat(cached(f, 4 << 20, 4 << 20)).as("the rest, still dirty").isTrue();
        assertThat(Files.readAllBytes(f)).isEqualTo(bytes);
        assertThat(PageCache.finishWriteback(f, 4 << 20, 4 << 20, false)).as("written back, kept").isTrue();
        assertThat(cached(f, 4 << 20, 4 << 20)).isTrue();
        assertThat(PageCache.startWriteback(dir.resolve("missing"), 0, 4096)).as("deleted by retention").isFalse();
    }

    @Test
    void theLogWritesTheActiveSegmentBackInStepsAndDropsAllButTheNewest() throws IOException {
        assumeTrue(PageCache.supported(), "sync_file_range and posix_fadvise through JNA (Linux)");
        int step = 256 << 10;
        // 64 MiB segments; the appender writes and reports each range itself (with write-behind the writer's thread
        // does, a little later, and the file's newest bytes move on after they were looked at)
        FileLogConfig config = FileLogConfig.DEFAULT.withCacheBytes(0).withWritebackBytes(step)
                .withWriteBehindBytes(0);
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            SplittableRandom rnd = new SplittableRandom(5);
            for (int n = 0; n < 4 << 20; n += 1024) {
                byte[] m = new byte[1024];
                rnd.nextBytes(m);
                log.append("s", m);
            }
            Path active = dir.resolve(Segment.fileName(0));
            long size = Files.size(active);
            // 4 MiB in 256 KiB steps: 16 ranges reported; each but the newest is waited for and dropped.
            await().atMost(Duration.ofSeconds(10)).until(() -> log.writtenBackRanges() >= 15);
            assertThat(cached(active, 0, 3 << 20)).as("written back, dropped").isFalse();
            assertThat(cached(active, size - 4096, 4096)).as("the newest bytes").isTrue();
            assertThat(log.fsyncCount()).as("no fsync: the writeback is not one").isZero();
            assertThat(log.read("s", 0, 10, 1 << 20).messages()).as("read back from the disk").hasSize(10);
        }
    }

    @Test
    void withEarlyWritebackOffTheActiveSegmentIsLeftToItsFsync() throws IOException {
        assumeTrue(PageCache.supported(), "sync_file_range and posix_fadvise through JNA (Linux)");
        FileLogConfig config = FileLogConfig.DEFAULT.withCacheBytes(0).withWritebackBytes(0);
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            fill(log, 2 << 20);
            assertThat(log.writtenBackRanges()).isZero();
            assertThat(log.fsyncCount()).isEqualTo(1);
        }
    }

    @Test
    void aDroppedFileLeavesThePageCacheAndReadsBackTheSame() throws IOException {
        assumeTrue(PageCache.supported(), "posix_fadvise through JNA (Linux x86-64/aarch64/riscv64)");
        Path f = dir.resolve("f");
        byte[] bytes = write(f, 4 << 20, 7, true);
        assertThat(cached(f)).as("just written").isTrue();

        assertThat(PageCache.drop(f)).isTrue();

        assertThat(cached(f)).as("dropped").isFalse();
        assertThat(Files.readAllBytes(f)).isEqualTo(bytes);
        assertThat(PageCache.drop(dir.resolve("missing"))).as("a file retention deleted meanwhile").isFalse();
    }

    /** Appends 1 KiB batches to "s" until {@code bytes} were appended, then flushes (which completes the rolls). */
    private static void fill(FileMessageLog log, int bytes) throws IOException {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int n = 0; n < bytes; n += 1024) {
            byte[] m = new byte[1024];
            rnd.nextBytes(m);
            log.append("s", m);
        }
        log.flush();
    }

    @Test
    void theLogDropsEachSyncedSegmentAndKeepsTheActiveOne() throws IOException {
        assumeTrue(PageCache.supported(), "posix_fadvise through JNA (Linux x86-64/aarch64/riscv64)");
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1 << 20).withCacheBytes(0);
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            fill(log, 3 << 20);
            Path first = dir.resolve(Segment.fileName(0));
            Path second = dir.resolve(Segment.fileName(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> !cached(first) && !cached(second));
            assertThat(log.droppedSegments()).isGreaterThanOrEqualTo(2);
            assertThat(cached(dir.resolve(Segment.fileName(3)))).as("the active segment, still written").isTrue();
            assertThat(log.read("s", 0, 10, 1 << 20).messages()).as("read back from the disk").hasSize(10);
        }
    }

    @Test
    void aLogThatKeepsThePageCacheLeavesSyncedSegmentsCached() throws IOException {
        assumeTrue(PageCache.supported(), "posix_fadvise through JNA (Linux x86-64/aarch64/riscv64)");
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1 << 20).withCacheBytes(0)
                .withKeepPageCache(true);
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            fill(log, 3 << 20);
            // Whether the pages are still cached is the kernel's business (it may reclaim them); what the log owns
            // is that it never asked: the syncer took every synced segment, and dropped none.
            await().atMost(Duration.ofSeconds(10)).until(() -> !log.syncedSegmentsWaiting());
            assertThat(log.fsyncCount()).isGreaterThanOrEqualTo(3);
            assertThat(log.droppedSegments()).isZero();
        }
    }
}
