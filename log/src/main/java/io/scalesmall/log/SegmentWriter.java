package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Write-behind for a {@link FileMessageLog}: the appender places a batch record in its segment
 * ({@link Segment#place}), puts it in the log's cache and hands a copy to this class; a thread of its own writes it
 * to the file ({@code pwrite}) shortly after. So an append -- on a server's event loop -- returns without the system
 * call that copies the record into the page cache, which on a busy machine is where the loop most often lost its CPU
 * for milliseconds (docs/benchmarks.md, "Where the rest of the p99 is"). Nothing about durability changes: fsyncs
 * ({@link GroupCommit}) cover only what this thread has written, and wait for it ({@link #awaitWritten(long)}).
 *
 * <p><b>Memory.</b> Records wait in a ring of {@code ringBytes} of direct memory, each contiguous; an appender that
 * finds no room waits for the thread (back-pressure, as a full page cache would make a {@code pwrite} wait). A record
 * larger than the ring is written by the appender itself, once the ring is empty.
 *
 * <p><b>Order and marks.</b> Records are written in the order they were submitted, so each segment's written bytes
 * ({@link Segment#written}) grow from its start, and {@link #writtenBytes()} -- the log's appended-bytes count of the
 * last record written -- is a prefix of what was appended.
 *
 * <p><b>A full disk</b> ({@code ENOSPC}) pauses the writer: it cuts the file back to where the record began, reports
 * the disk full ({@link #full()}: the log refuses appends with {@link LogFullException}, flushes and reads of what is
 * not written fail) and tries the same record again every {@value #FULL_RETRY_MILLIS} ms, in order, until it fits
 * (retention or the operator freed room); nothing placed is dropped. Only a close while the disk is still full gives
 * up, as below.
 *
 * <p><b>Other failures</b> are final, as a failed fsync is: the file may now hold part of a record under others
 * already placed after it. {@link #failure()} returns it; the log refuses appends, and every wait here throws it,
 * until the log is reopened and recovery truncates the torn tail. What was placed after it is not written. A
 * memory-acknowledged batch may so be lost, as in a crash; a disk-acknowledged one never is: its flush fails.
 *
 * <p>The thread is never interrupted (an interrupt inside a {@code FileChannel} write closes the channel):
 * {@link #close} drains the ring, stops the thread and waits for it.
 *
 * <p>Threads: {@link #submit} by the appender only (under the log's append lock); the waits and getters from any
 * thread; {@link #close} once, under the append lock.
 */
final class SegmentWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);
    /** How often a writer paused by a full disk tries its record again, ms. */
    static final long FULL_RETRY_MILLIS = 100;

    /** Where an early-writeback range goes once its bytes are written ({@link LogSyncer#written}). */
    interface WritebackSink {
        void written(Segment segment, long from, long to);
    }

    /**
     * A record waiting: its bytes are {@code ring[at, at + length)}; {@code ringEnd} is the ring's cumulative head
     * after it (a skip to the ring's start included); {@code mark} the log's appended bytes once it is written;
     * {@code writebackTo} > 0 reports segment range {@code [writebackFrom, writebackTo)} after the write.
     */
    private record Entry(Segment segment, long position, int at, int length, long ringEnd, long mark,
            long writebackFrom, long writebackTo) {
    }

    private final ByteBuffer ring;
    private final int ringBytes;
    private final WritebackSink writeback;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    /** Held while one record is written (by the writer's thread or a helper), so that records go in order. */
    private final ReentrantLock writing = new ReentrantLock();
    /** Signalled whenever an entry is queued or written, a failure happens, or the writer stops. */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    /** Cumulative ring bytes handed out (appender) and given back (writer); head - tail = bytes in use. */
    private long head;
    private long tail;
    private volatile long writtenBytes;
    private volatile IOException failure;
    /** The ENOSPC the record being written met last, while the writer waits for room; null otherwise. */
    private volatile IOException full;
    private volatile boolean running = true;

    /**
     * Starts the writer's thread.
     *
     * @param ringBytes    the ring's size, bytes, &ge; 1
     * @param writtenBytes the log's appended bytes at open (everything before is in the files)
     * @param writeback    told of early-writeback ranges once written
     */
    SegmentWriter(int ringBytes, long writtenBytes, WritebackSink writeback, String name) {
        if (ringBytes < 1) {
            throw new IllegalArgumentException("ringBytes must be >= 1, got " + ringBytes);
        }
        this.ring = ByteBuffer.allocateDirect(ringBytes);
        this.ringBytes = ringBytes;
        this.writtenBytes = writtenBytes;
        this.writeback = writeback;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * Queues the record {@code record[0, length)}, placed at {@code position} of {@code segment}, for writing (the
     * array is copied; the caller may reuse it on return). Waits while the ring has no room. A record larger than the
     * ring is written here, on the caller's thread, once the ring is empty.
     *
     * @param mark          the log's appended bytes once this record is written
     * @param writebackFrom with {@code writebackTo} &gt; 0: the early-writeback range to report once it is written
     * @throws IOException if an earlier write failed or a full disk pauses the writer (nothing queued; the message
     *                     names the ENOSPC), or the caller's own write of a large record failed (the caller cuts the
     *                     segment back to {@code position})
     */
    void submit(Segment segment, long position, byte[] record, int length, long mark, long writebackFrom,
            long writebackTo) throws IOException {
        if (length > ringBytes) {
            writeHere(segment, position, record, length, mark, writebackFrom, writebackTo);
            return;
        }
        int at;
        long ringEnd;
        lock.lock();
        try {
            while (true) {
                throwIfStuck();
                int offset = (int) (head % ringBytes);
                int skip = offset + length > ringBytes ? ringBytes - offset : 0;
                if (skip > 0 && head == tail) {
                    head += skip; // empty: start again at the ring's start (the writer takes tail from our entry)
                    tail = head;
                    skip = 0;
                }
                if (head + skip + length - tail <= ringBytes) {
                    at = (int) ((head + skip) % ringBytes);
                    ringEnd = head + skip + length;
                    head = ringEnd;
                    break;
                }
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
        ring.put(at, record, 0, length); // outside the lock: the writer never reads past the entries queued
        Entry entry = new Entry(segment, position, at, length, ringEnd, mark, writebackFrom, writebackTo);
        publish(() -> queue.add(entry));
    }

    /** A record too large for the ring: written by the caller once every queued one is. */
    private void writeHere(Segment segment, long position, byte[] record, int length, long mark, long writebackFrom,
            long writebackTo) throws IOException {
        lock.lock();
        try {
            while (failure == null && full == null && !queue.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            throwIfStuck();
        } finally {
            lock.unlock();
        }
        writing.lock(); // nothing is queued (the caller is the only one who queues): only a helper may hold it
        try {
            segment.writeAt(ByteBuffer.wrap(record, 0, length), position);
            publish(() -> writtenBytes = mark);
        } finally {
            writing.unlock();
        }
        if (writebackTo > 0) {
            writeback.written(segment, writebackFrom, writebackTo);
        }
    }

    /** What one {@link #writeOldest} did. */
    private enum Step {
        /** wrote the oldest record */
        WROTE,
        /** nothing was queued */
        EMPTY,
        /** the disk is full: the record stays queued, cut back to nothing ({@link #full}) */
        FULL,
        /** took the oldest record off the queue without writing it: the writer failed for good ({@link #failure}) */
        DROPPED
    }

    /**
     * Writes the oldest queued record, once: on the writer's thread, or on a thread that needs it written now (a
     * flush, a reader), which so does not wait for the writer's thread to be scheduled. One record at a time, in order
     * ({@link #writing}).
     */
    private Step writeOldest() {
        writing.lock();
        try {
            Entry e;
            lock.lock();
            try {
                e = queue.peek();
            } finally {
                lock.unlock();
            }
            if (e == null) {
                return Step.EMPTY;
            }
            Step step = failure != null ? Step.DROPPED : attempt(e);
            if (step == Step.FULL) {
                return step;
            }
            publish(() -> {
                queue.poll();
                tail = e.ringEnd();
                if (step == Step.WROTE) {
                    writtenBytes = e.mark();
                }
            });
            if (step == Step.WROTE && e.writebackTo() > 0) {
                writeback.written(e.segment(), e.writebackFrom(), e.writebackTo());
            }
            return step;
        } finally {
            writing.unlock();
        }
    }

    /** One try at writing {@code e}: WROTE, FULL (cut back; {@link #full} set) or DROPPED ({@link #failure} set). */
    private Step attempt(Entry e) {
        try {
            e.segment().writeAt(ring.slice(e.at(), e.length()), e.position());
            if (full != null) {
                LOG.info("log write-behind: {} has room again; writing resumed", e.segment().path);
                full = null;
            }
            return Step.WROTE;
        } catch (IOException x) {
            if (!LogFullException.isNoSpace(x) || !cutBack(e)) {
                fail(e, x);
                return Step.DROPPED;
            }
            if (full == null) {
                LOG.warn("log write-behind: no space left for {} bytes at byte {} of {}; appends are refused as full"
                        + " until it fits (tried again every {} ms)", e.length(), e.position(), e.segment().path,
                        FULL_RETRY_MILLIS);
            }
            publish(() -> full = x);
            return Step.FULL;
        } catch (RuntimeException x) {
            fail(e, x);
            return Step.DROPPED;
        }
    }

    /** The writer's thread: writes while records wait, sleeps while none do, retries a full disk until closed. */
    private void run() {
        while (true) {
            Step step = writeOldest();
            if (step == Step.EMPTY || step == Step.FULL) {
                lock.lock();
                try {
                    if (step == Step.FULL && !running) {
                        fail(queue.peek(), full); // closed with the disk still full: what is queued is given up
                    } else if (step == Step.FULL) {
                        changed.awaitNanos(FULL_RETRY_MILLIS * 1_000_000);
                    } else {
                        while (queue.isEmpty() && running) {
                            changed.awaitUninterruptibly();
                        }
                        if (queue.isEmpty()) {
                            return;
                        }
                    }
                } catch (InterruptedException never) { // the thread is never interrupted
                    Thread.currentThread().interrupt();
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** Cuts what a failed write left of {@code e} off its file; false if even that fails. */
    private static boolean cutBack(Entry e) {
        try {
            e.segment().channel.truncate(e.position());
            return true;
        } catch (IOException again) {
            return false;
        }
    }

    private void fail(Entry e, Exception x) {
        IOException io = x instanceof IOException i ? i : new IOException(x);
        LOG.error("log write-behind: writing {} bytes at byte {} of {} failed; the log refuses appends until it is"
                + " reopened: {}", e.length(), e.position(), e.segment().path, io.toString());
        failure = io;
    }

    /** Makes {@code change} under the lock and wakes every thread waiting on {@link #changed}. */
    private void publish(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void throwIfFailed() throws IOException {
        IOException f = failure;
        if (f != null) {
            throw new IOException("a write-behind write of this log failed (" + f.getMessage()
                    + "); reopen the log to recover", f);
        }
    }

    /** For waits on what is not written yet: also throws while a full disk pauses the writer. */
    private void throwIfStuck() throws IOException {
        throwIfFailed();
        IOException f = full;
        if (f != null) {
            throw new IOException("the disk is full (" + f.getMessage() + "): batches wait to be written until there"
                    + " is room", f);
        }
    }

    /** The log's appended bytes up to the last record written: every byte below is in its segment's file. */
    long writtenBytes() {
        return writtenBytes;
    }

    /** The first write that failed, or null. Once set, never cleared. */
    IOException failure() {
        return failure;
    }

    /** The ENOSPC that pauses the writer now (see the class comment), or null while it writes. */
    IOException full() {
        return full;
    }

    /**
     * Returns once the log's appended bytes up to {@code mark} are all written (at once if they are).
     *
     * @throws IOException if a write failed first
     */
    void awaitWritten(long mark) throws IOException {
        while (writtenBytes < mark) {
            help(() -> writtenBytes >= mark);
        }
    }

    /**
     * Returns once bytes {@code [0, end)} of {@code segment} are in its file (a reader about to read them from it).
     *
     * @throws IOException if a write failed first
     */
    void awaitWritten(Segment segment, long end) throws IOException {
        while (segment.written() < end) {
            help(() -> segment.written() >= end);
        }
    }

    /**
     * For a thread waiting for records to be written: writes the oldest one itself (or waits for the one being
     * written), so that it need not wait for the writer's thread to be scheduled.
     *
     * @param done whether the caller's wait is over (checked under the lock before it sleeps)
     * @throws IOException if the writer failed, or a full disk pauses it
     */
    private void help(BooleanSupplier done) throws IOException {
        throwIfStuck();
        if (writeOldest() == Step.EMPTY) { // written meanwhile, or a large record on its way: look again shortly
            lock.lock();
            try {
                if (!done.getAsBoolean()) {
                    changed.awaitNanos(1_000_000);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the log's writes", e);
            } finally {
                lock.unlock();
            }
        }
    }

    /** Writes what is queued, then stops the thread and waits for it. */
    @Override
    public void close() {
        publish(() -> running = false);
        Threads.joinUninterruptibly(thread);
    }
}
