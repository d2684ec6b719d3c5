package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Map;

/**
 * The write side of a {@link FileMessageLog}: sealing a batch at its stream's end offset, the disk budget, the
 * active segment and rolling to a new one, writing a record and undoing a failed write, indexing it, the byte
 * counts the group commit works from, and feeding the {@link BatchCache}.
 *
 * <p>Threads: every method but the getters is called under the log's append lock; the getters read volatile fields.
 */
final class SegmentAppender {
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
    /** The segment taking appends. */
    private volatile Segment active;
    /** Bytes appended since open (the group-commit mark). */
    private volatile long appendedBytes;
    /** Bytes of all held segments (the disk budget's measure). */
    private volatile long diskBytes;

    /**
     * Takes over the segments recovery opened (the highest-numbered one becomes active), or creates segment 0 in an
     * empty directory.
     */
    SegmentAppender(Path dir, FileLogConfig config, GroupCommit commit, Map<String, StreamIndex> streams,
            Map<Integer, Segment> segments, BatchCache cache, MakeRoom makeRoom) throws IOException {
        this.dir = dir;
        this.config = config;
        this.commit = commit;
        this.streams = streams;
        this.segments = segments;
        this.cache = cache;
        this.makeRoom = makeRoom;
        if (segments.isEmpty()) {
            newSegment(0);
        } else {
            active = segments.get(segments.keySet().stream().max(Integer::compare).orElseThrow());
        }
        recount();
    }

    /**
     * Appends an encoded batch at the end of {@code stream} and indexes it; returns its base offset. A batch that
     * would take the segments past {@link FileLogConfig#maxDiskBytes()} first makes room by retention, then, if it
     * still does not fit, is refused with {@link LogFullException}. On any failure nothing is visible.
     */
    long append(String stream, BatchRecord.Unsealed unsealed, long now) throws IOException {
        StreamIndex idx = streams.get(stream);
        long base = idx == null ? 0 : idx.end();
        ByteBuffer rec = BatchRecord.seal(unsealed, base, now);
        int length = rec.remaining();
        if (diskBytes + length > config.maxDiskBytes()) {
            makeRoom.dropExpired(now);
            if (diskBytes + length > config.maxDiskBytes()) {
                throw new LogFullException(dir, diskBytes, length, config.maxDiskBytes());
            }
        }
        Placed at = write(rec, now);
        if (idx == null) {
            idx = new StreamIndex();
            streams.put(stream, idx);
        }
        idx.add(base, unsealed.count(), at.segment(), at.position(), at.length());
        return base;
    }

    /**
     * Writes a sealed record at the end of the active segment, first rolling to a new segment if it would take the
     * active one past the segment size (fsyncing the one it leaves). Returns the record's place; the caller indexes
     * it. On failure the segment is cut back to where the record started, and nothing of it is visible.
     *
     * @param rec the record, {@code rec.array()[0, rec.remaining())}; cached by reference (not changed afterwards)
     */
    private Placed write(ByteBuffer rec, long appendMillis) throws IOException {
        int length = rec.remaining();
        Segment seg = active;
        if (seg.size() > 0 && seg.size() + length > config.segmentBytes()) {
            commit.syncRolled(seg.channel, appendedBytes);
            seg = newSegment(seg.number + 1);
        }
        long position = seg.size();
        try {
            seg.append(rec);
        } catch (IOException e) {
            try {
                seg.truncate(position);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        seg.sawBatch(appendMillis);
        appendedBytes += length;
        diskBytes += length;
        cache.put(seg.number, position, rec.array(), length);
        return new Placed(seg.number, position, length);
    }

    /** Where a record went. */
    record Placed(int segment, long position, int length) {
    }

    private Segment newSegment(int number) throws IOException {
        Segment seg = Segment.create(dir, number);
        segments.put(number, seg);
        Segment.syncDirectory(dir);
        active = seg;
        return seg;
    }

    /** Recounts {@link #diskBytes()} from the segments held (after retention dropped some). */
    void recount() {
        long sum = 0;
        for (Segment s : segments.values()) {
            sum += s.size();
        }
        diskBytes = sum;
    }

    /** The group commit's view of this appender. */
    GroupCommit.Log commitView() {
        return new GroupCommit.Log() {
            @Override
            public long appendedBytes() {
                return appendedBytes;
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

    /** Bytes of all segment files held: what {@link FileLogConfig#maxDiskBytes()} limits. */
    long diskBytes() {
        return diskBytes;
    }
}
