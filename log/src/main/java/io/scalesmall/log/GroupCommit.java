package io.scalesmall.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Group commit without a thread of its own. Progress is counted in <em>appended bytes</em> (since open, over all
 * segments). A flusher notes how far the log was appended when it arrived, then takes the sync lock; whoever holds
 * it fsyncs once for everything appended so far, and every flusher that queued behind it finds its own mark already
 * durable and returns without a second fsync. So N concurrent flushers cost one or two fsyncs, not N.
 *
 * <p>Segment rolls fsync the closed segment ({@link #syncRolled}), so a flush only ever needs to fsync the active
 * segment: everything before it is already durable.
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
    /** Held while an fsync runs; flushers queue on it. */
    private final ReentrantLock syncLock = new ReentrantLock();
    /** Appended bytes known durable; only grows. */
    private final AtomicLong durable = new AtomicLong();
    /** The first fsync failure; null while none failed. */
    private volatile IOException failed;
    /** fsync calls made, for metrics and tests. */
    private final AtomicLong fsyncs = new AtomicLong();

    GroupCommit(Fsync fsync) {
        this.fsync = fsync;
    }

    /** The log's view: how many bytes were appended, and which channel takes appends now. */
    interface Log {
        long appendedBytes();

        FileChannel activeChannel();
    }

    /** Returns once everything the log had appended on entry is durable. */
    void flush(Log log) throws IOException {
        long target = log.appendedBytes();
        if (durable.get() >= target) {
            return;
        }
        syncLock.lock();
        try {
            if (durable.get() >= target) {
                return; // the fsync we queued behind covered us
            }
            // Read the mark before the channel: every byte counted is then in this segment or an earlier one,
            // and earlier ones were synced when they rolled.
            long covering = log.appendedBytes();
            FileChannel active = log.activeChannel();
            force(active);
            durable.accumulateAndGet(covering, Math::max);
        } finally {
            syncLock.unlock();
        }
    }

    /** Called by the appender before it leaves a segment: fsyncs it, so flushes need only the active one. */
    void syncRolled(FileChannel closing, long appendedBytes) throws IOException {
        force(closing);
        durable.accumulateAndGet(appendedBytes, Math::max);
    }

    private void force(FileChannel channel) throws IOException {
        IOException earlier = failed;
        if (earlier != null) {
            throw new IOException("an earlier fsync of this log failed (" + earlier.getMessage()
                    + "); durability of what was appended since is unknown: reopen the log to recover", earlier);
        }
        fsyncs.incrementAndGet();
        try {
            fsync.force(channel);
        } catch (IOException e) {
            failed = e;
            throw e;
        }
    }

    /** The first fsync failure since open, or null. Once set, never cleared. */
    IOException failure() {
        return failed;
    }

    long fsyncCount() {
        return fsyncs.get();
    }

    long durableBytes() {
        return durable.get();
    }

    /** Flushers waiting for the sync lock (tests). */
    int waiting() {
        return syncLock.getQueueLength();
    }
}
