package io.scalesmall.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.stream.client.SendCallback;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Completions from the owning I/O thread, from other threads, and failures, all counted once, in their phase. */
class TallyTest {
    @Test
    void successesOnAnyThreadAndFailuresAreCountedOnceAndTheEndIsSeenOnce() throws InterruptedException {
        int perThread = 20_000;
        int threads = 4;
        long expected = (long) perThread * threads + 3;
        AtomicInteger ends = new AtomicInteger();
        CountDownLatch done = new CountDownLatch(1);
        Tally tally = new Tally(expected, () -> {
            ends.incrementAndGet();
            done.countDown();
        });
        long start = System.nanoTime() - 5_000_000; // every latency at least 5 ms
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < threads; w++) {
            // Each thread completes its own messages; one of them becomes the owner, the others take the lock.
            List<SendCallback> mine = new ArrayList<>();
            for (int i = 0; i < perThread; i++) {
                mine.add(tally.callback(start, w % 2)); // threads 0 and 2 warm up, 1 and 3 measure
            }
            workers.add(new Thread(() -> mine.forEach(c -> c.onComplete(1, null))));
        }
        workers.forEach(Thread::start);
        tally.callback(start, Tally.MEASURED).onComplete(-1, new IllegalStateException("refused"));
        tally.callback(start, Tally.WARMUP).onComplete(-1, new IllegalStateException("second"));
        tally.callback(start, Tally.MEASURED).onComplete(7, null);
        for (Thread t : workers) {
            t.join();
        }
        assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(ends).hasValue(1);
        assertThat(tally.settled()).isEqualTo(expected);
        int half = 2 * perThread;
        assertThat(tally.acked(Tally.WARMUP)).isEqualTo(half);
        assertThat(tally.acked(Tally.MEASURED)).isEqualTo(half + 1);
        assertThat(tally.failed(Tally.WARMUP)).isEqualTo(1);
        assertThat(tally.failed(Tally.MEASURED)).isEqualTo(1);
        assertThat(tally.firstError()).isEqualTo("refused");
        assertThat(tally.lastNanos(Tally.MEASURED)).isGreaterThan(start);
        assertThat(tally.lastNanos(Tally.WARMUP)).isGreaterThan(start);
        for (int phase : new int[] {Tally.WARMUP, Tally.MEASURED}) {
            Histogram h = BenchRun.newHistogram();
            tally.addLatencies(phase, h);
            assertThat(h.getTotalCount()).as("one latency per success of phase " + phase)
                    .isEqualTo(tally.acked(phase));
            assertThat(h.getMinValue()).isGreaterThanOrEqualTo(4_990_000L);
        }
    }
}
