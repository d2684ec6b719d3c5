package io.scalesmall.stream.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * PULL (type 12), node → node: a node taking over as the head of a stream's chain asks another holder of the stream
 * for its offsets and for the messages from {@code fromOffset} on, as stored (docs/wire-format.md §S5.11). The
 * holder answers with zero or more REPLICATE frames (batches as stored, with their producer ids and sequences,
 * consecutive from {@code fromOffset}) then one OFFSETS_REPLY with the same request id, or an ERROR with that id;
 * and it stops accepting the stream's DATA as a head for a while (it is fenced: {@code NOT_HEAD} naming
 * {@code head}), so that nothing it stores later collides with the offsets the new head gives out.
 *
 * @param requestId   chosen by the sender, echoed in the OFFSETS_REPLY or ERROR (unsigned 32-bit, opaque)
 * @param stream      the stream's name, 1..255 UTF-8 bytes
 * @param fromOffset  the first offset wanted, 0..2^63-1
 * @param maxMessages at most this many messages, 0..2^31-1; 0 asks only for the offsets
 * @param maxBytes    at most this many bytes of message payload (the first message is sent whatever its size),
 *                    1..2^31-1
 * @param head        the sender's data address as {@code HOST:PORT} ({@code [v6]:PORT}), 1..255 UTF-8 bytes: what
 *                    the fenced holder names in NOT_HEAD
 */
public record PullFrame(int requestId, String stream, long fromOffset, int maxMessages, int maxBytes, String head)
        implements Frame {
    /** The longest {@code head} text, in UTF-8 bytes. */
    public static final int MAX_HEAD_BYTES = 255;

    public PullFrame {
        Objects.requireNonNull(stream, "stream");
        Objects.requireNonNull(head, "head");
        int h = head.getBytes(StandardCharsets.UTF_8).length;
        if (fromOffset < 0 || maxMessages < 0 || maxBytes < 1 || h < 1 || h > MAX_HEAD_BYTES) {
            throw new IllegalArgumentException("bad pull: from " + fromOffset + ", maxMessages " + maxMessages
                    + ", maxBytes " + maxBytes + ", head of " + h + " bytes");
        }
    }

    @Override
    public FrameType type() {
        return FrameType.PULL;
    }
}
