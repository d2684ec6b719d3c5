package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Durability is structural (power loss cannot be tested here): flush fsyncs what was appended, concurrent flushers
 * share an fsync, and a segment is fsynced before the log moves past it.
 */
class FileMessageLogDurabilityTest {
    @TempDir
    Path dir;

    /** Counts fsyncs and the channels they were for; can hold the first one until released. */
    static final class CountingFsync implements GroupCommit.Fsync {
        final AtomicInteger calls = new AtomicInteger();
        final List<FileChannel> channels = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final CountDownLatch entered = new CountDownLatch(1);
        volatile CountDownLatch hold;

        @Override
        public void force(FileChannel channel) throws IOException {
            calls.incrementAndGet();
            channels.add(channel);
            threads.add(Thread.currentThread());
            entered.countDown();
            CountDownLatch h = hold;
            if (h != null) {
                try {
                    if (!h.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("test hold never released");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            channel.force(false);
        }
    }

    @Test
    void flushFsyncsOnlyWhenSomethingWasAppended() throws IOException {
        CountingFsync fsync = new CountingFsync();
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT, () -> 0L, fsync)) {
            log.flush();
            assertThat(fsync.calls).hasValue(0);
            log.append("s", CodecBytes.of("a"));
            log.flush();
            assertThat(fsync.calls).hasValue(1);
            log.flush();
            assertThat(fsync.calls).hasValue(1);
            log.append("s", CodecBytes.of("b"));
            log.append("t", CodecBytes.of("c"));
            log.flush();
            assertThat(fsync.calls).hasValue(2);
            assertThat(log.fsyncCount()).isEqualTo(2);
            assertThat(log.fsyncLatencyNanos().getTotalCount()).as("each fsync timed").isEqualTo(2);
        }
    }

