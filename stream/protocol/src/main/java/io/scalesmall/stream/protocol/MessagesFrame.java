package io.scalesmall.stream.protocol;

import java.util.List;

/**
 * MESSAGES (type 6), node → client: the reply to a FETCH.
 *
 * @param requestId   the FETCH's request id
 * @param fromOffset  the offset of the first message (the FETCH's fromOffset), 0..2^63-1
 * @param firstOffset the stream's first offset when it was read
 * @param endOffset   the stream's end offset when it was read (the offset the next message will get)
 * @param messages    consecutive messages from fromOffset; empty at the end of the stream
 */
public record MessagesFrame(int requestId, long fromOffset, long firstOffset, long endOffset, List<byte[]> messages)
        implements Frame {
    public MessagesFrame {
        messages = List.copyOf(messages);
        if (fromOffset < 0 || firstOffset < 0 || endOffset < firstOffset
                || fromOffset + messages.size() > endOffset && !messages.isEmpty()) {
            throw new IllegalArgumentException("bad offsets: from " + fromOffset + ", first " + firstOffset + ", end "
                    + endOffset + ", " + messages.size() + " messages");
        }
    }

    /** @return the offset after the last message: where the next FETCH starts */
    public long nextOffset() {
        return fromOffset + messages.size();
    }

    @Override
    public FrameType type() {
        return FrameType.MESSAGES;
    }
}
