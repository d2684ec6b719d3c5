package io.scalesmall.stream.protocol;

import java.util.Objects;

/**
 * OFFSETS (type 7), client → node: ask a stream's first and end offsets.
 *
 * @param requestId chosen by the client, echoed in the reply
 * @param stream    the stream's name, 1..255 UTF-8 bytes
 */
public record OffsetsFrame(int requestId, String stream) implements Frame {
    public OffsetsFrame {
        Objects.requireNonNull(stream, "stream");
    }

    @Override
    public FrameType type() {
        return FrameType.OFFSETS;
    }
}
