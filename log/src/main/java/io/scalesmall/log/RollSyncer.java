package io.scalesmall.log;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The thread that fsyncs the segments a {@link FileMessageLog} rolls away from ({@link GroupCommit#syncRolls}), so
 * that no appender -- a server's event loop -- ever waits for one: an append that rolls only queues the roll and
 * {@link #wake}s this thread. One per open log; it sleeps while nothing is queued. It then drops the synced
 * segments' pages from the page cache, unless the log keeps them ({@link FileLogConfig#keepPageCache()}).
 *
 * <p>A failed fsync is final for the log ({@link GroupCommit#failure()}): this thread logs it once and stops
 * trying; appends and flushes then report it. The thread is never interrupted (an interrupt during
 * {@code FileChannel.force} would close the channel): {@link #close} sets a flag, unparks it and waits for it.
 *
 * <p>Threads: {@link #wake} from any thread; {@link #close} once, by the log's closer.
 */
final class RollSyncer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);

    private final GroupCommit commit;
    /** Whether a synced segment's pages leave the page cache ({@link PageCache}). */
    private final boolean dropPages;
    private final Thread thread;
    private volatile boolean running = true;
    /** Segments whose pages were dropped, for tests and metrics. */
    private final AtomicLong dropped = new AtomicLong();

    /** @param dropPages whether to drop each synced segment's pages from the page cache ({@link PageCache#drop}) */
    RollSyncer(GroupCommit commit, boolean dropPages, String name) {
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

    private void run() {
        while (running) {
            dropSyncedPages();
            if (!commit.rollsPending() || commit.failure() != null) {
                // Woken by wake(); the timeout only bounds a lost wake-up's cost.
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
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

    /** Stops the thread once its current fsync (if any) is done; rolls still queued stay so (recovery completes
     * them). */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
