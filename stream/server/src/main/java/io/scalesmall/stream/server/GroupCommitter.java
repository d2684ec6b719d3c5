package io.scalesmall.stream.server;

import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disk acks by group commit: sessions hand over the batches they appended; one thread takes everything queued,
 * calls {@link MessageLog#flush()} once, and hands each session its batches back as durable. While an fsync runs,
 * new batches of every producer queue up and share the next one, so the fsync rate stays near the disk's, whatever
 * the number of producers (group commit, as in databases since IMS Fast Path; the log's own flush coalesces
 * concurrent callers the same way).
 *
 * <p>Thread-safe: {@link #submit} from any thread; callbacks run on the committer thread and must not block.
 */
final class GroupCommitter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

    /** Batches made durable, or the flush's failure. */
    interface Callback {
        /** @param failure null when everything submitted before is on disk */
        void committed(List<AckBatcher.Stored> batches, IOException failure);
    }

    private record Job(Callback callback, List<AckBatcher.Stored> batches) {
    }

    private final MessageLog log;
    private final ServerStats stats;
    private final LinkedBlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean running = true;

    /** @param threads makes the committer's one thread (named, e.g. {@code scalesmall-commit-PORT}) */
    GroupCommitter(MessageLog log, ServerStats stats, ThreadFactory threads) {
        this.log = log;
        this.stats = stats;
        this.thread = threads.newThread(this::run);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Queues batches appended before this call; {@code cb} runs once they are durable. */
    void submit(Callback cb, List<AckBatcher.Stored> batches) {
        queue.add(new Job(cb, batches));
    }

    private void run() {
        List<Job> jobs = new ArrayList<>();
        while (running) {
            try {
                Job first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                jobs.add(first);
                queue.drainTo(jobs);
                IOException failure = null;
                try {
                    log.flush();
                    stats.groupCommits.increment();
                } catch (IOException e) {
                    failure = e;
                    LOG.warn("group commit failed: {}", e.toString());
                } catch (IllegalStateException closed) {
                    failure = new IOException("log closed", closed);
                }
                for (Job j : jobs) {
                    try {
                        j.callback().committed(j.batches(), failure);
                    } catch (RuntimeException e) {
                        LOG.warn("group commit callback failed", e);
                    }
                }
                jobs.clear();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Stops the thread once its flush, if one runs, is done: it is never interrupted, since an interrupt inside
     * {@code FileChannel.force} closes the channel, the log's segment file, for good. Batches still queued are never
     * acknowledged (their producers resend them). Waits up to 2 s (a disk that hangs keeps the thread).
     */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
