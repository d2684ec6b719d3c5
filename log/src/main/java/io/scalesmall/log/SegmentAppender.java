package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write side of a {@link FileMessageLog}: sealing a batch at its stream's end offset, the disk budget, the
 * active segment and rolling to a new one, writing a record and undoing a failed write, indexing it, the byte
 * counts the group commit works from, and feeding the {@link BatchCache}.
 *
 * <p><b>Failures.</b> A write that fails (ENOSPC, EIO) is cut back off its segment, so nothing of it is ever read
 * or left between records; if even the cut fails, appends are refused until a later one manages it. ENOSPC is
 * reported as {@link LogFullException}. After a failed fsync ({@link GroupCommit#failure()}) appends are refused
 * for good: the log must be reopened.
 *
 * <p>Threads: every method but the getters is called under the log's append lock; the getters read volatile fields.
 */
final class SegmentAppender {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileMessageLog.class);
    /** What the disk budget calls before it refuses a batch: the log's retention, at the append's time. */
    interface MakeRoom {
        void dropExpired(long nowMillis) throws IOException;
    }

    private final Path dir;
    private final FileLogConfig config;
    private final GroupCommit commit;
    /** The log's streams; this class adds to them. */
    private final Map<String, StreamIndex> streams;
    /** The log's open segments by number; this class adds to it. */
    private final Map<Integer, Segment> segments;
    private final BatchCache cache;
    private final MakeRoom makeRoom;
    private final ChannelOpener opener;
    /** Woken when a roll was queued; told of each {@link FileLogConfig#writebackBytes()} written. */
    private final LogSyncer syncer;
    /** The next segment's file written ahead, or null when the log grows its segments as they fill. */
    private final SpareSegment spare;
    /** Writes placed records behind the appender, or null when the appender writes them itself. */
    private final SegmentWriter writer;
    /** The segment taking appends. */
    private volatile Segment active;
    /** Bytes appended since open (the group-commit mark). */
    private volatile long appendedBytes;
    /**
     * Bytes of all held segment files, zeros written ahead included ({@link Segment#allocated}): with the spare's
     * reservation, the disk budget's measure. Also lowered by the sync thread when a roll cuts a segment's zeros.
     */
    private final AtomicLong diskBytes = new AtomicLong();
    /** Bytes of batches in all held segments ({@link Segment#size}): retention by size's measure. */
    private volatile long dataBytes;
    /** Bytes of {@link #active} up to which the syncer was told of them ({@link LogSyncer#written}). */
    private long reportedBytes;
    /** Rolls since open, and those that continued in a segment written ahead (metrics). */
    private volatile long rolls;
    private volatile long rollsIntoSpare;
    /** A segment holding bytes of a failed write past its size that could not be cut off yet, or null. */
    private Segment dirty;

    /**
     * Takes over the segments recovery opened (the highest-numbered one becomes active), or creates segment 0 in an
     * empty directory.
     */
    SegmentAppender(Path dir, FileLogConfig config, GroupCommit commit, Map<String, StreamIndex> streams,
            Map<Integer, Segment> segments, BatchCache cache, MakeRoom makeRoom, ChannelOpener opener,
            LogSyncer syncer, SpareSegment spare, SegmentWriter writer) throws IOException {
        this.dir = dir;
        this.config = config;
        this.commit = commit;
        this.streams = streams;
        this.segments = segments;
        this.cache = cache;
        this.makeRoom = makeRoom;
        this.opener = opener;
        this.syncer = syncer;
        this.spare = spare;
        this.writer = writer;
        if (segments.isEmpty()) {
            active = Segment.create(dir, 0, opener);
            segments.put(0, active);
            Segment.syncDirectory(dir);
        } else {
            active = segments.get(segments.keySet().stream().max(Integer::compare).orElseThrow());
        }
        reportedBytes = active.size(); // recovered bytes: left to the next fsync, as before the restart
        long disk = 0;
        long data = 0;
        for (Segment seg : segments.values()) {
            disk += seg.allocated();
            data += seg.size();
        }
        diskBytes.set(disk);
        dataBytes = data;
    }

    /**
     * Appends an encoded batch at the end of {@code stream} and indexes it; returns its base offset. A batch that
     * would take the segments past {@link FileLogConfig#maxDiskBytes()} first makes room by retention, then, if it
     * still does not fit, is refused with {@link LogFullException}. On any failure nothing is visible.
     */
    long append(String stream, BatchRecord.Unsealed unsealed, long now) throws IOException {
        IOException fsyncFailure = commit.failure();
        if (fsyncFailure != null) {
            throw new IOException("log " + dir + " refuses appends since an fsync failed (" + fsyncFailure.getMessage()
                    + "): reopen it to recover", fsyncFailure);
        }
        IOException writeFailure = writer == null ? null : writer.failure();
        if (writeFailure != null) {
            throw new IOException("log " + dir + " refuses appends since a write-behind write failed ("
                    + writeFailure.getMessage() + "): reopen it to recover", writeFailure);
        }
        cutDirtyTail();
        StreamIndex idx = streams.get(stream);
        long base = idx == null ? 0 : idx.end();
        ByteBuffer rec = BatchRecord.seal(unsealed, base, now);
        int length = rec.remaining();
        checkBudget(length, now);
        IOException full = writer == null ? null : writer.full();
        if (full != null) { // the writer waits for room for what it holds: refused, nothing placed
            throw new LogFullException(dir, totalBytes(), length, config.maxDiskBytes(), full);
        }
        Placed at;
        try {
            at = write(rec, now);
        } catch (IOException e) {
            throw LogFullException.isNoSpace(e) && !(e instanceof LogFullException)
                    ? new LogFullException(dir, totalBytes(), length, config.maxDiskBytes(), e) : e;
        }
        if (idx == null) {
            idx = new StreamIndex();
            streams.put(stream, idx);
        }
        idx.add(base, unsealed.count(), at.segment(), at.position(), at.length());
        return base;
    }

    /**
     * Makes sure a record of {@code length} bytes fits in the disk budget: if it would take the log's files past
     * {@link FileLogConfig#maxDiskBytes()}, runs retention, then gives back the spare's room, then, if it still does
     * not fit, throws {@link LogFullException}. Zeros written ahead count as used; a record written over them needs
     * no more room.
     */
    private void checkBudget(int length, long now) throws IOException {
        long max = config.maxDiskBytes();
        if (totalBytes() + growth(length) <= max) {
            return;
        }
        makeRoom.dropExpired(now);
        if (totalBytes() + growth(length) > max && !(spare != null && spare.discard()
                && totalBytes() + growth(length) <= max)) {
            throw new LogFullException(dir, totalBytes(), length, max);
        }
    }

    /** Bytes the log's files hold or the spare has reserved: what the disk budget limits. */
    long totalBytes() {
        return diskBytes.get() + (spare == null ? 0 : spare.reservedBytes());
    }

    /** How many bytes writing a record of {@code length} bytes adds to the files (and reservations) now. */
    private long growth(int length) {
        Segment seg = active;
        if (rollsFor(seg, length)) {
            return spare != null && spare.ready() ? Math.max(0, length - spare.bytes()) : length;
        }
        return Math.max(0, seg.size() + length - seg.allocated());
    }

    private boolean rollsFor(Segment seg, int length) {
        return seg.size() > 0 && seg.size() + length > config.segmentBytes();
    }

    /**
     * Writes a sealed record at the end of the active segment, first rolling to a new segment if it would take the
     * active one past the segment size (the fsync of the one it leaves is queued, not done: {@link GroupCommit}). Returns the record's place; the caller indexes
     * it. On failure the segment is cut back to where the record started, and nothing of it is visible.
     *
     * @param rec the record, {@code rec.array()[0, rec.remaining())}; copied into the cache, not kept (reused)
     */
    private Placed write(ByteBuffer rec, long appendMillis) throws IOException {
        int length = rec.remaining();
        Segment seg = active;
        if (rollsFor(seg, length)) {
            seg = roll(seg);
        }
        long position = seg.size();
        long allocated = seg.allocated();
        long end = position + length;
        boolean report = config.writebackBytes() > 0 && end - reportedBytes >= config.writebackBytes();
        try {
            if (writer == null) {
                seg.append(rec);
            } else {
                seg.place(length);
                writer.submit(seg, position, rec.array(), length, appendedBytes + length, report ? reportedBytes : 0,
                        report ? end : 0);
            }
        } catch (IOException e) {
            try {
                seg.truncate(position); // a partial write must not stay: the next record goes here
            } catch (IOException again) {
                e.addSuppressed(again);
                dirty = seg; // the segment's size still says position; cut before anything else is written
            }
            throw e;
        } finally {
            diskBytes.addAndGet(seg.allocated() - allocated);
        }
        seg.sawBatch(appendMillis);
        appendedBytes += length;
        dataBytes += length;
        if (spare != null && seg.size() >= config.segmentBytes() / 4) {
            spare.request();
        }
        cache.put(seg.number, position, rec.array(), length);
        if (report) {
            if (writer == null) {
                syncer.written(seg, reportedBytes, end);
            }
            reportedBytes = end;
        }
        return new Placed(seg.number, position, length);
    }

    /**
     * Cuts off what a failed write left past the end of its segment, if an earlier attempt could not; until that
     * succeeds nothing is written (nor a new segment started, which would leave the bytes inside the log).
     */
    private void cutDirtyTail() throws IOException {
        if (dirty == null) {
            return;
        }
        long allocated = dirty.allocated();
        try {
            dirty.truncate(dirty.size());
        } catch (IOException e) {
            throw new IOException("log " + dir + " refuses appends: a failed write left bytes after byte "
                    + dirty.size() + " of " + dirty.path + " that cannot be cut off yet (" + e.getMessage() + ")", e);
        } finally {
            diskBytes.addAndGet(dirty.allocated() - allocated);
        }
        dirty = null;
    }

    /** Where a record went. */
    record Placed(int segment, long position, int length) {
    }

    /**
     * Leaves {@code left} for a new segment under its pending name (no fsync here: the roll is queued for the
     * {@link LogSyncer}, and the file's name says until then that {@code left} may not be durable): the spare
     * written ahead if one is ready, else an empty file.
     */
    private Segment roll(Segment left) throws IOException {
        Segment next = null;
        if (spare != null) {
            try {
                next = spare.take(left.number + 1, true);
            } catch (IOException e) {
                LOG.warn("{}: cannot use the segment written ahead ({}); starting an empty one", dir, e.toString());
            }
        }
        if (next == null) {
            next = Segment.create(dir, left.number + 1, opener, true);
        } else {
            rollsIntoSpare++;
        }
        rolls++;
        segments.put(next.number, next);
        diskBytes.addAndGet(next.allocated());
        // before next becomes active
        commit.rolled(new GroupCommit.Roll(dir, left, next, appendedBytes, cut -> diskBytes.addAndGet(-cut),
                writer == null ? GroupCommit.Written.NONE : writer::awaitWritten));
        active = next;
        reportedBytes = 0;
        syncer.wake();
        return next;
    }

    /** Takes retention's dropped segments (closed, deleted or no longer counted) out of the byte counts. */
    void dropped(List<Segment> gone) {
        long disk = 0;
        long data = 0;
        for (Segment seg : gone) {
            disk += seg.allocated();
            data += seg.size();
        }
        diskBytes.addAndGet(-disk);
        dataBytes -= data;
    }

    /** The group commit's view of this appender. */
    GroupCommit.Log commitView() {
        return new GroupCommit.Log() {
            @Override
            public long appendedBytes() {
                return appendedBytes;
            }

            @Override
            public long writtenBytes() {
                return writer == null ? appendedBytes : writer.writtenBytes();
            }

            @Override
            public void awaitWritten(long mark) throws IOException {
                if (writer != null) {
                    writer.awaitWritten(mark);
                }
            }

            @Override
            public FileChannel activeChannel() {
                return active.channel;
            }
        };
    }

    Segment active() {
        return active;
    }

    /** Rolls since open. */
    long rolls() {
        return rolls;
    }

    /** Rolls since open that continued in a segment written ahead. */
    long rollsIntoSpare() {
        return rollsIntoSpare;
    }

    /** Bytes of the held segment files, zeros written ahead included. */
    long segmentFileBytes() {
        return diskBytes.get();
    }

    /** Bytes of batches in all held segments: what {@link FileLogConfig#retentionBytes()} limits. */
    long dataBytes() {
        return dataBytes;
    }
}
