package io.scalesmall.log;

import static io.scalesmall.log.MessageLogContract.b;
import static io.scalesmall.log.MessageLogContract.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Full and failing disks, through {@link FaultyChannel}, with appends that write their batches themselves (write-behind
 * off; with it, see {@link FileMessageLogWriteBehindTest}): a failed write leaves nothing behind, ENOSPC surfaces as
 * {@link LogFullException}, a failed fsync makes the log refuse appends until reopened, reads keep working, and
 * reopening finds exactly what was acknowledged.
 */
class FileMessageLogFullDiskTest {
    @TempDir
    Path dir;
    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

    private FileMessageLog open(FileLogConfig config) throws IOException {
        return FileMessageLog.open(dir, config.withWriteBehindBytes(0), () -> 0L, GroupCommit.FORCE, faults.opener());
    }

    private static final FileLogConfig SMALL = FileLogConfig.DEFAULT.withWriteBehindBytes(0).withSegmentBytes(1024)
            .withCompressMinBytes(Integer.MAX_VALUE);

    @Test
    void aWriteThatRunsOutOfSpaceIsCutBackAndReportedAsFull() throws IOException {
        Path seg = dir.resolve(Segment.fileName(0));
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            log.append("s", List.of(b("a"), b("b")));
            long size = Files.size(seg);
            faults.failWrites = 1;
            assertThatThrownBy(() -> log.append("s", List.of(b("c"), b("d"))))
                    .isInstanceOfSatisfying(LogFullException.class, e -> {
                        assertThat(e.fileSystemFull()).isTrue();
                        assertThat(e.getCause()).hasMessage("No space left on device");
                    })
                    .hasMessageContaining("no space left");
            assertThat(Files.size(seg)).as("the partial write was cut off").isEqualTo(size);
            assertThat(log.endOffset("s")).isEqualTo(2);
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b");
            assertThat(log.append("s", b("c"))).as("room again: the same offset").isEqualTo(2);
            log.flush();
        }
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void anotherWriteErrorIsReportedAsItselfAndLeavesNothing() throws IOException {
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            log.append("s", b("a"));
            faults.writeError = FaultyChannel.ioError();
            faults.partialShare = 0.9;
            faults.failWrites = 1;
            assertThatThrownBy(() -> log.append("s", b("b"))).isNotInstanceOf(LogFullException.class)
                    .hasMessage("Input/output error");
            assertThat(log.append("s", b("c"))).isEqualTo(1);
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "c");
        }
    }

    /** The cut itself fails: appends are refused (nothing written after the garbage) until it succeeds. */
    @Test
    void aPartialWriteThatCannotBeCutOffBlocksAppendsUntilItIs() throws IOException {
        Path seg = dir.resolve(Segment.fileName(0));
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            log.append("s", b("a"));
            long size = Files.size(seg);
            faults.failWrites = 1;
            faults.failTruncates = 2;
            assertThatThrownBy(() -> log.append("s", b("b"))).isInstanceOf(LogFullException.class)
                    .satisfies(e -> assertThat(e.getCause().getSuppressed()).hasSize(1));
            assertThat(Files.size(seg)).as("garbage left past the segment's size").isGreaterThan(size);
            assertThatThrownBy(() -> log.append("t", b("x"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("cannot be cut off yet").hasMessageContaining("after byte " + size);
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a");
            assertThat(log.endOffset("t")).isZero();
            assertThat(log.append("s", b("b"))).isEqualTo(1);
            assertThat(log.append("t", b("x"))).isZero();
        }
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b");
        }
    }

    @Test
    void aNewSegmentFileThatCannotBeCreatedIsReportedAsFull() throws IOException {
        try (FileMessageLog log = open(SMALL)) {
            List<byte[]> sent = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                sent.add(new byte[200]);
                log.append("s", sent.get(i)); // 4 of 242 bytes fit a segment
            }
            assertThat(log.segmentCount()).isEqualTo(2);
            faults.failCreates = 1;
            for (int i = 6; i < 8; i++) {
                sent.add(new byte[200]);
                log.append("s", sent.get(i));
            }
            assertThatThrownBy(() -> log.append("s", new byte[200])).isInstanceOfSatisfying(LogFullException.class,
                    e -> assertThat(e.fileSystemFull()).isTrue());
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThat(log.append("s", new byte[200])).isEqualTo(8);
            assertThat(log.segmentCount()).isEqualTo(3);
            assertThat(log.read("s", 0, 100, 1 << 20).messages()).hasSize(9);
        }
    }

    @Test
    void aFailedFsyncIsFinalUntilTheLogIsReopened() throws IOException {
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            log.append("s", b("a"));
            faults.failForces = 1;
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class).hasMessage("No space left on device");
            assertThatThrownBy(() -> log.append("s", b("b"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("refuses appends since an fsync failed").hasMessageContaining("reopen");
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class)
                    .hasMessageContaining("an earlier fsync of this log failed");
            assertThat(strings(log.read("s", 0, 10, 100))).as("reads go on").containsExactly("a");
            assertThat(log.endOffset("s")).isEqualTo(1);
        }
        try (FileMessageLog log = open(FileLogConfig.DEFAULT)) {
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a");
            assertThat(log.append("s", b("b"))).isEqualTo(1);
            log.flush();
        }
    }

    /**
     * The fsync of a segment left at a roll runs on the log's sync thread, so the append that rolled has returned
     * (stored, not durable); the failure is final all the same: flushes and later appends report it, and the reopened
     * log holds what the segments hold, the rolled-to one confirmed by recovery.
     */
    @Test
    void aFailedFsyncAtASegmentRollIsFinalForTheOpenLog() throws IOException {
        try (FileMessageLog log = open(SMALL)) {
            for (int i = 0; i < 4; i++) {
                log.append("s", new byte[200]);
            }
            faults.failForces = 1;
            assertThat(log.append("s", new byte[200])).isEqualTo(4); // rolls; its fsync fails on the sync thread
            assertThat(log.segmentCount()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(30)).until(() -> log.groupCommit().failure() != null);
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class)
                    .hasMessageContaining("an earlier fsync of this log failed");
            assertThatThrownBy(() -> log.append("s", b("x"))).hasMessageContaining("fsync failed");
            assertThat(log.endOffset("s")).isEqualTo(5);
            assertThat(dir.resolve(Segment.pendingFileName(1))).as("never confirmed").exists();
        }
        try (FileMessageLog log = open(SMALL)) {
            assertThat(log.endOffset("s")).isEqualTo(5);
            assertThat(dir.resolve(Segment.fileName(1))).exists();
        }
    }

    /**
     * Random appends under random write failures (partial writes of any length, failed cuts): the log always holds
     * exactly the appends that returned, and so does the reopened log.
     */
    @Test
    void underRandomWriteFailuresTheLogHoldsExactlyTheAcknowledgedAppends() {
        Seeds.check("random write failures", 20, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path d = dir.resolve("seed" + seed);
            List<byte[]> acked = new ArrayList<>();
            try {
                try (FileMessageLog log = FileMessageLog.open(d, SMALL.withCacheBytes(rnd.nextInt(0, 4000)),
                        () -> 0L, GroupCommit.FORCE, faults.opener())) {
                    for (int i = 0; i < 80; i++) {
                        faults.partialShare = rnd.nextDouble();
                        faults.writeError = rnd.nextBoolean() ? FaultyChannel.noSpace() : FaultyChannel.ioError();
                        faults.failWrites = rnd.nextInt(5) == 0 ? 1 : 0;
                        faults.failTruncates = rnd.nextInt(10) == 0 ? rnd.nextInt(1, 3) : 0;
                        List<byte[]> batch = new ArrayList<>();
                        for (int k = rnd.nextInt(1, 4); k > 0; k--) {
                            batch.add(Seeds.message(rnd, rnd.nextInt(0, 150)));
                        }
                        try {
                            assertThat(log.append("s", batch)).isEqualTo(acked.size());
                            acked.addAll(batch);
                        } catch (IOException e) {
                            assertThat(log.endOffset("s")).isEqualTo(acked.size());
                        }
                        faults.failWrites = 0;
                        faults.failTruncates = 0;
                        assertThat(log.read("s", 0, 1000, 1 << 20).messages()).containsExactlyElementsOf(acked);
                    }
                }
                try (FileMessageLog log = FileMessageLog.open(d, SMALL)) {
                    assertThat(log.read("s", 0, 1000, 1 << 20).messages()).containsExactlyElementsOf(acked);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
