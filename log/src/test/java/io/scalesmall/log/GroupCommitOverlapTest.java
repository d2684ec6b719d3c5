package io.scalesmall.log;

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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Overlapping group commits ({@link FileLogConfig#concurrentFsyncs()}): a flush whose data came after the running
 * fsync began starts its own at once, through a descriptor of its own; a flush the running fsync covers waits for it;
 * never more fsyncs run than slots; a failure stays final.
 */
class GroupCommitOverlapTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    /** Holds every fsync until the test releases it by its call number; can fail a call. */
    static final class SteppedFsync implements GroupCommit.Fsync {
        final List<FileChannel> channels = new ArrayList<>();
        final List<CountDownLatch> releases = new ArrayList<>();
        final Set<Integer> failing = ConcurrentHashMap.newKeySet();

        @Override
        public void force(FileChannel channel) throws IOException {
            CountDownLatch release = new CountDownLatch(1);
            int call;
            synchronized (this) {
                call = channels.size();
                channels.add(channel);
                releases.add(release);
            }
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IOException("fsync " + call + " never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (failing.contains(call)) {
                throw new IOException("EIO on fsync " + call);
            }
            channel.force(false);
        }

        synchronized int calls() {
            return channels.size();
        }

        synchronized FileChannel channel(int call) {
            return channels.get(call);
        }

        void release(int call) {
            CountDownLatch l;
            synchronized (this) {
                l = releases.get(call);
            }
            l.countDown();
        }

        void awaitCalls(int n) {
            await().atMost(WAIT).until(() -> calls() >= n);
        }
    }

    private static CompletableFuture<Void> flushAsync(FileMessageLog log) {
        return CompletableFuture.runAsync(() -> {
            try {
                log.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private FileMessageLog open(SteppedFsync fsync, int slots) throws IOException {
        return FileMessageLog.open(dir, FileLogConfig.DEFAULT.withConcurrentFsyncs(slots), () -> 0L, fsync);
    }

    @Test
    void aFlushOfDataAppendedDuringAnFsyncStartsItsOwnAtOnceAndMayEndFirst() throws Exception {
        SteppedFsync fsync = new SteppedFsync();
        try (FileMessageLog log = open(fsync, 2)) {
            log.append("s", CodecBytes.of("a"));
            CompletableFuture<Void> first = flushAsync(log);
            fsync.awaitCalls(1);
            log.append("s", CodecBytes.of("b"));
            CompletableFuture<Void> second = flushAsync(log);
            fsync.awaitCalls(2); // while the first still runs
            assertThat(first).isNotDone();
            assertThat(fsync.channel(1)).as("a descriptor of its own").isNotSameAs(fsync.channel(0));
            assertThat(log.groupCommit().running()).isEqualTo(2);

            fsync.release(1);
            second.get(30, TimeUnit.SECONDS);
            assertThat(first).as("the first fsync still runs").isNotDone();
            assertThat(log.groupCommit().durableBytes()).as("both appends durable, one segment")
                    .isEqualTo(log.diskBytes());

            fsync.release(0);
            first.get(30, TimeUnit.SECONDS);
            assertThat(fsync.calls()).isEqualTo(2);
        }
    }

    @Test
    void withOneSlotTheSecondFlushWaitsForTheFirstFsyncToEnd() throws Exception {
        SteppedFsync fsync = new SteppedFsync();
        try (FileMessageLog log = open(fsync, 1)) {
            log.append("s", CodecBytes.of("a"));
            CompletableFuture<Void> first = flushAsync(log);
            fsync.awaitCalls(1);
            log.append("s", CodecBytes.of("b"));
            CompletableFuture<Void> second = flushAsync(log);
            await().atMost(WAIT).until(() -> log.groupCommit().waiting() == 1);
            assertThat(fsync.calls()).isEqualTo(1);
            fsync.release(0);
            first.get(30, TimeUnit.SECONDS);
            fsync.awaitCalls(2);
            assertThat(second).isNotDone();
            assertThat(fsync.channel(1)).as("one slot, one descriptor").isSameAs(fsync.channel(0));
            fsync.release(1);
            second.get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFlushTheRunningFsyncCoversWaitsForItAndFsyncsNothing() throws Exception {
        SteppedFsync fsync = new SteppedFsync();
        try (FileMessageLog log = open(fsync, 2)) {
            log.append("s", CodecBytes.of("a"));
            CompletableFuture<Void> first = flushAsync(log);
            fsync.awaitCalls(1);
            List<CompletableFuture<Void>> covered = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                covered.add(flushAsync(log)); // nothing appended since the fsync began
            }
            await().atMost(WAIT).until(() -> log.groupCommit().waiting() == 5);
            assertThat(fsync.calls()).isEqualTo(1);
            fsync.release(0);
            first.get(30, TimeUnit.SECONDS);
            for (CompletableFuture<Void> f : covered) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(fsync.calls()).isEqualTo(1);
        }
    }

    @Test
    void neverMoreFsyncsRunThanSlots() throws Exception {
        SteppedFsync fsync = new SteppedFsync();
        try (FileMessageLog log = open(fsync, 2)) {
            List<CompletableFuture<Void>> flushes = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                log.append("s", CodecBytes.of("m" + i));
                flushes.add(flushAsync(log));
                fsync.awaitCalls(i + 1);
            }
            log.append("s", CodecBytes.of("m2"));
            CompletableFuture<Void> third = flushAsync(log);
            await().atMost(WAIT).until(() -> log.groupCommit().waiting() == 1);
            assertThat(fsync.calls()).as("both slots busy").isEqualTo(2);

            fsync.release(0);
            flushes.get(0).get(30, TimeUnit.SECONDS);
            fsync.awaitCalls(3);
            assertThat(fsync.channel(2)).as("the freed slot's descriptor").isSameAs(fsync.channel(0));
            assertThat(log.groupCommit().running()).isEqualTo(2);
            fsync.release(1);
            fsync.release(2);
            flushes.get(1).get(30, TimeUnit.SECONDS);
            third.get(30, TimeUnit.SECONDS);
            assertThat(log.groupCommit().durableBytes()).isEqualTo(log.diskBytes());
        }
    }

    @Test
    void aFailedFsyncFailsItsFlushAndEveryLaterOneWhileTheOtherSlotsFsyncCounts() throws Exception {
        SteppedFsync fsync = new SteppedFsync();
        fsync.failing.add(0);
        try (FileMessageLog log = open(fsync, 2)) {
            log.append("s", CodecBytes.of("a"));
            CompletableFuture<Void> first = flushAsync(log);
            fsync.awaitCalls(1);
            log.append("s", CodecBytes.of("b"));
            CompletableFuture<Void> second = flushAsync(log);
            fsync.awaitCalls(2);

            fsync.release(0);
            assertThatThrownBy(() -> first.get(30, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                    .hasRootCauseMessage("EIO on fsync 0");
            // The second began before the failure, through its own descriptor, which reports every writeback error
            // since it was opened: its success is a real one.
            fsync.release(1);
            second.get(30, TimeUnit.SECONDS);

            assertThatThrownBy(() -> log.append("s", CodecBytes.of("c"))).isInstanceOf(IOException.class)
                    .hasMessageContaining("refuses appends since an fsync failed");
            assertThat(fsync.calls()).isEqualTo(2);
        }
    }
}
