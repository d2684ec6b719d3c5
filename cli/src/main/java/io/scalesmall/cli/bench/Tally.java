package io.scalesmall.cli.bench;

import io.scalesmall.stream.client.SendCallback;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * One producer's completions in a bench run: acknowledgements with their latency (into an HdrHistogram), failures,
 * the time of the last one. Fed by {@link SendCallback}s, one small object per message ({@link #callback}).
 *
 * <p><b>The hot path takes no lock.</b> It runs on the client's I/O thread for every message of every ack; with a
 * lock, a volatile store and the histogram per message it took 87 % of that thread's samples at 2.4M msgs/s (JFR,
 * 1 ms sampling), on the path every ack waits for. A producer's acks all arrive on its connection's event loop, so
 * the first thread to report a success owns the main histogram and counters and writes them without a lock; a success
 * on any other thread, and every failure (a refused send fails on the sender's thread, a close on the closer's), goes
 * to a second histogram and counters under this object's lock. One atomic counts every completion: its increments
 * order the owner's plain writes before the last completion's {@code onAllSettled}, so whoever waited for that reads
 * them all.
 *
 * <p>Threads: {@link #callback} and the callbacks from any thread; the getters are exact once {@code onAllSettled}
 * ran (read after it, e.g. behind a latch it counts down), and approximate before (a run that timed out).
 */
final class Tally {
    private final long expected;
    private final Runnable onAllSettled;
    private final AtomicLong settled = new AtomicLong();
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    // Written by the owner thread only:
    private final Histogram latency = BenchRun.newHistogram();
    private long acked;
    private long lastNanos;
    // Guarded by this:
    private final Histogram otherLatency = BenchRun.newHistogram();
    private long otherAcked;
    private long failed;
    private String firstError;
    private long otherLastNanos;

    /** @param expected messages this producer sends; @param onAllSettled run once, when the last one settles */
    Tally(long expected, Runnable onAllSettled) {
        this.expected = expected;
        this.onAllSettled = onAllSettled;
    }

    /** The callback of a message whose latency counts from {@code fromNanos} (System.nanoTime()). */
    SendCallback callback(long fromNanos) {
        return (offset, error) -> settle(fromNanos, error);
    }

    private void settle(long fromNanos, Throwable error) {
        long now = System.nanoTime();
        Thread t = Thread.currentThread();
        Thread o = owner.get();
        if (error == null && (o == t || o == null && owner.compareAndSet(null, t))) {
            record(latency, now - fromNanos);
            acked++;
            lastNanos = Math.max(lastNanos, now);
        } else {
            synchronized (this) {
                if (error == null) {
                    record(otherLatency, now - fromNanos);
                    otherAcked++;
                } else {
                    failed++;
                    if (firstError == null) {
                        firstError = String.valueOf(error.getMessage());
                    }
                }
                otherLastNanos = Math.max(otherLastNanos, now);
            }
        }
        if (settled.incrementAndGet() == expected) {
            onAllSettled.run();
        }
    }

    private static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(0, nanos)));
    }

    /** Messages settled (acked or failed) so far; any thread. */
    long settled() {
        return settled.get();
    }

    synchronized long acked() {
        return acked + otherAcked;
    }

    synchronized long failed() {
        return failed;
    }

    synchronized String firstError() {
        return firstError;
    }

    synchronized long lastNanos() {
        return Math.max(lastNanos, otherLastNanos);
    }

    /** Adds this producer's latencies to {@code into}. */
    synchronized void addLatencies(Histogram into) {
        into.add(latency);
        into.add(otherLatency);
    }
}
