package io.scalesmall.cli.bench;

import io.scalesmall.stream.client.SendCallback;
import org.HdrHistogram.Histogram;

/**
 * One producer's completions in a bench run: acknowledgements with their latency (into an HdrHistogram), failures,
 * the time of the last one. Fed by {@link SendCallback}s, one small object per message ({@link #callback}); one
 * uncontended lock per completion instead of a handful of shared atomics (the ack path of one producer runs on one
 * I/O thread). Thread-safe.
 */
final class Tally {
    private final Histogram latency = BenchRun.newHistogram();
    private final long expected;
    private final Runnable onAllSettled;
    // Guarded by this:
    private long acked;
    private long failed;
    private String firstError;
    private long lastNanos;
    /** Messages settled (acked or failed), for the progress bar; written under the lock. */
    private volatile long settled;

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
        boolean last;
        synchronized (this) {
            if (error == null) {
                latency.recordValue(Math.min(latency.getHighestTrackableValue(), Math.max(0, now - fromNanos)));
                acked++;
            } else {
                failed++;
                if (firstError == null) {
                    firstError = String.valueOf(error.getMessage());
                }
            }
            lastNanos = Math.max(lastNanos, now);
            long s = settled + 1;
            settled = s;
            last = s == expected;
        }
        if (last) {
            onAllSettled.run();
        }
    }

    long settled() {
        return settled;
    }

    synchronized long acked() {
        return acked;
    }

    synchronized long failed() {
        return failed;
    }

    synchronized String firstError() {
        return firstError;
    }

    synchronized long lastNanos() {
        return lastNanos;
    }

    /** Adds this producer's latencies to {@code into}. */
    synchronized void addLatencies(Histogram into) {
        into.add(latency);
    }
}
