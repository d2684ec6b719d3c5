package io.scalesmall.stream.protocol;

/**
 * DATA (type 3) as {@link FrameDecoder#decodeInPlace} returns it: the same frame as {@link DataFrame}, its messages
 * left in the frame buffer ({@link WireMessages}) instead of copied into an array each -- the server's append path.
 * Valid only until the frame buffer is released (see {@link WireMessages}).
 *
 * @param firstSequence the first message's sequence number, 0..2^63-1
 * @param messages      at least one message, a view of the frame buffer
 */
public record DataView(long firstSequence, WireMessages messages) implements Frame {
    public DataView {
        if (firstSequence < 0) {
            throw new IllegalArgumentException("firstSequence must be >= 0, got " + firstSequence);
        }
        if (messages.count() < 1) {
            throw new IllegalArgumentException("a DATA frame holds at least one message");
        }
    }

    /** @return the last message's sequence number */
    public long lastSequence() {
        return firstSequence + messages.count() - 1;
    }

    @Override
    public FrameType type() {
        return FrameType.DATA;
    }
}