    @Test
    void concurrentFlushersShareOneFsync() throws Exception {
        CountingFsync fsync = new CountingFsync();
        fsync.hold = new CountDownLatch(1);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT, () -> 0L, fsync)) {
            log.append("s", CodecBytes.of("a"));
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Thread> flushers = new ArrayList<>();
            Runnable flush = () -> {
                try {
                    log.flush();
                } catch (Throwable t) {
                    errors.add(t);
                }
            };
            Thread leader = new Thread(flush);
            leader.start();
            assertThat(fsync.entered.await(30, TimeUnit.SECONDS)).isTrue(); // the leader is inside its fsync
            int followers = 7;
            for (int i = 0; i < followers; i++) {
                log.append("s" + i, CodecBytes.of("x")); // appended while the fsync runs: needs one more
                Thread t = new Thread(flush);
                flushers.add(t);
                t.start();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> log.groupCommit().waiting() == followers);
            fsync.hold.countDown();
            leader.join();
            for (Thread t : flushers) {
                t.join();
            }
            assertThat(errors).isEmpty();
            // the leader's fsync, then one shared by all seven followers
            assertThat(fsync.calls).hasValue(2);
            log.flush();
            assertThat(fsync.calls).hasValue(2);
        }
    }

    @Test
    void flushersArrivingDuringAnFsyncOfTheirDataShareIt() throws Exception {
        CountingFsync fsync = new CountingFsync();
        fsync.hold = new CountDownLatch(1);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT, () -> 0L, fsync)) {
            for (int i = 0; i < 8; i++) {
                log.append("s" + i, CodecBytes.of("x"));
            }
            List<Thread> flushers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Thread t = new Thread(() -> {
                    try {
                        log.flush();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                flushers.add(t);
                t.start();
            }
            assertThat(fsync.entered.await(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> log.groupCommit().waiting() == 7);
            fsync.hold.countDown();
            for (Thread t : flushers) {
                t.join();
            }
            assertThat(fsync.calls).as("8 flushers, nothing appended after they arrived").hasValue(1);
        }
    }

    @Test
    void segmentsRollAtTheirSizeAreFsyncedWhenLeftAndReadAcross() throws IOException {
        CountingFsync fsync = new CountingFsync();
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1024).withCompressMinBytes(Integer.MAX_VALUE);
        List<byte[]> model = new ArrayList<>();
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> 0L, fsync)) {
            for (int i = 0; i < 100; i++) {
                byte[] m = CodecBytes.of(String.format("message %03d %s", i, "-".repeat(40)));
                model.add(m);
                log.append(i % 2 == 0 ? "even" : "odd", m);
            }
            // 100 batches of 37 + 4 + 4 + 52 = 97 (even) or 96 (odd) bytes: 10 per 1 KiB segment
            assertThat(log.segmentCount()).isEqualTo(10);
            // the sync thread fsyncs each segment left, then gives its successor the plain name
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.groupCommit().rollsPending());
            assertThat(fsync.calls).as("one fsync per segment left").hasValue(9);
            assertThat(fsync.channels).doesNotHaveDuplicates();
            assertThat(dir.resolve(Segment.fileName(9))).exists();
            List<byte[]> even = log.read("even", 0, 1000, 1 << 20).messages();
            assertThat(even).hasSize(50);
            for (int i = 0; i < 50; i++) {
                assertThat(even.get(i)).isEqualTo(model.get(2 * i));
            }
            log.flush();
            assertThat(fsync.calls).hasValue(10);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, config)) {
            assertThat(log.recovery().segments()).isEqualTo(10);
            List<byte[]> odd = log.read("odd", 20, 1000, 1 << 20).messages();
            assertThat(odd).hasSize(30);
            assertThat(odd.get(29)).isEqualTo(model.get(99));
            assertThat(log.append("odd", CodecBytes.of("more"))).isEqualTo(50);
            assertThat(log.segmentCount()).as("the last segment still had room").isEqualTo(10);
        }
    }

    /**
     * The fsync of a segment the log rolls away from runs on the log's sync thread: while it hangs (a slow disk),
     * appends -- what a memory ack waits for -- go on into the new segment, and a flush -- what a disk ack waits
     * for -- waits for it, then covers the new segment too.
     */
    @Test
    void aRollsFsyncDelaysFlushesButNotAppends() throws Exception {
        CountingFsync fsync = new CountingFsync();
        fsync.hold = new CountDownLatch(1);
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1024).withCompressMinBytes(Integer.MAX_VALUE);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> 0L, fsync)) {
            byte[] m = CodecBytes.of("-".repeat(52));
            for (int i = 0; i < 11; i++) { // 37 + 1 + 4 + 52 = 94 bytes each: the 11th rolls to segment 1
                log.append("s", m);
            }
            assertThat(log.segmentCount()).isEqualTo(2);
            assertThat(fsync.entered.await(30, TimeUnit.SECONDS)).as("the sync thread is in the roll's fsync").isTrue();
            Thread syncThread = fsync.threads.get(0);
            assertThat(syncThread).isNotSameAs(Thread.currentThread());
            assertThat(syncThread.getName()).startsWith("scalesmall-log-sync");
            assertThat(dir.resolve(Segment.pendingFileName(1))).exists();
            assertThat(dir.resolve(Segment.fileName(1))).doesNotExist();

            // Appends while the fsync hangs: each returns (this thread never waits for the hold), and three more
            // rolls queue behind the first (segments 2, 3, 4 start pending too).
            for (int i = 0; i < 30; i++) {
                assertThat(log.append("s", m)).isEqualTo(11 + i);
            }
            assertThat(log.read("s", 40, 1, 1 << 20).messages()).hasSize(1);

            CompletableFuture<Void> flushed = CompletableFuture.runAsync(() -> {
                try {
                    log.flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> log.groupCommit().waiting() == 1);
            assertThat(flushed).as("a flush waits for the roll's fsync").isNotDone();
            assertThat(log.groupCommit().durableBytes()).isZero();

            fsync.hold.countDown();
            flushed.get(30, TimeUnit.SECONDS);
            assertThat(log.segmentCount()).isEqualTo(5);
            assertThat(log.groupCommit().durableBytes()).isEqualTo(41L * (37 + 1 + 4 + 52));
            // every segment fsynced once: the four left (in order, before their successors were confirmed) and the
            // active one
            assertThat(fsync.calls).hasValue(5);
            assertThat(fsync.channels).doesNotHaveDuplicates();
            for (int n = 1; n <= 4; n++) {
                assertThat(dir.resolve(Segment.pendingFileName(n))).doesNotExist();
                assertThat(dir.resolve(Segment.fileName(n))).exists();
            }
        }
    }

    @Test
    void compressibleBatchesAreStoredSmallerAndReadBack() throws IOException {
        byte[] text = CodecBytes.of("the same line of text, again and again. ".repeat(25));
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            log.append("s", List.of(text, text, text, text));
            log.flush(); // in the file (write-behind)
            assertThat(java.nio.file.Files.size(dir.resolve(Segment.fileName(0)))).isLessThan(text.length);
            assertThat(log.read("s", 3, 1, 1).messages().get(0)).isEqualTo(text);
        }
    }
}
