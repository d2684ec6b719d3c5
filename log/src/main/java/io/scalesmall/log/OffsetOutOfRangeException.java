package io.scalesmall.log;

/** A read asked for an offset the stream does not hold: before its first offset or past its end offset. */
public final class OffsetOutOfRangeException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final long requested;
    private final long firstOffset;
    private final long endOffset;

    public OffsetOutOfRangeException(String stream, long requested, long firstOffset, long endOffset) {
        super("offset " + requested + " of stream '" + stream + "' is outside [" + firstOffset + ", " + endOffset + "]");
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
