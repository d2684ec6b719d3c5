package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A file log whose segments are written ahead ({@link SpareSegment}): rolls, recovery and the disk budget. */
class PreallocatedSegmentTest {
    /**
     * 4 records of 200-byte messages fit a segment; compression off, so that sizes are exact; each append writes its
     * batch before it returns (write-behind off), so that the files' sizes and copies follow the appends at once
     * (preallocation with write-behind: FileMessageLogPreallocatedContractTest).
     */
    private static final FileLogConfig SMALL = FileLogConfig.DEFAULT.withSegmentBytes(1024)
            .withCompressMinBytes(Integer.MAX_VALUE).withPreallocate(true).withWriteBehindBytes(0);

    @TempDir
    Path dir;
    /** The log's lines from INFO up (the test configuration shows WARN only). */
    @RegisterExtension
    final CapturedLog logged = new CapturedLog(Level.INFO);

    private static byte[] message(int i) {
        byte[] m = new byte[200];
        m[0] = (byte) i;
        m[199] = (byte) (i * 7 + 1);
        return m;
    }

    /** Appends until the log holds {@code segments} segments, the last rolled to with a spare ready; returns them. */
    private static List<byte[]> fillUntil(FileMessageLog log, int segments) throws IOException {
        List<byte[]> sent = new ArrayList<>();
        while (log.segmentCount() < segments) {
            long prepared = log.sparesPrepared();
            if (log.segmentSize(log.segmentCount() - 1) + 242 > 1024) {
                long want = log.segmentCount(); // one spare per segment so far (the first is created empty)
                await().atMost(Duration.ofSeconds(10)).until(() -> log.sparesPrepared() >= want);
            }
            sent.add(message(sent.size()));
            assertThat(log.append("s", List.of(sent.get(sent.size() - 1)))).isEqualTo(sent.size() - 1);
            assertThat(log.sparesPrepared()).isGreaterThanOrEqualTo(prepared);
        }
        return sent;
    }

