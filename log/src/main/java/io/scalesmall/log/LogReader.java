package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;

/**
 * The read path of a {@link FileMessageLog}: turns a stream's index snapshot into messages, taking each batch
 * from the {@link BatchCache} when it is there (and still there once decoded) and otherwise from its segment file
 * with a positional read, whose CRC32C it checks again (the disk may have changed since recovery). Cached records
 * were built in this process and are not checked again.
 *
 * <p>Threads: any number of readers at once, without locks: the index snapshot is immutable, segments are read
 * with positional reads, and the cache is concurrent. A segment dropped by retention after the snapshot was taken
 * shows as a {@link ClosedChannelException}, which the log turns into {@link OffsetOutOfRangeException}.
 */
final class LogReader {
    private final Map<Integer, Segment> segments;
    private final BatchCache cache;
    private final SegmentWriter writer;

    /**
     * @param segments the log's open segments by number (read concurrently, changed by the appender only)
     * @param writer   the log's write-behind, whose records a read from a file waits for; null if none
     */
    LogReader(Map<Integer, Segment> segments, BatchCache cache, SegmentWriter writer) {
        this.segments = segments;
        this.writer = writer;
        this.cache = cache;
    }

    /**
     * Reads a stream ({@code idx}, null if never appended to) as {@link MessageLog#read} specifies.
     *
     * @param checkOpen throws {@link IllegalStateException} if the log was closed meanwhile
     * @throws OffsetOutOfRangeException if {@code fromOffset} is outside [first, end] -- also when retention dropped
     *                                   the data while this read ran
     */
    ReadResult read(String stream, StreamIndex idx, long fromOffset, int maxMessages, int maxBytes,
            Runnable checkOpen) throws IOException {
        List<byte[]> out = new ArrayList<>();
        read(stream, idx, fromOffset, maxMessages, maxBytes, checkOpen, (offset, producer, sequence, got) ->
                out.addAll(got));
        return new ReadResult(fromOffset, out);
    }

    /** Receives what a read took from one batch; {@code producerId} 0 when the batch carries no producer fields. */
    interface BatchSink {
        void accept(long firstOffset, long producerId, long firstSequence, List<byte[]> messages);
    }

    /** As {@link #read(String, StreamIndex, long, int, int, Runnable)}, batch by batch, with producer fields. */
    List<StoredBatch> readBatches(String stream, StreamIndex idx, long fromOffset, int maxMessages, int maxBytes,
            Runnable checkOpen) throws IOException {
        List<StoredBatch> out = new ArrayList<>();
        read(stream, idx, fromOffset, maxMessages, maxBytes, checkOpen, (offset, producer, sequence, got) ->
                out.add(new StoredBatch(offset, producer, sequence, got)));
        return out;
    }

    private void read(String stream, StreamIndex idx, long fromOffset, int maxMessages, int maxBytes,
            Runnable checkOpen, BatchSink sink) throws IOException {
        StreamIndex.View v = idx == null ? StreamIndex.View.EMPTY : idx.view();
        if (fromOffset < v.first() || fromOffset > v.end()) {
            throw new OffsetOutOfRangeException(stream, fromOffset, v.first(), v.end());
        }
        try {
            read(v, fromOffset, maxMessages, maxBytes, sink);
        } catch (ClosedChannelException e) {
            checkOpen.run();
            StreamIndex.View now = idx.view(); // retention dropped a segment this read used
            if (fromOffset < now.first()) {
                throw new OffsetOutOfRangeException(stream, fromOffset, now.first(), now.end());
            }
            throw e;
        }
    }

    /**
     * Reads from {@code fromOffset} (within [v.first(), v.end()], checked by the caller) at most
     * {@code maxMessages} messages, stopping before the one that would take the total past {@code maxBytes} --
     * except for the first, which is returned whatever its size.
     *
     * @throws ClosedChannelException if retention dropped a segment the snapshot still names
     * @throws LogCorruptedException  if a record read from disk fails its CRC or does not decode
     */
    private void read(StreamIndex.View v, long fromOffset, int maxMessages, int maxBytes, BatchSink sink)
            throws IOException {
        int taken = 0;
        long next = fromOffset;
        long bytes = 0;
        long[] producer = new long[2];
        for (int i = next < v.end() ? v.find(next) : v.count(); i < v.count() && taken < maxMessages; i++) {
            int skip = (int) (next - v.bases()[i]);
            int max = maxMessages - taken;
            long bytesLeft = maxBytes - bytes;
            List<byte[]> got = fromCache(v, i, skip, max, bytesLeft, taken == 0, producer);
            if (got == null) {
                ByteBuffer rec = fromDisk(v, i);
                try {
                    got = BatchRecord.decode(rec, 0, skip, max, bytesLeft, taken == 0);
                } catch (IllegalArgumentException e) {
                    throw new LogCorruptedException(segmentOf(v, i).path, v.positions()[i], e.getMessage());
                }
                producer[0] = BatchRecord.producerId(rec, 0);
                producer[1] = BatchRecord.firstSequence(rec, 0);
            }
            for (byte[] m : got) {
                bytes += m.length;
            }
            if (!got.isEmpty()) {
                sink.accept(next, producer[0], producer[0] == 0 ? 0 : producer[1] + skip, got);
            }
            taken += got.size();
            next += got.size();
            if (got.size() < v.countOf(i) - skip) {
                break; // a limit stopped us inside this batch
            }
        }
    }

    /**
     * Entry {@code i}'s messages decoded from the cache (its producer id and first sequence into {@code producer}),
     * or null if it is not cached or its chunk was reused while they were decoded (then the caller reads the disk).
     */
    private List<byte[]> fromCache(StreamIndex.View v, int i, int skip, int max, long maxBytes, boolean alwaysOne,
            long[] producer) throws LogCorruptedException {
        BatchCache.Slot slot = cache.get(v.segments()[i], v.positions()[i]);
        if (slot == null) {
            return null;
        }
        List<byte[]> got;
        try {
            got = BatchRecord.decode(slot.buffer(), 0, skip, max, maxBytes, alwaysOne);
            producer[0] = BatchRecord.producerId(slot.buffer(), 0);
            producer[1] = BatchRecord.firstSequence(slot.buffer(), 0);
        } catch (RuntimeException e) { // garbage read from a chunk being reused, or a bug
            if (BatchCache.stillValid(slot)) {
                throw new LogCorruptedException(Path.of("(cache)"), v.positions()[i], "cached batch of segment "
                        + v.segments()[i] + " does not decode: " + e.getMessage());
            }
            return null;
        }
        return BatchCache.stillValid(slot) ? got : null;
    }

    /** Entry {@code i}'s record read from its segment, CRC-checked. */
    private ByteBuffer fromDisk(StreamIndex.View v, int i) throws IOException {
        long position = v.positions()[i];
        Segment seg = segmentOf(v, i);
        if (writer != null) {
            writer.awaitWritten(seg, position + v.lengths()[i]); // not cached, and placed but not yet written
        }
        ByteBuffer rec = seg.read(position, v.lengths()[i]);
        if (BatchRecord.crc(rec, 0, rec.limit()) != rec.getInt(BatchRecord.CRC_AT)) {
            throw new LogCorruptedException(seg.path, position, "CRC32C mismatch on read");
        }
        return rec;
    }

    /** The segment of entry {@code i}; ClosedChannelException if retention dropped it after {@code v} was taken. */
    private Segment segmentOf(StreamIndex.View v, int i) throws ClosedChannelException {
        Segment seg = segments.get(v.segments()[i]);
        if (seg == null) {
            throw new ClosedChannelException();
        }
        return seg;
    }
}
