package io.scalesmall.stream.protocol;

import java.util.Objects;

/**
 * FETCH (type 5), client → node: read a stream from an offset. The node answers with one MESSAGES frame (or an
 * ERROR with the same request id). When {@code fromOffset} is the stream's end offset and {@code waitMillis > 0},
 * the node holds the request until a message arrives or the wait is over (long poll; the node may cap the wait).
 *
 * @param requestId   chosen by the client, echoed in the reply (unsigned 32-bit, opaque)
 * @param stream      the stream's name, 1..255 UTF-8 bytes
 * @param fromOffset  the first offset wanted, 0..2^63-1
 * @param maxMessages at most this many messages, 1..2^31-1
 * @param maxBytes    at most this many bytes of message payload (the first message is sent whatever its size),
 *                    1..2^31-1
 * @param waitMillis  how long to wait for new messages at the end of the stream, ms, 0..2^31-1
 */
public record FetchFrame(int requestId, String stream, long fromOffset, int maxMessages, int maxBytes, int waitMillis)
        implements Frame {
    public FetchFrame {
        Objects.requireNonNull(stream, "stream");
        if (fromOffset < 0 || maxMessages < 1 || maxBytes < 1 || waitMillis < 0) {
            throw new IllegalArgumentException("bad fetch: from " + fromOffset + ", maxMessages " + maxMessages
                    + ", maxBytes " + maxBytes + ", waitMillis " + waitMillis);
        }
    }

    @Override
    public FrameType type() {
        return FrameType.FETCH;
    }
}
