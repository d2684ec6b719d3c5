package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.log.FileMessageLogRecoveryTest.Appended;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention by size and by age, the end-offset checkpoint across reopening, and the disk budget. */
class FileMessageLogRetentionTest {
    @TempDir
    Path dir;
    private final long[] now = {0};
    private static final FileLogConfig SMALL = FileLogConfig.DEFAULT.withSegmentBytes(1024)
            .withRetentionMillis(FileLogConfig.UNLIMITED);

    private FileMessageLog open(FileLogConfig config) throws IOException {
        return FileMessageLog.open(dir, config, () -> now[0]);
    }

    /** Per stream, the first offset held once the segments before {@code firstKept} are gone. */
    private static long firstHeld(List<Appended> batches, String stream, Path firstKept, long end) {
        return batches.stream().filter(a -> a.stream().equals(stream) && a.segment().compareTo(firstKept) >= 0)
                .mapToLong(Appended::base).min().orElse(end);
    }

    @Test
    void retentionBySizeDropsWholeOldestSegmentsButNeverTheActiveOne() throws IOException {
        try (FileMessageLog log = open(SMALL.withRetentionBytes(3000))) {
            List<Appended> batches = FileMessageLogRecoveryTest.fill(log, dir, new SplittableRandom(11), 120);
            int segments = log.segmentCount();
            long[] ends = {log.endOffset("s0"), log.endOffset("s1"), log.endOffset("s2")};
            assertThat(segments).isGreaterThan(6);

            long dropped = log.enforceRetention(0);

            assertThat(log.dataBytes()).isLessThanOrEqualTo(3000);
            assertThat(log.segmentFileBytes()).isEqualTo(sizeOfSegmentFiles());
            int kept = log.segmentCount();
            assertThat(kept).isBetween(1, segments - 1);
            Path firstKept = dir.resolve(Segment.fileName(segments - kept));
            assertThat(Files.exists(dir.resolve(Segment.fileName(segments - kept - 1)))).isFalse();
            assertThat(firstKept).exists();
            long total = 0;
            for (int s = 0; s < 3; s++) {
                String stream = "s" + s;
                long first = firstHeld(batches, stream, firstKept, ends[s]);
                total += first;
                assertThat(log.firstOffset(stream)).as("first offset of %s", stream).isEqualTo(first);
                assertThat(log.endOffset(stream)).isEqualTo(ends[s]);
                if (first > 0) {
                    assertThatThrownBy(() -> log.read(stream, first - 1, 1, 100))
                            .isInstanceOf(OffsetOutOfRangeException.class)
                            .hasMessageContaining("first available offset is " + first);
                }
                List<byte[]> want = new ArrayList<>();
                batches.stream().filter(a -> a.stream().equals(stream) && a.base() >= first)
                        .forEach(a -> want.addAll(a.messages()));
                assertThat(log.read(stream, first, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                        .containsExactlyElementsOf(want);
            }
            assertThat(dropped).isEqualTo(total);
            assertThat(log.enforceRetention(0)).as("nothing more to drop").isZero();
            assertThat(log.append("s0", CodecBytes.of("next"))).isEqualTo(ends[0]);
        }
    }

    @Test
    void theActiveSegmentIsKeptEvenWhenAloneOverTheLimits() throws IOException {
        try (FileMessageLog log = open(FileLogConfig.DEFAULT.withRetentionBytes(1).withRetentionMillis(1))) {
            log.append("s", CodecBytes.of("only"));
            now[0] = 1_000_000;
            assertThat(log.enforceRetention(now[0])).isZero();
            assertThat(log.firstOffset("s")).isZero();
            assertThat(log.segmentCount()).isOne();
        }
    }

    /** A stream whose batches are all dropped resumes at its old end after reopening: offsets are never reused. */
    @Test
    void offsetsAreNeverReusedAfterReopen() throws IOException {
        FileLogConfig config = SMALL.withRetentionMillis(10_000);
        try (FileMessageLog log = open(config)) {
            FileMessageLogRecoveryTest.fill(log, dir, new SplittableRandom(12), 60); // s0, s1, s2 at t = 0
            closeSegment(log);
            now[0] = 100_000;
            for (int i = 0; i < 20; i++) {
                log.append("fresh", Seeds.message(new SplittableRandom(i), 200));
            }
            assertThat(log.enforceRetention(now[0])).isPositive();
        }
        long[] ends = new long[3];
        try (FileMessageLog log = open(config)) {
            for (int s = 0; s < 3; s++) {
                ends[s] = log.endOffset("s" + s);
                assertThat(ends[s]).as("end of s%d after reopening", s).isPositive();
                assertThat(log.firstOffset("s" + s)).isEqualTo(ends[s]);
            }
            assertThat(log.streamCount()).isEqualTo(5);
            assertThat(log.append("s1", CodecBytes.of("after"))).isEqualTo(ends[1]);
            closeSegment(log);
            // a second round: s1's new batch and fresh's go too; the checkpoint is rewritten, still complete
            now[0] = 200_000;
            for (int i = 0; i < 20; i++) {
                log.append("later", Seeds.message(new SplittableRandom(i), 200));
            }
            log.enforceRetention(now[0]);
            assertThat(log.firstOffset("s1")).isEqualTo(ends[1] + 1);
            assertThat(log.firstOffset("fresh")).isEqualTo(20);
        }
        try (FileMessageLog log = open(config)) {
            assertThat(log.endOffset("s0")).isEqualTo(ends[0]);
            assertThat(log.endOffset("s1")).isEqualTo(ends[1] + 1);
            assertThat(log.endOffset("s2")).isEqualTo(ends[2]);
            assertThat(log.endOffset("fresh")).isEqualTo(20);
            assertThat(log.append("fresh", CodecBytes.of("x"))).isEqualTo(20);
        }
    }

    /** A crash after the checkpoint was written but before the old files were deleted: they are simply held again. */
    @Test
    void aCrashBetweenTheCheckpointAndTheDeletionsLosesNothing() throws IOException {
        FileLogConfig config = SMALL.withRetentionMillis(10_000);
        List<Appended> batches;
        List<Path> saved = new ArrayList<>();
        Path copies = Files.createDirectories(dir.resolveSibling(dir.getFileName() + "-copies"));
        try (FileMessageLog log = open(config)) {
            batches = FileMessageLogRecoveryTest.fill(log, dir, new SplittableRandom(13), 40);
            closeSegment(log);
            now[0] = 100_000;
            for (int i = 0; i < 20; i++) {
                log.append("fresh", Seeds.message(new SplittableRandom(i), 200));
            }
            log.flush();
            for (int n = 0; n < log.segmentCount(); n++) {
                Path seg = dir.resolve(Segment.fileName(n));
                saved.add(Files.copy(seg, copies.resolve(seg.getFileName())));
            }
            log.enforceRetention(now[0]);
        }
        for (Path copy : saved) {
            Path seg = dir.resolve(copy.getFileName());
            if (!Files.exists(seg)) {
                Files.copy(copy, seg);
            }
        }
        try (FileMessageLog log = open(config)) {
            FileMessageLogRecoveryTest.assertHolds(log, batches);
            assertThat(log.enforceRetention(now[0])).isPositive();
            assertThat(log.firstOffset("s0")).isEqualTo(log.endOffset("s0"));
        }
    }

    @Test
    void aDamagedCheckpointIsAnError() throws IOException {
        try (FileMessageLog log = open(SMALL.withRetentionBytes(1))) {
            FileMessageLogRecoveryTest.fill(log, dir, new SplittableRandom(14), 40);
            log.enforceRetention(0);
        }
        Path ckpt = dir.resolve(EndCheckpoint.FILE);
        FileMessageLogRecoveryTest.flip(ckpt, Files.size(ckpt) - 1);
        assertThatThrownBy(() -> open(SMALL)).isInstanceOf(LogCorruptedException.class)
                .hasMessageContaining(ckpt.toString()).hasMessageContaining("CRC32C");
        Files.writeString(dir.resolve(EndCheckpoint.TMP), "a torn temporary file is ignored");
        FileMessageLogRecoveryTest.flip(ckpt, Files.size(ckpt) - 1);
        open(SMALL).close();
        assertThat(dir.resolve(EndCheckpoint.TMP)).doesNotExist();
    }

    @Test
    void aFullLogRefusesAppendsStoresNothingAndKeepsServingReads() throws IOException {
        FileLogConfig config = SMALL.withMaxDiskBytes(4096).withCompressMinBytes(Integer.MAX_VALUE);
        List<byte[]> acked = new ArrayList<>();
        try (FileMessageLog log = open(config)) {
            LogFullException full = null;
            for (int i = 0; full == null; i++) {
                byte[] m = Seeds.message(new SplittableRandom(i), 100);
                try {
                    assertThat(log.append("s", m)).isEqualTo(acked.size());
                    acked.add(m);
                } catch (LogFullException e) {
                    full = e;
                }
            }
            assertThat(full.maxDiskBytes()).isEqualTo(4096);
            assertThat(full.usedBytes() + full.batchBytes()).isGreaterThan(4096);
            assertThat(full.getMessage()).contains(dir.toString()).contains("full").contains("maxDiskBytes=4096");
            assertThat(log.diskBytes()).isLessThanOrEqualTo(4096);
            log.flush(); // every placed batch in its file (write-behind), so that the files' sizes are final
            assertThat(log.segmentFileBytes()).isEqualTo(sizeOfSegmentFiles());
            assertThat(log.endOffset("s")).isEqualTo(acked.size());
            assertThatThrownBy(() -> log.append("other", CodecBytes.of("x".repeat(100))))
                    .isInstanceOf(LogFullException.class);
            assertThat(log.streamCount()).isOne();
            assertThat(log.read("s", 0, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                    .containsExactlyElementsOf(acked);
            log.flush();
        }
        try (FileMessageLog log = open(config)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(log.read("s", 0, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                    .containsExactlyElementsOf(acked);
            assertThatThrownBy(() -> log.append("s", CodecBytes.of("x".repeat(100))))
                    .isInstanceOf(LogFullException.class);
        }
    }

    @Test
    void appendsSucceedAgainOnceRetentionFreesSpace() throws IOException {
        FileLogConfig config = SMALL.withMaxDiskBytes(4096).withRetentionMillis(10_000)
                .withCompressMinBytes(Integer.MAX_VALUE);
        byte[] m = Seeds.message(new SplittableRandom(1), 100);
        try (FileMessageLog log = open(config)) {
            int stored = fillUntilFull(log, m);
            // explicit retention, once the old batches have aged out
            now[0] = 20_000;
            assertThat(log.enforceRetention(now[0])).isPositive();
            assertThat(log.diskBytes()).isLessThan(4096 - 200);
            assertThat(log.append("s", m)).isEqualTo(stored);
            assertThat(log.firstOffset("s")).isPositive();

            // and without it: a full append runs retention itself, with the log's clock
            int more = fillUntilFull(log, m);
            now[0] = 40_000;
            long first = log.firstOffset("s");
            assertThat(log.append("s", m)).isEqualTo(stored + 1 + more);
            assertThat(log.firstOffset("s")).isGreaterThan(first);
            assertThat(log.diskBytes()).isLessThanOrEqualTo(4096);
        }
    }

    /**
     * Appends a batch that fills a (1 KiB) segment on its own, so that no batch appended later shares a segment
     * with the ones before: those then age out together.
     */
    private static void closeSegment(FileMessageLog log) throws IOException {
        byte[] big = new byte[1000];
        new SplittableRandom(99).nextBytes(big);
        log.append("big", big);
    }

    /** Appends {@code m} to "s" at the current time until the log is full; returns how many went in. */
    private static int fillUntilFull(FileMessageLog log, byte[] m) throws IOException {
        for (int n = 0; ; n++) {
            try {
                log.append("s", m);
            } catch (LogFullException e) {
                return n;
            }
        }
    }

    @Test
    void settingsAreCheckedNamingFieldAndValue() {
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withMaxDiskBytes(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxDiskBytes").hasMessageContaining("got 0");
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withRetentionBytes(-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retentionBytes")
                .hasMessageContaining("got -5");
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withRetentionMillis(0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("retentionMillis");
        assertThatThrownBy(() -> new MemoryMessageLog(0, 1, () -> 0L)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("retentionBytes");
    }

    /**
     * The bytes of the segment files, pending ({@code .seg.new}) ones included. The log's roll syncer renames a
     * pending segment once its predecessor is fsynced, possibly between the listing and the size: then it lists
     * again.
     */
    private long sizeOfSegmentFiles() throws IOException {
        for (int attempt = 0; ; attempt++) {
            long sum = 0;
            try (var files = Files.list(dir)) {
                for (Path p : files.filter(p -> Segment.parseNumber(p.getFileName().toString()) >= 0
                        || Segment.parsePendingNumber(p.getFileName().toString()) >= 0).toList()) {
                    sum += Files.size(p);
                }
                return sum;
            } catch (NoSuchFileException renamed) {
                if (attempt == 100) {
                    throw renamed;
                }
            }
        }
    }
}
