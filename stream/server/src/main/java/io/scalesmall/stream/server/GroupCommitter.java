package io.scalesmall.stream.server;

import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Disk acks by group commit: sessions hand over the batches they appended; a committer thread takes everything
 * queued (a <em>group</em>), calls {@link MessageLog#flush()} once, and hands each session its batches back as
 * durable. While an fsync runs, new batches of every producer queue up and share the next one, so the fsync rate
 * stays near the disk's, whatever the number of producers (group commit, as in databases since IMS Fast Path).
 *
 * <p><b>Overlapping flushes.</b> There are {@link MessageLog#flushConcurrency()} committer threads (the file log's
 * {@code concurrentFsyncs}, 2 by default): while one waits for its fsync, the next group's flush starts at once, so a
 * batch waits for one fsync rather than for the one running and then its own. Groups are numbered as they are taken,
 * and their callbacks run in that order, whichever flush ends first: a session's acks never overtake each other. A
 * flush that succeeds began after every earlier group's batches were appended, so it makes them durable too: their
 * callbacks run then, without waiting for their own flush. A failed flush fails its own group only.
 *
 * <p>Thread-safe: {@link #submit} from any thread; callbacks run on a committer thread, one at a time, in order, and
 * must not block.
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

    /** A group taken by a committer thread, and its result once known: durable, or {@code failure}. */
    private static final class Group {
        final List<Job> jobs;
        boolean known;
        IOException failure;

        Group(List<Job> jobs) {
            this.jobs = jobs;
        }
    }

    private final MessageLog log;
    private final ServerStats stats;
    private final Thread[] threads;
    /** Guards {@link #queue}, {@link #taken}, {@link #nextGroup}, {@link #running}; committer threads wait on it. */
    private final Object lock = new Object();
    private final ArrayDeque<Job> queue = new ArrayDeque<>();
    /** Groups taken and not yet delivered, by number. */
    private final TreeMap<Long, Group> taken = new TreeMap<>();
    private long nextGroup;
    private boolean running = true;
    /** Held while callbacks run, so that groups are delivered in order even from two threads. */
    private final ReentrantLock delivery = new ReentrantLock();

    /**
     * @param threads makes the committer threads ({@link MessageLog#flushConcurrency()} of them; named, e.g.
     *                {@code scalesmall-commit-PORT})
     */
    GroupCommitter(MessageLog log, ServerStats stats, ThreadFactory threads) {
        this.log = log;
        this.stats = stats;
        this.threads = new Thread[Math.max(1, log.flushConcurrency())];
        for (int i = 0; i < this.threads.length; i++) {
            Thread t = threads.newThread(this::run);
            t.setDaemon(true);
            if (this.threads.length > 1) {
                t.setName(t.getName() + "-" + i);
            }
            this.threads[i] = t;
        }
        for (Thread t : this.threads) {
            t.start();
        }
    }

    /** Queues batches appended before this call; {@code cb} runs once they are durable. */
    void submit(Callback cb, List<AckBatcher.Stored> batches) {
        synchronized (lock) {
            queue.add(new Job(cb, batches));
            lock.notify();
        }
    }

    private void run() {
        while (true) {
            long number;
            Group group;
            synchronized (lock) {
                while (running && queue.isEmpty()) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (!running) {
                    return;
                }
                group = new Group(new ArrayList<>(queue));
                queue.clear();
                number = nextGroup++;
                taken.put(number, group);
            }
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
            finish(number, failure);
        }
    }

    /** Records group {@code number}'s result, then runs the callbacks of every group now known, in order. */
    private void finish(long number, IOException failure) {
        delivery.lock();
        try {
            List<Group> ready = new ArrayList<>();
            synchronized (lock) {
                Group own = taken.get(number);
                if (own != null && !own.known) { // else a later flush covered it already
                    own.known = true;
                    own.failure = failure;
                }
                if (failure == null) {
                    for (Group earlier : taken.headMap(number).values()) {
                        earlier.known = true; // appended before this flush began: durable with it
                    }
                }
                while (!taken.isEmpty() && taken.firstEntry().getValue().known) {
                    ready.add(taken.pollFirstEntry().getValue());
                }
            }
            for (Group g : ready) {
                for (Job j : g.jobs) {
                    try {
                        j.callback().committed(j.batches(), g.failure);
                    } catch (RuntimeException e) {
                        LOG.warn("group commit callback failed", e);
                    }
                }
            }
        } finally {
            delivery.unlock();
        }
    }

    /**
     * Stops the threads once their flushes are done (never interrupting one: an interrupt inside an fsync would close
     * the log's file); batches still queued are never acknowledged (their producers resend them). Waits up to 2 s
     * per thread.
     */
    @Override
    public void close() {
        synchronized (lock) {
            running = false;
            lock.notifyAll();
        }
        for (Thread t : threads) {
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
