package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
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
 * <p><b>Failures.</b> A failed write is final, as a failed fsync is: the file may now hold part of a record under
 * others already placed after it. {@link #failure()} returns it; the log refuses appends, and every wait here throws
 * it, until the log is reopened and recovery truncates the torn tail. What was placed after it is not written. A
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
    /** Signalled whenever an entry is queued or written, a failure happens, or the writer stops. */
    private final Condition changed = lock.newCondition();
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    /** Cumulative ring bytes handed out (appender) and given back (writer); head - tail = bytes in use. */
    private long head;
    private long tail;
    private volatile long writtenBytes;
    private volatile IOException failure;
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
     * @throws IOException if an earlier write failed (nothing queued), or the caller's own write of a large record
     *                     did (the caller cuts the segment back to {@code position})
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
                throwIfFailed();
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
        lock.lock();
        try {
            queue.add(new Entry(segment, position, at, length, ringEnd, mark, writebackFrom, writebackTo));
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A record too large for the ring: written by the caller once every queued one is. */
    private void writeHere(Segment segment, long position, byte[] record, int length, long mark, long writebackFrom,
            long writebackTo) throws IOException {
        lock.lock();
        try {
            while (failure == null && !queue.isEmpty()) {
                changed.awaitUninterruptibly();
            }
            throwIfFailed();
        } finally {
            lock.unlock();
        }
        segment.writeAt(ByteBuffer.wrap(record, 0, length), position);
        published(mark);
        if (writebackTo > 0) {
            writeback.written(segment, writebackFrom, writebackTo);
        }
    }

    private void run() {
        while (true) {
            Entry e;
            lock.lock();
            try {
                while ((e = queue.peek()) == null) {
                    if (!running) {
                        return;
                    }
                    changed.awaitUninterruptibly();
                }
            } finally {
                lock.unlock();
            }
            boolean wrote = false;
            if (failure == null) {
                try {
                    e.segment().writeAt(ring.slice(e.at(), e.length()), e.position());
                    wrote = true;
                } catch (IOException | RuntimeException x) {
                    fail(e, x);
                }
            }
            lock.lock();
            try {
                queue.poll();
                tail = e.ringEnd();
                if (wrote) {
                    writtenBytes = e.mark();
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
            if (wrote && e.writebackTo() > 0) {
                writeback.written(e.segment(), e.writebackFrom(), e.writebackTo());
            }
        }
    }

    private void fail(Entry e, Exception x) {
        IOException io = x instanceof IOException i ? i : new IOException(x);
        LOG.error("log write-behind: writing {} bytes at byte {} of {} failed; the log refuses appends until it is"
                + " reopened: {}", e.length(), e.position(), e.segment().path, io.toString());
        failure = io;
    }

    /** Sets the written mark after the caller wrote a large record itself (the queue is empty). */
    private void published(long mark) {
        lock.lock();
        try {
            writtenBytes = mark;
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

    /** The log's appended bytes up to the last record written: every byte below is in its segment's file. */
    long writtenBytes() {
        return writtenBytes;
    }

    /** The first write that failed, or null. Once set, never cleared. */
    IOException failure() {
        return failure;
    }

    /**
     * Returns once the log's appended bytes up to {@code mark} are all written (at once if they are).
     *
     * @throws IOException if a write failed first
     */
    void awaitWritten(long mark) throws IOException {
        if (writtenBytes >= mark) {
            return;
        }
        lock.lock();
        try {
            while (writtenBytes < mark) {
                throwIfFailed();
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns once bytes {@code [0, end)} of {@code segment} are in its file (a reader about to read them from it).
     *
     * @throws IOException if a write failed first
     */
    void awaitWritten(Segment segment, long end) throws IOException {
        if (segment.written() >= end) {
            return;
        }
        lock.lock();
        try {
            while (segment.written() < end) {
                throwIfFailed();
                changed.awaitUninterruptibly();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Writes what is queued, then stops the thread and waits for it. */
    @Override
    public void close() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Threads.joinUninterruptibly(thread);
    }
}
