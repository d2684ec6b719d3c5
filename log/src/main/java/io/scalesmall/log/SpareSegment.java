package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The next segment's file, written ahead of need: a background thread fills a file in the log's directory with
 * zeros, {@link FileLogConfig#segmentBytes()} of them, and fsyncs it; the appender's next roll renames it to the new
 * segment's name ({@link #take}) and writes its batches over the zeros.
 *
 * <p><b>Why.</b> A batch appended to a growing file changes the file's size and allocates blocks, so the group
 * commit's fdatasync must also commit that metadata to the file system's journal (ext4 commits one transaction at a
 * time). Over blocks already written and made durable, fdatasync only writes the data and flushes the device: half
 * the time per fdatasync on the benchmark machine ({@code bench/FdatasyncGrowth.java}, docs/benchmarks.md). Space
 * reserved without writing it ({@code fallocate}) would not do: ext4 marks such blocks unwritten, and the first write
 * into them is a metadata change again. This is PostgreSQL's {@code wal_init_zero}.
 *
 * <p><b>When.</b> The first spare once the active segment is a quarter full ({@link #request}: a log that never fills
 * a segment never writes one), then each next one as soon as a roll took the last. Its zeros are paced by the active
 * segment's fill ({@link #start(Budget, LongSupplier)}), so that they reach the device beside the batches: written
 * in one burst after each roll, they held group commits' fsyncs behind their writeback (docs/benchmarks.md). A roll
 * that finds none ready (the thread is behind, or failing) starts an empty segment that grows, as without spares.
 *
 * <p><b>Cost.</b> Every byte of a segment is written twice, zeros then batches, and the zeros cost CPU; measured, the
 * fsyncs got faster but the disk-ack p99 at half of peak did not (docs/benchmarks.md): so it is off by default
 * ({@link FileLogConfig#preallocate()}).
 *
 * <p><b>Disk budget.</b> A spare's bytes count as used from the moment it is reserved, before it is written; the
 * thread reserves one only while the budget has room for it and for one segment more, and an append that would not
 * fit otherwise takes a ready spare's room back ({@link #discard}) before the log reports itself full.
 *
 * <p><b>Recovery</b> tells zeros written ahead from a torn tail ({@link SegmentScanner}): a segment whose valid
 * batches are followed by nothing but zeros ends there, quietly; anything else after them is a torn tail. The spare
 * file itself holds no data: a log that opens deletes any it finds ({@link #deleteLeftover}).
 *
 * <p><b>Failures.</b> A spare that cannot be written (a full disk, an I/O error) is deleted and logged at WARN once
 * per failure streak; the thread tries again after {@value #RETRY_MS} ms, and meanwhile rolls create empty segments
 * that grow as before. Nothing the log holds depends on a spare.
 *
 * <p><b>Threads.</b> One thread per open log, asleep while a spare is ready. {@link #take} is called by the appender
 * (under the log's lock); {@link #close} once, by the log's closer. The thread is never interrupted (an interrupt
 * during {@code FileChannel.force} would close the channel).
 */
final class SpareSegment implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);
    /** The spare's file name: no segment's ({@link Segment#parseNumber} and the pending form reject it). */
    static final String FILE = "spare.zeros";
    /** How long the thread waits after a failed spare before it tries again, ms. */
    static final long RETRY_MS = 10_000;
    /** Zeros are written this many bytes at a time, each step's writeback started at once. */
    private static final int STEP = 1 << 20;

    private final Path dir;
    private final Path file;
    private final long bytes;
    private final ChannelOpener opener;
    private final long retryMillis;
    private final Thread thread;
    /** Asked before each spare is written whether the disk budget has room for it; see {@link #start}. */
    private volatile Budget budget;
    /** The active segment's bytes of batches, which pace the zeros; see {@link #start(Budget, LongSupplier)}. */
    private volatile LongSupplier filled;
    private volatile boolean running = true;
    /** Whether a spare is wanted: set by {@link #request} and {@link #take}, never cleared. */
    private volatile boolean wanted;
    /** Set by the thread when the spare file is complete and durable; cleared by {@link #take} and {@link #discard}. */
    private volatile boolean ready;
    /**
     * Bytes of the disk budget the spare holds: {@link #bytes} from its reservation (before it is written) until
     * {@link #take} hands it to a segment, {@link #discard} deletes it, or writing it fails; else 0.
     */
    private final AtomicLong reserved = new AtomicLong();
    /** Spares written since open (tests, metrics). */
    private volatile long prepared;

    /** Whether the disk budget has room for a spare; see {@link #start}. */
    interface Budget {
        /**
         * Reserves {@code bytes} for a spare if the budget has room for them (the log's lock taken, so that no
         * append counts the same room), setting {@code reserved} to them; false if it has not.
         */
        boolean reserve(long bytes, AtomicLong reserved);
    }

    /**
     * Prepares the spare's thread; {@link #start} starts it.
     *
     * @param bytes  the spare's size in bytes ({@link FileLogConfig#segmentBytes()})
     * @param opener how the spare file is opened for writing (segments are opened by the log's own opener)
     */
    SpareSegment(Path dir, long bytes, ChannelOpener opener, String threadName) {
        this(dir, bytes, opener, threadName, RETRY_MS);
    }

    /** As above, waiting {@code retryMillis} after a failed spare (tests). */
    SpareSegment(Path dir, long bytes, ChannelOpener opener, String threadName, long retryMillis) {
        this.retryMillis = retryMillis;
        this.dir = dir;
        this.file = dir.resolve(FILE);
        this.bytes = bytes;
        this.opener = opener;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Starts the thread, which writes the first spare once {@link #request}ed, and each next one when a roll took the
     * last, if {@code budget} has room for it; without room it asks again every second.
     */
    void start(Budget budget) {
        start(budget, () -> bytes);
    }

    /**
     * As {@link #start(Budget)}, pacing the zeros by the active segment's fill: a spare holds at most
     * {@code 4/3 × (filled + 1 MiB)} bytes of zeros while the active segment holds {@code filled} bytes of batches,
     * so it is complete once that one is three quarters full, and the zeros reach the page cache and the device in
     * steps beside the batches rather than in one burst of a whole segment, which delayed group commits' fsyncs
     * behind it (docs/benchmarks.md).
     *
     * @param filled the active segment's bytes of batches, read by this thread (any thread-safe supplier)
     */
    void start(Budget budget, LongSupplier filled) {
        this.budget = budget;
        this.filled = filled;
        thread.start();
    }

    /**
     * Deletes a spare file left in {@code dir} by a log that stopped (it holds no data). Called before the log
     * opens its spare thread.
     */
    static void deleteLeftover(Path dir) throws IOException {
        Files.deleteIfExists(dir.resolve(FILE));
    }

    /**
     * Makes the spare segment {@code number} ({@link Segment#adopt}) if one is ready, and asks the thread for the
     * next; null if none is ready (the caller creates an empty segment). Appender only.
     *
     * @throws IOException if the rename or open fails (the caller may create an empty segment instead)
     */
    Segment take(int number, boolean pending) throws IOException {
        if (!ready) {
            return null;
        }
        try {
            return Segment.adopt(file, dir, number, opener, pending);
        } finally {
            // Only now: the thread writes no new spare over the file while one is ready.
            ready = false;
            wanted = true; // a log that rolls once rolls again: the next spare now, with a whole segment's lead
            reserved.set(0); // the caller counts the segment's bytes from now on
            LockSupport.unpark(thread);
        }
    }

    /**
     * Asks for the first spare (the appender, once the active segment is a quarter full: a log that never fills a
     * segment never writes one). Never blocks; later calls do nothing.
     */
    void request() {
        if (!wanted) {
            wanted = true;
            LockSupport.unpark(thread);
        }
    }

    /**
     * Deletes the spare if one is ready, giving its bytes back to the disk budget (the appender, under the log's
     * lock, before it refuses a batch for want of room); false if none was ready or it could not be deleted. The
     * thread writes the next one once the budget has room again.
     */
    boolean discard() {
        if (!ready) {
            return false;
        }
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("{}: cannot delete the segment written ahead to make room: {}", file, e.toString());
            return false;
        }
        ready = false;
        reserved.set(0);
        return true;
    }

    /** Whether a spare is ready for {@link #take}. */
    boolean ready() {
        return ready;
    }

    /** The spare's size when one is ready, bytes. */
    long bytes() {
        return bytes;
    }

    /** Bytes of the disk budget the spare holds now (0, or its size from reservation to take or discard). */
    long reservedBytes() {
        return reserved.get();
    }

    /** Spares written since open. */
    long prepared() {
        return prepared;
    }

    private void run() {
        boolean failing = false;
        while (running) {
            if (!wanted || ready || (reserved.get() == 0 && !budget.reserve(bytes, reserved))) {
                LockSupport.parkNanos(this, TimeUnit.SECONDS.toNanos(1)); // take() wakes it at once
                continue;
            }
            try {
                write();
                prepared++;
                ready = true;
                failing = false;
            } catch (IOException | RuntimeException e) {
                if (!running) {
                    break; // closed while writing: close deletes the file
                }
                if (!failing) {
                    LOG.warn("{}: cannot write the next segment ahead ({}); new segments grow as they fill until it "
                            + "works again (retried every {} ms)", file, e.toString(), retryMillis);
                }
                failing = true;
                try {
                    Files.deleteIfExists(file);
                } catch (IOException again) {
                    LOG.debug("{}: cannot delete a failed spare: {}", file, again.toString());
                }
                reserved.set(0);
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(retryMillis);
                while (running && System.nanoTime() < until) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
                }
            }
        }
    }

    /** Writes {@link #bytes} zeros into a new spare file, starting each step's writeback, then fsyncs it. */
    private void write() throws IOException {
        ByteBuffer zeros = ByteBuffer.allocateDirect(STEP);
        try (FileChannel ch = opener.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long pos = 0;
            long seen = -1;
            while (pos < bytes && running) {
                long f = filled.getAsLong();
                int step = (int) Math.min(STEP, bytes - pos);
                if (pos + step > (f + STEP) / 3 * 4) {
                    // Ahead of the batches: wait for them (briefly while they come, longer while the log is idle).
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(f != seen ? 2 : 50));
                    seen = f;
                    continue;
                }
                zeros.clear().limit(step);
                long start = pos;
                while (zeros.hasRemaining()) {
                    pos += ch.write(zeros, pos);
                }
                PageCache.startWriteback(file, start, pos - start);
            }
            if (!running) {
                throw new IOException("log closing");
            }
            ch.force(false); // not the group commit's: no data of the log's rides on it
        }
    }

    /**
     * Stops the thread once its current step is done and deletes the spare (it holds no data; the next open writes
     * another). Failing to delete it is logged; the next open deletes it ({@link #deleteLeftover}).
     */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        Threads.joinUninterruptibly(thread);
        ready = false;
        reserved.set(0);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("{}: cannot delete the segment written ahead: {}", file, e.toString());
        }
    }
}
