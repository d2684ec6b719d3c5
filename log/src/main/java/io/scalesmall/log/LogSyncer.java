package io.scalesmall.log;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link FileMessageLog}'s background disk work, so that no appender -- a server's event loop -- ever waits for
 * it. One thread per open log; it sleeps while there is nothing to do. Appenders only queue work and {@link #wake} it.
 * <ul>
 * <li><b>Rolls.</b> It fsyncs the segments the log rolls away from ({@link GroupCommit#syncRolls}), then drops the
 *     synced segments' pages from the page cache, unless the log keeps them ({@link FileLogConfig#keepPageCache()}).
 * <li><b>Early writeback.</b> For each range of the active segment the appender reports ({@link #written}, every
 *     {@link FileLogConfig#writebackBytes()}), it starts the range's writeback ({@link PageCache#startWriteback});
 *     then it waits for the range reported before it (started one range earlier, so normally done) and drops that
 *     one's pages too, unless kept. The kernel so writes a segment a few MiB at a time instead of all of it at its
 *     roll's fsync, whose work -- several ms of one vCPU in the kernel for a 64 MiB segment, with the sync lock that
 *     disk-acked flushes queue on held throughout -- comes in small steps; and the page cache holds two ranges of the
 *     active segment rather than all of it. This is RocksDB's {@code bytes_per_sync}. It changes no durability
 *     guarantee: the fsyncs are unchanged.
 * </ul>
 *
 * <p>A failed fsync is final for the log ({@link GroupCommit#failure()}): this thread logs it once and stops
 * trying; appends and flushes then report it. A failed writeback call is ignored (the fsync will do the work). The
 * thread is never interrupted (an interrupt during {@code FileChannel.force} would close the channel):
 * {@link #close} sets a flag, unparks it and waits for it.
 *
 * <p>Threads: {@link #wake} and {@link #written} from any thread; {@link #close} once, by the log's closer.
 */
final class LogSyncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);

    /** Bytes {@code [from, to)} of segment {@code segment}, written and not yet fsynced. */
    record Range(Segment segment, long from, long to) {
        long length() {
            return to - from;
        }
    }

    private final GroupCommit commit;
    /** Whether synced segments, and ranges whose writeback finished, leave the page cache ({@link PageCache}). */
    private final boolean dropPages;
    private final Thread thread;
    private volatile boolean running = true;
    /** Ranges the appender reported, oldest first, until this thread starts their writeback. */
    private final ConcurrentLinkedQueue<Range> written = new ConcurrentLinkedQueue<>();
    /** The last range whose writeback this thread started and has not waited for; this thread only. */
    private Range started;
    /** Segments whose pages were dropped, for tests and metrics. */
    private final AtomicLong dropped = new AtomicLong();
    /** Ranges whose writeback finished (the kernel confirmed it), for tests and metrics. */
    private final AtomicLong writtenBack = new AtomicLong();

    /** @param dropPages whether to drop synced segments' and written-back ranges' pages from the page cache */
    LogSyncer(GroupCommit commit, boolean dropPages, String name) {
        this.commit = commit;
        this.dropPages = dropPages;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Asks the thread to complete the queued rolls now. Never blocks. */
    void wake() {
        LockSupport.unpark(thread);
    }

    /**
     * Reports that bytes {@code [from, to)} of the active segment {@code segment} were written (appended, not yet
     * fsynced), and wakes the thread to start their writeback. Called by the appender, in order. Never blocks; does
     * nothing once the thread has stopped.
     */
    void written(Segment segment, long from, long to) {
        if (!thread.isAlive()) {
            return; // stopped (closed, or failed for good): nothing would take the range, and the fsyncs still come
        }
        written.add(new Range(segment, from, to));
        LockSupport.unpark(thread);
    }

    private void run() {
        while (running) {
            dropSyncedPages();
            writeBack();
            if (!commit.rollsPending() || commit.failure() != null) {
                if (written.isEmpty()) {
                    // Woken by wake() or written(); the timeout only bounds a lost wake-up's cost.
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
                continue;
            }
            try {
                commit.syncRolls();
            } catch (IOException e) {
                LOG.error("fsync of a rolled segment failed; the log refuses appends until reopened: {}",
                        e.toString());
            } catch (RuntimeException e) {
                LOG.error("fsync of a rolled segment failed", e);
                return;
            }
        }
    }

    /**
     * Starts the writeback of each reported range, after finishing (and dropping) the one started before it in the
     * same segment. A range of a segment that was rolled away from meanwhile is left to that roll's fsync and drop.
     */
    private void writeBack() {
        for (Range r; (r = written.poll()) != null; ) {
            Range before = started;
            if (before != null && before.segment() == r.segment()
                    && PageCache.finishWriteback(before.segment().path, before.from(), before.length(), dropPages)) {
                writtenBack.incrementAndGet();
            }
            started = PageCache.startWriteback(r.segment().path, r.from(), r.length()) ? r : null;
        }
    }

    /**
     * Drops the pages of the segments whose roll completed (here or in a flush), or just forgets them when that is
     * off: after their fsync they are clean, and the log's own cache holds what consumers read most.
     */
    private void dropSyncedPages() {
        for (Segment s; (s = commit.takeSynced()) != null; ) {
            if (dropPages && PageCache.drop(s.path)) {
                dropped.incrementAndGet();
            }
        }
    }

    /** Segments whose pages this thread dropped from the page cache since the log opened. */
    long droppedSegments() {
        return dropped.get();
    }

    /** Ranges of active segments whose early writeback finished since the log opened. */
    long writtenBackRanges() {
        return writtenBack.get();
    }

    /** Stops the thread once its current fsync (if any) is done; rolls still queued stay so (recovery completes
     * them). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        Threads.joinUninterruptibly(thread);
    }
}
