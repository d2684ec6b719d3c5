package io.scalesmall.log;

/**
 * A read asked for an offset the stream does not hold: past its end offset, or before its first offset (dropped
 * by retention; the message then names the first offset still available, where a consumer may resume).
 */
public final class OffsetOutOfRangeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long firstOffset;
    private final long endOffset;

    public OffsetOutOfRangeException(String stream, long requested, long firstOffset, long endOffset) {
        super("offset " + requested + " of stream '" + stream + "' is outside [" + firstOffset + ", " + endOffset + "]"
                + (requested < firstOffset ? ": dropped by retention, the first available offset is " + firstOffset
                        : ""));
        this.requested = requested;
        this.firstOffset = firstOffset;
        this.endOffset = endOffset;
    }

    public long requested() {
        return requested;
    }

    public long firstOffset() {
        return firstOffset;
    }

    public long endOffset() {
        return endOffset;
    }
}
