package io.scalesmall.stream.protocol;

/**
 * INIT_OK (type 2), node → client: the producer session is open.
 *
 * @param maxFrameBytes   the largest frame the node accepts, header included, in bytes (a client keeps its DATA
 *                        frames at or below it)
 * @param maxMessageBytes    the largest message the node stores, in bytes
 * @param maxInFlightBatches the most DATA batches the client may have sent and not yet seen acknowledged (or
 *                           refused), at least 1. The node remembers that many recent batches per producer, so a
 *                           resend after a reconnect is always recognised; a client that exceeds it may see its
 *                           resends refused with {@link ErrorCode#DUPLICATE_UNKNOWN}.
 */
public record InitOkFrame(int maxFrameBytes, int maxMessageBytes, int maxInFlightBatches) implements Frame {
    public InitOkFrame {
        if (maxFrameBytes < FrameCodec.HEADER_BYTES || maxMessageBytes < 0 || maxInFlightBatches < 1) {
            throw new IllegalArgumentException("bad limits " + maxFrameBytes + ", " + maxMessageBytes + ", "
                    + maxInFlightBatches);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.INIT_OK;
    }
}