    @Test
    void aRollContinuesInTheSpareAndCutsTheSegmentItLeaves() throws IOException {
        List<byte[]> sent;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            sent = fillUntil(log, 2);
            Path seg1 = dir.resolve(Segment.pendingFileName(1));
            Path plain1 = dir.resolve(Segment.fileName(1));
            Path current = Files.exists(seg1) ? seg1 : plain1; // the sync thread may have confirmed it
            assertThat(log.segmentSize(1)).isEqualTo(242);
            assertThat(Files.size(current)).as("the spare's zeros after the batch").isEqualTo(1024);
            log.groupCommit().syncRolls();
            assertThat(Files.size(dir.resolve(Segment.fileName(0)))).as("the segment left: its batches only")
                    .isEqualTo(log.segmentSize(0)).isEqualTo(4 * 242);
            assertThat(log.segmentFileBytes()).isEqualTo(segmentFilesOnDiskIn(dir));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(dir.resolve(SpareSegment.FILE)));
            log.flush();
        }
        assertThat(dir.resolve(SpareSegment.FILE)).as("close deletes the spare").doesNotExist();
        assertThat(Files.size(dir.resolve(Segment.fileName(1)))).as("the active segment keeps its zeros")
                .isEqualTo(1024);
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(log.read("s", 0, 100, 1 << 20).messages()).containsExactlyElementsOf(sent);
            assertThat(log.append("s", List.of(message(99)))).isEqualTo(sent.size());
            assertThat(Files.size(dir.resolve(Segment.fileName(1)))).as("written over the zeros").isEqualTo(1024);
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).isEmpty();
    }

    @Test
    void recoveryCutsZerosLeftAfterASegmentBeforeTheLast() throws IOException {
        List<byte[]> sent;
        long data0;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            sent = fillUntil(log, 2);
            data0 = log.segmentSize(0);
            log.flush();
        }
        Path seg0 = dir.resolve(Segment.fileName(0));
        // as if the roll's cut had not reached the disk
        FileMessageLogRecoveryTest.appendBytes(seg0, ByteBuffer.allocate(1024 - (int) data0));
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(Files.size(seg0)).isEqualTo(data0);
            assertThat(log.read("s", 0, 100, 1 << 20).messages()).containsExactlyElementsOf(sent);
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).singleElement()
                .satisfies(e -> {
                    assertThat(e.getLevel()).isEqualTo(Level.INFO);
                    assertThat(e.getFormattedMessage()).contains(seg0.toString()).contains("zeros written ahead");
                });
    }

    /** A crash that tore a batch written over the zeros: cut from there, WARN, the batches before it intact. */
    @Test
    void aTornBatchInASegmentWrittenAheadIsCut() throws IOException {
        List<byte[]> sent;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            sent = new ArrayList<>(fillUntil(log, 2));
            sent.add(message(sent.size()));
            log.append("s", List.of(sent.get(sent.size() - 1)));
            log.flush();
        }
        Path seg1 = dir.resolve(Segment.fileName(1));
        FileMessageLogRecoveryTest.flip(seg1, 242 + 100); // inside the segment's second batch
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery().truncatedBytes()).isEqualTo(1024 - 242);
            assertThat(log.read("s", 0, 100, 1 << 20).messages())
                    .containsExactlyElementsOf(sent.subList(0, sent.size() - 1));
        }
        assertThat(Files.size(seg1)).isEqualTo(242);
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains(seg1.toString()).contains("torn tail")
                    .contains("CRC32C mismatch");
        });
    }

    @Test
    void aLeftoverSpareIsDeletedWhenTheLogOpens() throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve(SpareSegment.FILE), new byte[] {1, 2, 3});
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(dir.resolve(SpareSegment.FILE)).doesNotExist();
            assertThat(log.recovery().segments()).isZero();
        }
    }

    /**
     * Under a disk budget, random batches (some larger than a segment), with retention dropping old segments now and
     * then: the files -- segments, zeros written ahead and the spare -- never hold more than the budget, what the
     * log counts is what the files hold, a refused batch would not have fit even without the spare, and every batch
     * acknowledged is read back.
     */
    @Test
    void theDiskBudgetCountsTheZerosAndTheSpareAndIsNeverExceeded() {
        Seeds.check("budget with segments written ahead", 10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path d = dir.resolve("seed" + seed);
            long max = rnd.nextLong(3_000, 12_000);
            FileLogConfig config = SMALL.withMaxDiskBytes(max).withRetentionBytes(rnd.nextLong(2_000, 6_000));
            try (FileMessageLog log = FileMessageLog.open(d, config)) {
                List<byte[]> acked = new ArrayList<>();
                int full = 0;
                for (int i = 0; i < 300 && full < 20; i++) {
                    byte[] m = Seeds.message(rnd, rnd.nextInt(1, rnd.nextInt(10) == 0 ? 2_500 : 400));
                    try {
                        log.append("s", List.of(m));
                        acked.add(m);
                    } catch (LogFullException e) {
                        full++;
                        assertThat(e.usedBytes() + e.batchBytes()).isGreaterThan(max);
                        assertThat(log.segmentFileBytes() + e.batchBytes()).as("no room even without the spare")
                                .isGreaterThan(max - 1024);
                    }
                    assertThat(log.diskBytes()).isLessThanOrEqualTo(max);
                    if (rnd.nextInt(20) == 0) {
                        log.enforceRetention(0);
                    }
                    log.groupCommit().syncRolls();
                    assertThat(log.segmentFileBytes()).isEqualTo(segmentFilesOnDiskIn(d));
                    assertThat(segmentFilesOnDiskIn(d) + spareOnDisk(d)).isLessThanOrEqualTo(max);
                }
                long first = log.firstOffset("s");
                assertThat(log.read("s", first, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                        .containsExactlyElementsOf(acked.subList((int) first, acked.size()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * What a {@code kill -9} leaves: the files as they are at some moment (the page cache survives a killed process),
     * with rolls not yet fsynced or confirmed (pending segments), a spare half written or ready, zeros not yet cut.
     * Copies of the directory taken between random appends (no fsync asked for) open to exactly what was appended
     * before the copy, and take appends again.
     */
    @Test
    void aCopyTakenMidRunAsAKilledProcessLeavesItOpensToEveryAppend() {
        Seeds.check("copy of a running log with segments written ahead", 10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path live = dir.resolve("live-" + seed);
            try (FileMessageLog log = FileMessageLog.open(live, SMALL.withSegmentBytes(4096))) {
                List<List<byte[]>> sent = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                for (int copy = 0; copy < 3; copy++) {
                    for (int i = rnd.nextInt(5, 60); i > 0; i--) {
                        int s = rnd.nextInt(3);
                        byte[] m = Seeds.message(rnd, rnd.nextInt(1, 700));
                        assertThat(log.append("s" + s, List.of(m))).isEqualTo(sent.get(s).size());
                        sent.get(s).add(m);
                    }
                    Path crashed = dir.resolve("crashed-" + seed + "-" + copy);
                    RunningLogCopy.copy(live, crashed);
                    try (FileMessageLog reopened = FileMessageLog.open(crashed, SMALL.withSegmentBytes(4096))) {
                        for (int s = 0; s < 3; s++) {
                            assertThat(reopened.read("s" + s, 0, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                                    .as("stream s%d after copy %d", s, copy).containsExactlyElementsOf(sent.get(s));
                        }
                        assertThat(reopened.append("s0", List.of(message(1)))).isEqualTo(sent.get(0).size());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN).as("no torn tail: nothing was cut short")
                .isEmpty();
    }

    private static long segmentFilesOnDiskIn(Path d) throws IOException {
        try (Stream<Path> files = Files.list(d)) {
            long sum = 0;
            for (Path p : files.toList()) {
                String name = p.getFileName().toString();
                if (Segment.parseNumber(name) >= 0 || Segment.parsePendingNumber(name) >= 0) {
                    sum += Files.size(p);
                }
            }
            return sum;
        }
    }

    private static long spareOnDisk(Path d) throws IOException {
        Path p = d.resolve(SpareSegment.FILE);
        try {
            return Files.size(p);
        } catch (java.nio.file.NoSuchFileException e) {
            return 0;
        }
    }
}
