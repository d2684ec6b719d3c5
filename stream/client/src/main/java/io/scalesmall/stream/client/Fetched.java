package io.scalesmall.stream.client;

import java.util.List;

/**
 * Messages read from a stream.
 *
 * @param fromOffset  the offset of the first message (the offset asked for)
 * @param firstOffset the stream's first offset when it was read
 * @param endOffset   the stream's end offset when it was read (the next message's offset)
 * @param messages    consecutive messages from fromOffset; empty at the end of the stream. Unmodifiable; the arrays
 *                    belong to the caller.
 */
public record Fetched(long fromOffset, long firstOffset, long endOffset, List<byte[]> messages) {
    public Fetched {
        messages = List.copyOf(messages);
    }

    /** @return where the next fetch starts: fromOffset + number of messages */
    public long nextOffset() {
        return fromOffset + messages.size();
    }
}
