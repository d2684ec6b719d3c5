package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a segment from its start during recovery, checking every batch (plausible header, whole record, CRC32C)
 * and handing each valid one to a {@link Visitor}. It stops at the first bad batch. If nothing but zeros follows,
 * those were written ahead ({@link SpareSegment}) and the segment simply ends there; otherwise, for the last segment
 * that is where the torn tail starts, and for any other segment the caller reports corruption. Reads in large
 * chunks, so a 64 MiB segment costs a few dozen reads, not one per batch.
 */
final class SegmentScanner {
    /**
     * Receives each valid batch, in file order. May reject it (e.g. an offset gap). {@code producerId} is 0 for a
     * batch without producer fields, and {@code firstSequence} then -1.
     */
    interface Visitor {
        void batch(String stream, long baseOffset, int count, long appendMillis, long producerId, long firstSequence,
                long position, int length) throws IOException;
    }

    /**
     * The outcome.
     *
     * @param validBytes the bytes of whole valid batches from the start; where a torn tail or the zeros start
     * @param problem    why the batch at {@code validBytes} is bad, or null when the file holds nothing else after
     *                   its valid batches but zeros (written ahead, {@link SpareSegment})
     * @param zeroBytes  the zeros after the valid batches, up to the file's end (0 when {@code problem} is set)
     */
    record Result(long validBytes, long batches, String problem, long zeroBytes) {
    }

    private static final int CHUNK = 1 << 20;
    /** CHUNK zero bytes, compared with (never written). */
    private static final ByteBuffer ZEROS = ByteBuffer.allocate(CHUNK).asReadOnlyBuffer();

    private final Segment segment;
    private final long fileSize;
    /** Holds file bytes [bufStart, bufStart + buf.limit()). */
    private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private long bufStart;
    /** Why the batch {@link #next} looked at last is bad; null if it is not. */
    private String problem;

    private SegmentScanner(Segment segment) throws IOException {
        this.segment = segment;
        this.fileSize = segment.channel.size();
        buf.limit(0);
    }

    static Result scan(Segment segment, Visitor visitor) throws IOException {
        return new SegmentScanner(segment).run(visitor);
    }

    private Result run(Visitor visitor) throws IOException {
        long pos = 0;
        long batches = 0;
        while (pos < fileSize) {
            int length = next(pos, visitor);
            if (length < 0) {
                return zerosFrom(pos) ? new Result(pos, batches, null, fileSize - pos)
                        : new Result(pos, batches, problem, 0);
            }
            batches++;
            pos += length;
        }
        return new Result(pos, batches, null, 0);
    }

    /**
     * Checks the batch at {@code pos} and hands it to the visitor; returns its length in bytes, or -1 with
     * {@link #problem} saying why it is bad.
     */
    private int next(long pos, Visitor visitor) throws IOException {
        if (fileSize - pos < BatchRecord.HEADER_BYTES) {
            problem = "torn header: " + (fileSize - pos) + " bytes left";
            return -1;
        }
        int at = load(pos, BatchRecord.HEADER_BYTES);
        problem = BatchRecord.headerProblem(buf, at);
        if (problem != null) {
            return -1;
        }
        int length = BatchRecord.recordLength(buf, at);
        if (pos + length > fileSize) {
            problem = "torn batch: " + length + " bytes long, " + (fileSize - pos) + " bytes left";
            return -1;
        }
        at = load(pos, length);
        int crc = BatchRecord.crc(buf, at, length);
        if (crc != buf.getInt(at + BatchRecord.CRC_AT)) {
            problem = "CRC32C mismatch";
            return -1;
        }
        problem = BatchRecord.producerProblem(buf, at);
        if (problem != null) {
            return -1;
        }
        visitor.batch(BatchRecord.streamName(buf, at), BatchRecord.baseOffset(buf, at), BatchRecord.count(buf, at),
                BatchRecord.appendMillis(buf, at), BatchRecord.producerId(buf, at), BatchRecord.firstSequence(buf, at),
                pos, length);
        return length;
    }

    /** Whether every byte from {@code pos} to the file's end is zero (zeros written ahead, not a torn tail). */
    private boolean zerosFrom(long pos) throws IOException {
        for (long p = pos; p < fileSize; ) {
            int n = (int) Math.min(CHUNK, fileSize - p);
            int at = load(p, n);
            if (buf.slice(at, n).mismatch(ZEROS.slice(0, n)) >= 0) {
                return false;
            }
            p += n;
        }
        return true;
    }

    /** Makes file bytes [pos, pos + n) available in {@code buf}; returns the index of pos. The file has them. */
    private int load(long pos, int n) throws IOException {
        if (pos >= bufStart && pos + n <= bufStart + buf.limit()) {
            return (int) (pos - bufStart);
        }
        if (n > buf.capacity()) {
            buf = ByteBuffer.allocate(n);
        }
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), fileSize - pos));
        bufStart = pos;
        segment.readFully(buf, pos);
        buf.flip();
        return 0;
    }
}
