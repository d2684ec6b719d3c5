package io.scalesmall.cli.bench;

import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.client.SendCallback;
import io.scalesmall.stream.client.StreamProducer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * One producer's completions in a bench run, in two phases, {@link #WARMUP} and {@link #MEASURED}: acknowledgements
 * with their latency (into an HdrHistogram per phase), failures, the time of the last one. Fed by
 * {@link SendCallback}s, one small object per message ({@link #callback}).
 *
 * <p><b>The hot path takes no lock.</b> It runs on the client's I/O thread for every message of every ack; with a
 * lock, a volatile store and the histogram per message it took 87 % of that thread's samples at 2.4M msgs/s (JFR,
 * 1 ms sampling), on the path every ack waits for. A producer's acks all arrive on its connection's event loop, so
 * the first thread to report a success owns the main histograms and counters and writes them without a lock; a
 * success on any other thread, and every failure (a refused send fails on the sender's thread, a close on the
 * closer's), goes to second histograms and counters under this object's lock. One atomic counts every completion:
 * its increments order the owner's plain writes before the last completion's {@code onAllSettled}, so whoever waited
 * for that reads them all.
 *
 * <p><b>The phase is an index, not a branch.</b> Both phases go through the same code, each into its own slot of
 * arrays: when the warm-up ends, the compiled hot path meets no branch it never took and no object it never saw. With
 * a tally per phase, the switch deoptimized the ack path (the owner's first claim, a new histogram) and the client's
 * I/O thread ran interpreted for a while: a 21 ms latency spike at the start of every measured run at 3.1M msgs/s.
 *
 * <p>Threads: {@link #callback} and the callbacks from any thread; the getters are exact once {@code onAllSettled}
 * ran (read after it, e.g. behind a latch it counts down), and approximate before (a run that timed out).
 */
final class Tally {
    /** The phase of the warm-up messages, sent first and not measured. */
    static final int WARMUP = 0;
    /** The phase of the measured messages. */
    static final int MEASURED = 1;

    private final long expected;
    private final Runnable onAllSettled;
    private final AtomicLong settled = new AtomicLong();
    private final AtomicReference<Thread> owner = new AtomicReference<>();
    // Per phase; written by the owner thread only:
    private final Histogram[] latency = {BenchRun.newHistogram(), BenchRun.newHistogram()};
    private final long[] acked = new long[2];
    private final long[] lastNanos = new long[2];
    // Per phase; guarded by this:
    private final Histogram[] otherLatency = {BenchRun.newHistogram(), BenchRun.newHistogram()};
    private final long[] otherAcked = new long[2];
    private final long[] failed = new long[2];
    private final long[] otherLastNanos = new long[2];
    private String firstError;
    private volatile long ownerSliceNanos = -2;

    /**
     * @param expected     messages this producer sends, both phases together
     * @param onAllSettled run once, when the last one settles
     */
    Tally(long expected, Runnable onAllSettled) {
        this.expected = expected;
        this.onAllSettled = onAllSettled;
    }

    /**
     * The callback of a message of {@code phase} ({@link #WARMUP} or {@link #MEASURED}) whose latency counts from
     * {@code fromNanos} (System.nanoTime()).
     */
    SendCallback callback(long fromNanos, int phase) {
        return (offset, error) -> settle(fromNanos, phase, error);
    }

    private void settle(long fromNanos, int phase, Throwable error) {
        // Once per ACK, not per message: a clock read per message was the client loop's largest cost at 3.1M msgs/s
        // (perf: __vdso_clock_gettime, 7.5 % of the process's samples).
        long now = StreamProducer.completionNanos();
        Thread t = Thread.currentThread();
        Thread o = owner.get();
        if (error == null && (o == t || o == null && claim(t))) {
            record(latency[phase], now - fromNanos);
            acked[phase]++;
            lastNanos[phase] = Math.max(lastNanos[phase], now);
        } else {
            synchronized (this) {
                if (error == null) {
                    record(otherLatency[phase], now - fromNanos);
                    otherAcked[phase]++;
                } else {
                    failed[phase]++;
                    if (firstError == null) {
                        firstError = String.valueOf(error.getMessage());
                    }
                }
                otherLastNanos[phase] = Math.max(otherLastNanos[phase], now);
            }
        }
        if (settled.incrementAndGet() == expected) {
            onAllSettled.run();
        }
    }

    /** Makes {@code t} the owner if none is yet; the owner, a client I/O thread, notes its scheduler slice. */
    private boolean claim(Thread t) {
        if (owner.compareAndSet(null, t)) {
            ownerSliceNanos = ThreadSlice.current();
            return true;
        }
        return false;
    }

    /**
     * The scheduler slice of the thread that completed this producer's first acknowledged message, a client I/O
     * thread ({@link ThreadSlice#current}: ns, -1 where slices are not supported); -2 before any was acknowledged.
     */
    long ownerSliceNanos() {
        return ownerSliceNanos;
    }

    private static void record(Histogram h, long nanos) {
        h.recordValue(Math.min(h.getHighestTrackableValue(), Math.max(0, nanos)));
    }

    /** Messages settled (acked or failed) so far, both phases; any thread. */
    long settled() {
        return settled.get();
    }

    synchronized long acked(int phase) {
        return acked[phase] + otherAcked[phase];
    }

    synchronized long failed(int phase) {
        return failed[phase];
    }

    /** The first failure's message, of either phase; null if none. */
    synchronized String firstError() {
        return firstError;
    }

    /** When the last message of {@code phase} settled (System.nanoTime()), or 0 if none did. */
    synchronized long lastNanos(int phase) {
        return Math.max(lastNanos[phase], otherLastNanos[phase]);
    }

    /** Adds the latencies of {@code phase} to {@code into}. */
    synchronized void addLatencies(int phase, Histogram into) {
        into.add(latency[phase]);
        into.add(otherLatency[phase]);
    }
}
