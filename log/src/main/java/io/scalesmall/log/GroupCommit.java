package io.scalesmall.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SynchronizedHistogram;

/**
 * Group commit without a thread of its own. Progress is counted in <em>appended bytes</em> (since open, over all
 * segments). A flusher notes how far the log was appended when it arrived, then takes the sync lock; whoever holds
 * it fsyncs once for everything appended so far, and every flusher that queued behind it finds its own mark already
 * durable and returns without a second fsync. So N concurrent flushers cost one or two fsyncs, not N.
 *
 * <p><b>Rolls.</b> The appender never fsyncs: when it leaves a segment it starts the next one under its pending name
 * ({@link Segment#PENDING_SUFFIX}) and queues the roll here ({@link #rolled}). Whoever next holds the sync lock --
 * the log's {@link LogSyncer} thread, woken at once, or a flusher -- completes queued rolls in order
 * ({@link #syncRolls}): fsync the segment left, rename its successor to the plain name, fsync the directory. A
 * flush completes every roll queued before it read the active segment, then fsyncs that one: so the durable mark
 * never passes a byte whose segment, or any earlier one, is not durable, and a roll's fsync runs on the syncer or
 * flusher thread, never on an appender's.
 *
 * <p><b>A failed fsync is final.</b> After an fsync fails, the kernel may have dropped the dirty pages it could not
 * write and marked them clean, so a later fsync can succeed without making them durable (PostgreSQL's "fsyncgate",
 * 2018). The first failure is therefore remembered ({@link #failure()}): every later flush or roll fails with an
 * IOException naming it, and the log refuses appends until it is reopened and recovery has checked every batch.
 */
final class GroupCommit {
    /** How a channel is made durable; tests count or hold calls. */
    interface Fsync {
        void force(FileChannel channel) throws IOException;
    }

    /** fdatasync: the data, and the file size needed to read it back; not the modification time. */
    static final Fsync FORCE = channel -> channel.force(false);

    private final Fsync fsync;
    /** Reads time for {@link #fsyncNanos}, ns as {@link System#nanoTime}. */
    private final LongSupplier nanoClock;
    /**
     * How long each fsync took, ns: 1 µs to a minute, 2 significant digits (1 %), so that a copy (a scrape of the
     * node's metrics) is some 22 KB and holds the lock the fsyncing thread records under only briefly.
     */
    private final SynchronizedHistogram fsyncNanos = new SynchronizedHistogram(1_000, TimeUnit.MINUTES.toNanos(1), 2);
    /** Held while an fsync runs; flushers queue on it. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Rolls whose fsync is still to do, oldest first. */
    private final ConcurrentLinkedQueue<Roll> rolls = new ConcurrentLinkedQueue<>();
    /** Appended bytes known durable; only grows. */
    private final AtomicLong durable = new AtomicLong();
    /** The first fsync failure; null while none failed. */
    private volatile IOException failed;
    /** fsync calls made, for metrics and tests. */
    private final AtomicLong fsyncs = new AtomicLong();
    /** Segments left by a roll whose fsync completed, oldest first, until {@link #takeSynced} takes them. */
    private final ConcurrentLinkedQueue<Segment> synced = new ConcurrentLinkedQueue<>();

    GroupCommit(Fsync fsync) {
        this(fsync, System::nanoTime);
    }

    /** As above, timing fsyncs with {@code nanoClock} (tests step it). */
    GroupCommit(Fsync fsync, LongSupplier nanoClock) {
        this.fsync = fsync;
        this.nanoClock = nanoClock;
    }

    /**
     * The log's view: how many bytes were appended, how many of them are written to the files (fewer while a
     * {@link SegmentWriter} writes behind the appender), and which channel takes appends now.
     */
    interface Log {
        long appendedBytes();

        FileChannel activeChannel();

        /** Appended bytes that are in the files: a prefix of {@link #appendedBytes()}. */
        default long writtenBytes() {
            return appendedBytes();
        }

        /** Returns once the appended bytes up to {@code mark} are in the files; throws if they never will be. */
        default void awaitWritten(long mark) throws IOException {
        }
    }

    /** Waits until the log's appended bytes up to a mark are written to the files ({@link SegmentWriter}). */
    interface Written {
        /** The appender writes each record itself: everything appended is written. */
        Written NONE = mark -> {
        };

        void await(long mark) throws IOException;
    }

    /**
     * A segment the appender left: {@code left} is complete, {@code next} was created under its pending name, and
     * {@code appendedBytes} were appended, all to {@code left} or earlier segments, when it was left. {@code cut} is
     * told how many bytes of zeros written ahead the roll's completion cut off {@code left}
     * ({@link Segment#trimTail}), for the disk budget. {@code written} waits until those bytes are in the files
     * (write-behind), before the fsync.
     */
    record Roll(Path dir, Segment left, Segment next, long appendedBytes, LongConsumer cut, Written written) {
    }

    /** Returns once everything the log had appended on entry is durable. */
    void flush(Log log) throws IOException {
        long target = log.appendedBytes();
        if (durable.get() >= target) {
            return;
        }
        log.awaitWritten(target); // outside the lock: an fsync in progress may cover it meanwhile
        syncLock.lock();
        try {
            if (durable.get() >= target) {
                return; // the fsync we queued behind covered us
            }
            // Read the mark, then the channel, then the rolls: every byte counted is in that segment or an earlier
            // one, and the appender queued every roll up to it before it made it active. Only written bytes count:
            // what a writer still holds is not in the files the fsyncs reach.
            long covering = log.writtenBytes();
            FileChannel active = log.activeChannel();
            completeRolls();
            force(active);
            durable.accumulateAndGet(covering, Math::max);
        } finally {
            syncLock.unlock();
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

    /** Completes the queued rolls (the {@link LogSyncer}'s work); see the class comment. */
    void syncRolls() throws IOException {
        syncLock.lock();
        try {
            completeRolls();
        } finally {
            syncLock.unlock();
        }
    }

    /** Under the sync lock: fsync each left segment, then confirm its successor, oldest first. */
    private void completeRolls() throws IOException {
        for (Roll r; (r = rolls.peek()) != null; ) {
            r.written().await(r.appendedBytes()); // every record placed in left is in its file
            long cut = r.left().trimTail(); // zeros no batch reached; the fsync below makes the new length durable
            if (cut > 0) {
                r.cut().accept(cut);
            }
            force(r.left().channel);
            try {
                r.next().confirm();
            } catch (IOException e) {
                failed = failed == null ? e : failed; // as final as a failed fsync: recovery sorts it out
                throw e;
            }
            Segment.syncDirectory(r.dir());
            durable.accumulateAndGet(r.appendedBytes(), Math::max);
            rolls.poll();
            synced.add(r.left());
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
            throw new IOException("an earlier fsync of this log failed (" + earlier.getMessage()
                    + "); durability of what was appended since is unknown: reopen the log to recover", earlier);
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

    /** Flushers waiting for the sync lock (tests). */
    int waiting() {
        return syncLock.getQueueLength();
    }
}
