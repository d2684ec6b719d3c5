package io.scalesmall.stream.protocol;

import java.util.List;

/**
 * DATA (type 3), client → node: a batch of messages with consecutive sequence numbers
 * {@code firstSequence .. firstSequence + messages.size() - 1}. The node stores the batch atomically and assigns
 * offsets; a batch resent with the same sequences (same producer id) is not stored twice.
 *
 * @param firstSequence the first message's sequence number, 0..2^63-1
 * @param messages      at least one message; each 0..(frame limit) bytes. Arrays belong to the frame's owner.
 */
public record DataFrame(long firstSequence, List<byte[]> messages) implements Frame {
    public DataFrame {
        if (firstSequence < 0) {
            throw new IllegalArgumentException("firstSequence must be >= 0, got " + firstSequence);
        }
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a DATA frame holds at least one message");
        }
    }

    /** @return the last message's sequence number */
    public long lastSequence() {
        return firstSequence + messages.size() - 1;
    }

    @Override
    public FrameType type() {
        return FrameType.DATA;
    }
}
