package io.scalesmall.stream.protocol;

/**
 * INIT_OK (type 2), node → client: the producer session is open.
 *
 * @param maxFrameBytes   the largest frame the node accepts, header included, in bytes (a client keeps its DATA
 *                        frames at or below it)
 * @param maxMessageBytes the largest message the node stores, in bytes
 */
public record InitOkFrame(int maxFrameBytes, int maxMessageBytes) implements Frame {
    public InitOkFrame {
        if (maxFrameBytes < FrameCodec.HEADER_BYTES || maxMessageBytes < 0) {
            throw new IllegalArgumentException("bad limits " + maxFrameBytes + ", " + maxMessageBytes);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.INIT_OK;
    }
}
