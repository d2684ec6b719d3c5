package io.scalesmall.log;

import java.util.List;
import java.util.Objects;

/**
 * Messages read from a stream.
 *
 * @param fromOffset the offset of the first message (the offset that was asked for)
 * @param messages   consecutive messages from {@code fromOffset}; may be empty at the end of the stream. The
 *                   list is unmodifiable; its arrays belong to the caller.
 */
public record ReadResult(long fromOffset, List<byte[]> messages) {
    public ReadResult {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset must be >= 0, got " + fromOffset);
        }
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
    }

    /** The offset after the last message returned: where the next read should start. */
    public long nextOffset() {
        return fromOffset + messages.size();
    }

    /** The number of messages. */
    public int size() {
        return messages.size();
    }
}
