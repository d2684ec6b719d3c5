package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Reads a segment from its start during recovery, checking every batch (plausible header, whole record, CRC32C)
 * and handing each valid one to a {@link Visitor}. It stops at the first bad batch: for the last segment that is
 * where the torn tail starts; for any other segment the caller reports corruption. Reads in large chunks, so a
 * 64 MiB segment costs a few dozen reads, not one per batch.
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
     * @param validBytes the bytes of whole valid batches from the start; the file's size when {@code problem} is
     *                   null
     * @param problem    why the batch at {@code validBytes} is bad, or null when the whole file is valid
     */
    record Result(long validBytes, long batches, String problem) {
    }

    private static final int CHUNK = 1 << 20;

    private final Segment segment;
    private final long fileSize;
    /** Holds file bytes [bufStart, bufStart + buf.limit()). */
    private ByteBuffer buf = ByteBuffer.allocate(CHUNK);
    private long bufStart;

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
            if (fileSize - pos < BatchRecord.HEADER_BYTES) {
                return new Result(pos, batches, "torn header: " + (fileSize - pos) + " bytes left");
            }
            int at = load(pos, BatchRecord.HEADER_BYTES);
            String problem = BatchRecord.headerProblem(buf, at);
            if (problem != null) {
                return new Result(pos, batches, problem);
            }
            int length = BatchRecord.recordLength(buf, at);
            if (pos + length > fileSize) {
                return new Result(pos, batches, "torn batch: " + length + " bytes long, " + (fileSize - pos)
                        + " bytes left");
            }
            at = load(pos, length);
            int crc = BatchRecord.crc(buf, at, length);
            if (crc != buf.getInt(at + BatchRecord.CRC_AT)) {
                return new Result(pos, batches, "CRC32C mismatch");
            }
            problem = BatchRecord.producerProblem(buf, at);
            if (problem != null) {
                return new Result(pos, batches, problem);
            }
            visitor.batch(BatchRecord.streamName(buf, at), BatchRecord.baseOffset(buf, at),
                    BatchRecord.count(buf, at), BatchRecord.appendMillis(buf, at), BatchRecord.producerId(buf, at),
                    BatchRecord.firstSequence(buf, at), pos, length);
            batches++;
            pos += length;
        }
        return new Result(pos, batches, null);
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
