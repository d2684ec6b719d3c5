package io.scalesmall.stream.protocol;

/**
 * OFFSETS_REPLY (type 8), node → client.
 *
 * @param requestId   the OFFSETS request's id
 * @param firstOffset the offset of the oldest message held (the end offset when none is held), 0..2^63-1
 * @param endOffset   the offset the next message will get, firstOffset..2^63-1
 */
public record OffsetsReplyFrame(int requestId, long firstOffset, long endOffset) implements Frame {
    public OffsetsReplyFrame {
        if (firstOffset < 0 || endOffset < firstOffset) {
            throw new IllegalArgumentException("bad offsets: first " + firstOffset + ", end " + endOffset);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.OFFSETS_REPLY;
    }
}
