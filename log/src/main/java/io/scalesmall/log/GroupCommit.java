package io.scalesmall.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Group commit without a thread of its own. Progress is counted in <em>appended bytes</em> (since open, over all
 * segments). A flusher notes how far the log was appended when it arrived; if an fsync already running covers that
 * mark it waits for that fsync, otherwise it starts one of its own for everything appended so far. So N concurrent
 * flushers cost about one fsync per arrival wave, not N.
 *
 * <p><b>Overlapping fsyncs.</b> Up to {@link FileLogConfig#concurrentFsyncs()} fsyncs run at once, each in a
 * <em>slot</em> with a file descriptor of its own ({@link SyncChannels}). A flusher whose data came after the running
 * fsync began does not wait for it to end before starting its own: its wait is one fsync, not up to two (the one
 * running, then its own), which is what a disk ack's latency is made of. An fsync makes durable everything written
 * before it began, whatever ran beside it, so the durable mark moves to the largest mark a finished fsync covered.
 * With one slot, fsyncs run one at a time, as in the classic design.
 *
 * <p><b>Rolls.</b> The appender never fsyncs: when it leaves a segment it starts the next one under its pending name
 * ({@link Segment#PENDING_SUFFIX}) and queues the roll here ({@link #rolled}). Whoever next holds the roll lock -- the
 * log's {@link LogSyncer} thread, woken at once, or a flusher -- completes queued rolls in order
 * ({@link #completeRolls}): fsync the segment left, rename its successor to the plain name, fsync the directory. A
 * flush completes every roll queued before it read the active segment, then fsyncs that one: so the durable mark
 * never passes a byte whose segment, or any earlier one, is not durable, and a roll's fsync runs on the syncer or a
 * flusher, never on an appender's thread.
 *
 * <p><b>A failed fsync is final.</b> After an fsync fails, the kernel may have dropped the dirty pages it could not
 * write and marked them clean, so a later fsync can succeed without making them durable (PostgreSQL's "fsyncgate",
 * 2018). The first failure is therefore remembered ({@link #failure()}): every later flush or roll fails with an
 * IOException naming it, and the log refuses appends until it is reopened and recovery has checked every batch.
 *
 * <p>Thread-safe: any number of threads flush at once.
 */
final class GroupCommit {
    /** How a channel is made durable; tests count or hold calls. */
    interface Fsync {
        void force(FileChannel channel) throws IOException;
    }

    /** fdatasync: the data, and the file size needed to read it back; not the modification time. */
    static final Fsync FORCE = channel -> channel.force(false);

    /** {@link #running}'s value for a free slot. */
    private static final long FREE = -1;

    private final Fsync fsync;
    /** Reads time for {@link #fsyncNanos}, ns as {@link System#nanoTime}. */
    private final LongSupplier nanoClock;
    /**
     * How long each fsync took, ns: 1 µs to a minute, 2 significant digits (1 %), so that a copy (a scrape of the
     * node's metrics) is some 22 KB and holds the lock the fsyncing thread records under only briefly.
     */
    private final SynchronizedHistogram fsyncNanos = new SynchronizedHistogram(1_000, TimeUnit.MINUTES.toNanos(1), 2);
    /**
     * Per slot: {@link #FREE}, or the appended-bytes mark the fsync running in it will make durable (0 for a slot
     * that only completes rolls). Guarded by itself; waited on by flushers.
     */
    private final long[] running;
    /** Held while rolls are completed, so that they complete once each and in order. */
    private final ReentrantLock rollLock = new ReentrantLock();
    /** Rolls whose fsync is still to do, oldest first. */
    private final ConcurrentLinkedQueue<Roll> rolls = new ConcurrentLinkedQueue<>();
    /** Appended bytes known durable; only grows. */
    private final AtomicLong durable = new AtomicLong();
    /** The first fsync failure; null while none failed. */
    private volatile IOException failed;
    /** fsync calls made, for metrics and tests. */
    private final AtomicLong fsyncs = new AtomicLong();
    /** Flushers that arrived and have not begun an fsync of their own nor returned (tests). */
    private final AtomicInteger waiting = new AtomicInteger();
    /** Segments left by a roll whose fsync completed, oldest first, until {@link #takeSynced} takes them. */
    private final ConcurrentLinkedQueue<Segment> synced = new ConcurrentLinkedQueue<>();

    /** @param slots how many fsyncs may run at once, at least 1 ({@link FileLogConfig#concurrentFsyncs()}) */
    GroupCommit(Fsync fsync, int slots) {
        this(fsync, slots, System::nanoTime);
    }

    /** As above, timing fsyncs with {@code nanoClock} (tests step it). */
    GroupCommit(Fsync fsync, int slots, LongSupplier nanoClock) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots must be >= 1, got " + slots);
        }
        this.fsync = fsync;
        this.nanoClock = nanoClock;
        this.running = new long[slots];
        Arrays.fill(running, FREE);
    }

    /** How many fsyncs may run at once; each segment that takes appends opens this many channels. */
    int slots() {
        return running.length;
    }

    /** The log's view: how many bytes were appended, and which segment takes appends now. */
    interface Log {
        long appendedBytes();

        Segment activeSegment();
    }

    /**
     * A segment the appender left: {@code left} is complete, {@code next} was created under its pending name, and
     * {@code appendedBytes} were appended, all to {@code left} or earlier segments, when it was left.
     */
    record Roll(Path dir, Segment left, Segment next, long appendedBytes) {
    }

    /**
     * Returns once everything the log had appended on entry is durable. Waits without giving up on an interrupt
     * (the thread's interrupt status is kept).
     *
     * @throws IOException if the fsync this flush waited for or ran failed, or an earlier one did
     */
    void flush(Log log) throws IOException {
        long target = log.appendedBytes();
        if (durable.get() >= target) {
            return;
        }
        waiting.incrementAndGet();
        boolean counted = true;
        try {
            int slot;
            long covering;
            Segment active;
            synchronized (running) {
                slot = awaitSlot(target);
                if (slot < 0) {
                    return; // an fsync we waited for covered us
                }
                // Read the mark, then the segment, then (below) the rolls: every byte counted is in that segment or
                // an earlier one, and the appender queued every roll up to it before it made it active.
                covering = log.appendedBytes();
                active = log.activeSegment();
                running[slot] = covering;
            }
            try {
                completeRolls(slot);
                waiting.decrementAndGet();
                counted = false;
                forceSegment(slot, active);
                durable.accumulateAndGet(covering, Math::max);
            } finally {
                free(slot);
            }
        } finally {
            if (counted) {
                waiting.decrementAndGet();
            }
        }
    }

    /**
     * Under the monitor: waits until {@code target} is durable (returns -1) or no running fsync covers it and a slot
     * is free (returns the slot, still marked free).
     */
    private int awaitSlot(long target) throws IOException {
        boolean interrupted = false;
        try {
            while (true) {
                if (durable.get() >= target) {
                    return -1;
                }
                IOException earlier = failed;
                if (earlier != null) {
                    throw afterFailure(earlier);
                }
                boolean covered = false;
                int free = -1;
                for (int i = 0; i < running.length; i++) {
                    covered |= running[i] >= target;
                    free = free < 0 && running[i] == FREE ? i : free;
                }
                if (!covered && free >= 0) {
                    return free;
                }
                try {
                    running.wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void free(int slot) {
        synchronized (running) {
            running[slot] = FREE;
            running.notifyAll();
        }
    }

    /** Fsyncs a segment through the slot's channel; nothing if its roll completed meanwhile. */
    private void forceSegment(int slot, Segment segment) throws IOException {
        FileChannel channel = segment.sync.acquire(slot);
        if (channel == null) {
            return; // rolled and durable as a whole: every byte counted is in it or an earlier segment
        }
        try {
            force(channel);
        } finally {
            segment.sync.release();
        }
    }

    /**
     * Called by the appender (under the log's lock) when it leaves a segment: queues its fsync, does none. The
     * caller then makes {@code roll.next()} active and wakes the {@link LogSyncer}.
     */
    void rolled(Roll roll) {
        rolls.add(roll);
    }

    /** Whether rolls wait for their fsync. */
    boolean rollsPending() {
        return !rolls.isEmpty();
    }

    /**
     * Completes the queued rolls (the {@link LogSyncer}'s work, and the closing log's); see the class comment. Waits
     * for a free slot first, without giving up on an interrupt.
     *
     * @throws IOException if a roll's fsync, rename or an earlier fsync failed
     */
    void syncRolls() throws IOException {
        if (rolls.isEmpty()) {
            return;
        }
        int slot;
        synchronized (running) {
            slot = awaitSlot(Long.MAX_VALUE);
            running[slot] = 0; // covers nothing a flusher could wait for
        }
        try {
            completeRolls(slot);
        } finally {
            free(slot);
        }
    }

    /** Fsyncs each left segment through {@code slot}'s channel, then confirms its successor, oldest first. */
    private void completeRolls(int slot) throws IOException {
        rollLock.lock();
        try {
            for (Roll r; (r = rolls.peek()) != null; ) {
                forceSegment(slot, r.left());
                try {
                    r.next().confirm();
                } catch (IOException e) {
                    failed = failed == null ? e : failed; // as final as a failed fsync: recovery sorts it out
                    throw e;
                }
                Segment.syncDirectory(r.dir());
                durable.accumulateAndGet(r.appendedBytes(), Math::max);
                rolls.poll();
                r.left().sync.retire();
                synced.add(r.left());
                synchronized (running) {
                    running.notifyAll(); // flushers whose data was all in the segment left are done
                }
            }
        } finally {
            rollLock.unlock();
        }
    }

    /**
     * Takes the next segment a completed roll left -- complete and durable, never written again -- or null when there
     * is none (the {@link LogSyncer} drops their pages from the page cache). Any thread.
     */
    Segment takeSynced() {
        return synced.poll();
    }

    /** Whether segments wait for {@link #takeSynced} (tests). */
    boolean syncedWaiting() {
        return !synced.isEmpty();
    }

    /** Fsyncs a segment outside the group commit (recovery, on the opening thread). */
    void syncSegment(FileChannel channel) throws IOException {
        force(channel);
    }

    private void force(FileChannel channel) throws IOException {
        IOException earlier = failed;
        if (earlier != null) {
            throw afterFailure(earlier);
        }
        fsyncs.incrementAndGet();
        long started = nanoClock.getAsLong();
        try {
            fsync.force(channel);
        } catch (IOException e) {
            failed = e;
            throw e;
        }
        long took = Math.max(0, nanoClock.getAsLong() - started);
        fsyncNanos.recordValue(Math.min(took, fsyncNanos.getHighestTrackableValue()));
    }

    private static IOException afterFailure(IOException earlier) {
        return new IOException("an earlier fsync of this log failed (" + earlier.getMessage()
                + "); durability of what was appended since is unknown: reopen the log to recover", earlier);
    }

    /** The first fsync failure since open, or null. Once set, never cleared. */
    IOException failure() {
        return failed;
    }

    long fsyncCount() {
        return fsyncs.get();
    }

    /** A copy of the durations of the fsyncs that succeeded since open, ns (rolls' and flushes'). */
    Histogram fsyncNanos() {
        return fsyncNanos.copy();
    }

    /** The duration of the fsyncs that succeeded since open at {@code percentile} (0..100), ns; 0 if none. */
    long fsyncNanosAt(double percentile) {
        return fsyncNanos.getValueAtPercentile(percentile);
    }

    long durableBytes() {
        return durable.get();
    }

    /**
     * Flushers waiting (tests): for a free slot, for a running fsync that covers their data, or for rolls to
     * complete; not those inside an fsync of their own.
     */
    int waiting() {
        return waiting.get();
    }

    /** How many slots an fsync, or a roll's completion, holds now (tests). */
    int running() {
        synchronized (running) {
            int n = 0;
            for (long r : running) {
                n += r == FREE ? 0 : 1;
            }
            return n;
        }
    }
}
