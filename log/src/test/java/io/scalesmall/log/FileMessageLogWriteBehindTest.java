package io.scalesmall.log;

import static io.scalesmall.log.MessageLogContract.b;
import static io.scalesmall.log.MessageLogContract.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Write-behind ({@link FileLogConfig#writeBehindBytes()}, {@link SegmentWriter}): fsyncs cover only what the writer
 * wrote, a failed background write fails the flush and fences the log, records larger than the ring and records that
 * wrap it come back intact, and a copy of a running log (what a {@code kill -9} leaves) holds everything flushed.
 * The whole {@link MessageLog} contract runs with it in {@link FileMessageLogWriteBehindContractTest}.
 */
class FileMessageLogWriteBehindTest {
    @TempDir
    Path dir;
    private final FaultyChannel.Faults faults = new FaultyChannel.Faults();

    private static final FileLogConfig BEHIND = FileLogConfig.DEFAULT
            .withWriteBehindBytes(FileLogConfig.MIN_WRITE_BEHIND_BYTES).withCompressMinBytes(Integer.MAX_VALUE);

    /** A log's view for the group commit alone: its marks from suppliers, its wait from {@code await}; no channel. */
    private record StubLog(LongSupplier appended, LongSupplier written, GroupCommit.Written await)
            implements GroupCommit.Log {
        @Override
        public long appendedBytes() {
            return appended.getAsLong();
        }

        @Override
        public FileChannel activeChannel() {
            return null;
        }

        @Override
        public long writtenBytes() {
            return written.getAsLong();
        }

        @Override
        public void awaitWritten(long mark) throws IOException {
            await.await(mark);
        }
    }

    @Test
    void aFlushWaitsForTheWriterBeforeItsFsyncAndCoversOnlyWhatWasWritten() throws IOException {
        AtomicInteger forces = new AtomicInteger();
        GroupCommit commit = new GroupCommit(channel -> forces.incrementAndGet());
        AtomicLong written = new AtomicLong(40);
        AtomicLong appended = new AtomicLong(100);
        List<String> seen = new ArrayList<>();
        commit.flush(new StubLog(appended::get, written::get, mark -> {
            seen.add("await " + mark + " after " + forces.get() + " fsyncs");
            written.set(mark);
            appended.set(150); // appended meanwhile, not written yet
        }));
        assertThat(seen).containsExactly("await 100 after 0 fsyncs");
        assertThat(forces.get()).isOne();
        assertThat(commit.durableBytes()).as("what was written, not all that was appended").isEqualTo(100);
    }

    @Test
    void aFlushWhoseBytesWillNeverBeWrittenFailsWithoutAnFsync() {
        AtomicInteger forces = new AtomicInteger();
        GroupCommit commit = new GroupCommit(channel -> forces.incrementAndGet());
        assertThatThrownBy(() -> commit.flush(new StubLog(() -> 100, () -> 0, mark -> {
            throw new IOException("write-behind failed");
        }))).hasMessage("write-behind failed");
        assertThat(forces.get()).isZero();
        assertThat(commit.durableBytes()).isZero();
    }

    @Test
    void aFailedBackgroundWriteOtherThanAFullDiskFailsTheFlushFencesTheLogAndRecoveryCutsItsTornTail() throws IOException {
        try (FileMessageLog log = FileMessageLog.open(dir, BEHIND, () -> 0L, GroupCommit.FORCE, faults.opener())) {
            log.append("s", List.of(b("a"), b("b")));
            log.flush();
            faults.writeError = FaultyChannel.ioError();
            faults.partialShare = 0.5;
            faults.failWrites = 1;
            assertThat(log.append("s", b("c"))).as("placed; the writer fails later").isEqualTo(2);
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class)
                    .hasMessageContaining("write-behind write of this log failed")
                    .hasMessageContaining("Input/output error");
            assertThatThrownBy(() -> log.append("s", b("d"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("refuses appends since a write-behind write failed");
            assertThatThrownBy(() -> log.append("t", b("x"))).isInstanceOf(IOException.class);
            assertThat(strings(log.read("s", 0, 2, 100))).as("reads go on").containsExactly("a", "b");
        }
        try (FileMessageLog log = FileMessageLog.open(dir, BEHIND)) {
            assertThat(log.recovery().truncatedBytes()).as("half of c's record").isPositive();
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b");
            assertThat(log.append("s", b("c"))).isEqualTo(2);
            log.flush();
        }
        try (FileMessageLog log = FileMessageLog.open(dir, BEHIND)) {
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b", "c");
        }
    }

    /**
     * A log holding "a" (flushed) and "b" (placed at offset 1), whose disk is full from "b" on (every write fails with
     * ENOSPC after storing half its bytes, until the test sets {@code faults.failWrites} to 0): returned once the
     * writer met it (appends are refused as full).
     */
    private FileMessageLog openAndFillTheDisk() throws IOException {
        FileMessageLog log = FileMessageLog.open(dir, BEHIND, () -> 0L, GroupCommit.FORCE, faults.opener());
        log.append("s", b("a"));
        log.flush();
        faults.failWrites = Integer.MAX_VALUE;
        assertThat(log.append("s", b("b"))).as("placed; the writer meets the full disk").isEqualTo(1);
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(1)).untilAsserted(() ->
                assertThatThrownBy(() -> log.append("s", b("x"))).isInstanceOf(LogFullException.class));
        return log;
    }

    @Test
    void aFullDiskPausesTheWriterAndRefusesAppendsAsFullUntilThereIsRoomAndNothingIsLost() throws IOException {
        try (FileMessageLog log = openAndFillTheDisk()) {
            assertThatThrownBy(() -> log.append("s", b("x"))).isInstanceOf(LogFullException.class)
                    .hasMessageContaining("no space left");
            assertThatThrownBy(log::flush).isInstanceOf(IOException.class).hasMessageContaining("the disk is full");
            assertThat(strings(log.read("s", 0, 2, 100))).as("reads go on").containsExactly("a", "b");
            faults.failWrites = 0; // room again
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(log.append("s", b("c"))).isEqualTo(2));
            log.flush();
        }
        try (FileMessageLog log = FileMessageLog.open(dir, BEHIND)) {
            assertThat(log.recovery().truncatedBytes()).as("each partial write was cut back").isZero();
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void aCloseWhileTheDiskIsFullGivesUpOnlyWhatWasNotWritten() throws IOException {
        try (FileMessageLog log = openAndFillTheDisk()) {
            assertThatThrownBy(log::flush).hasMessageContaining("the disk is full");
        } // returns: the writer gives up b, as a crash would lose it (only memory could have acknowledged it)
        faults.failWrites = 0;
        try (FileMessageLog log = FileMessageLog.open(dir, BEHIND)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a");
            assertThat(log.append("s", b("b"))).isEqualTo(1);
        }
    }

    /** Batches from a few bytes to more than the ring (written by the appender itself), wrapping the ring often. */
    @Test
    void recordsOfEverySizeAroundTheRingComeBackAfterReopen() {
        Seeds.check("write-behind ring sizes", 5, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path d = dir.resolve("sizes-" + seed);
            FileLogConfig config = BEHIND.withSegmentBytes(4 << 20).withCacheBytes(0);
            List<byte[]> sent = new ArrayList<>();
            try (FileMessageLog log = FileMessageLog.open(d, config)) {
                for (int i = 0; i < 40; i++) {
                    int size = switch (rnd.nextInt(4)) {
                        case 0 -> rnd.nextInt(1, 100);
                        case 1 -> rnd.nextInt(100_000, 400_000);
                        case 2 -> rnd.nextInt(500_000, MessageLog.MAX_MESSAGE_BYTES + 1);
                        default -> MessageLog.MAX_MESSAGE_BYTES;
                    };
                    byte[] m = Seeds.message(rnd, size);
                    assertThat(log.append("s", List.of(m))).isEqualTo(sent.size());
                    sent.add(m);
                    if (rnd.nextInt(8) == 0) {
                        int at = rnd.nextInt(sent.size());
                        assertThat(log.read("s", at, 1, Integer.MAX_VALUE).messages().get(0))
                                .as("read of offset %d from the file, no cache", at).isEqualTo(sent.get(at));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try (FileMessageLog log = FileMessageLog.open(d, config)) {
                assertThat(log.recovery().truncatedBytes()).isZero();
                assertThat(log.read("s", 0, Integer.MAX_VALUE, Integer.MAX_VALUE).messages())
                        .containsExactlyElementsOf(sent);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    /**
     * What a {@code kill -9} leaves, taken while the writer still writes: copies of the directory, newest segment
     * first (so that the copy is a state the files were in at one moment: the writer finishes a segment before it
     * writes the next), taken right after appends that no flush covered. Each opens to everything the last flush
     * covered, and to a prefix of each stream's later appends.
     */
    @Test
    void aCopyOfARunningLogHoldsEverythingFlushedAndAPrefixOfTheRest() {
        Seeds.check("copy of a running log with write-behind", 10, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path live = dir.resolve("live-" + seed);
            FileLogConfig config = BEHIND.withSegmentBytes(64 << 10);
            try (FileMessageLog log = FileMessageLog.open(live, config)) {
                List<List<byte[]>> sent = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
                for (int copy = 0; copy < 3; copy++) {
                    int[] flushed = new int[3];
                    for (int round = 0; round < 2; round++) {
                        for (int i = rnd.nextInt(5, 80); i > 0; i--) {
                            int s = rnd.nextInt(3);
                            byte[] m = Seeds.message(rnd, rnd.nextInt(1, 9000));
                            assertThat(log.append("s" + s, List.of(m))).isEqualTo(sent.get(s).size());
                            sent.get(s).add(m);
                        }
                        if (round == 0) {
                            log.flush();
                            for (int s = 0; s < 3; s++) {
                                flushed[s] = sent.get(s).size();
                            }
                        }
                    }
                    Path crashed = dir.resolve("crashed-" + seed + "-" + copy);
                    RunningLogCopy.copy(live, crashed);
                    try (FileMessageLog reopened = FileMessageLog.open(crashed, config)) {
                        for (int s = 0; s < 3; s++) {
                            List<byte[]> got = reopened.read("s" + s, 0, Integer.MAX_VALUE, Integer.MAX_VALUE)
                                    .messages();
                            assertThat(got.size()).as("stream s%d after copy %d: all flushed", s, copy)
                                    .isGreaterThanOrEqualTo(flushed[s]);
                            assertThat(got).as("stream s%d after copy %d: a prefix", s, copy)
                                    .containsExactlyElementsOf(sent.get(s).subList(0, got.size()));
                        }
                        long end = reopened.endOffset("s0");
                        assertThat(reopened.append("s0", List.of(b("again")))).isEqualTo(end);
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
