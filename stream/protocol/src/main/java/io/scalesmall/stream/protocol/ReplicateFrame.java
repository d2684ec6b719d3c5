package io.scalesmall.stream.protocol;

import java.util.List;

/**
 * REPLICATE (type 10), upstream node → downstream node: messages of the session's stream at offsets
 * {@code firstOffset .. firstOffset + messages.size() - 1}, as the chain's head assigned them (chain replication,
 * docs/wire-format.md §S5.9). The receiver stores exactly these offsets: messages below its end offset are already
 * held and skipped (a resend after a failover), a first offset above its end is a gap
 * ({@link ErrorCode#OFFSET_GAP}). Sent only on a session whose INIT had hop &ge; 1.
 *
 * @param firstOffset   the first message's offset in the stream, 0..2^63-1 (the last one must not pass it either)
 * @param producerId    the producer that sent the batch to the head, so that a replica keeps the same idempotence
 *                      state (producer id and sequences) as the head; 0 = unknown (messages re-read from the log,
 *                      stored plainly)
 * @param firstSequence the first message's producer sequence (the others follow, +1 each), 0..2^63-1; 0 when
 *                      {@code producerId} is 0
 * @param messages      at least one message. Arrays belong to the frame's owner.
 */
public record ReplicateFrame(long firstOffset, long producerId, long firstSequence, List<byte[]> messages)
        implements Frame {
    public ReplicateFrame {
        messages = List.copyOf(messages);
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a REPLICATE frame holds at least one message");
        }
        if (firstOffset < 0 || firstOffset > Long.MAX_VALUE - messages.size()) {
            throw new IllegalArgumentException("bad first offset " + firstOffset);
        }
        if (firstSequence < 0 || firstSequence > Long.MAX_VALUE - messages.size()
                || producerId == 0 && firstSequence != 0) {
            throw new IllegalArgumentException("bad first sequence " + firstSequence + " for producer " + producerId);
        }
    }

    /** @return the offset after the last message */
    public long endOffset() {
        return firstOffset + messages.size();
    }

    @Override
    public FrameType type() {
        return FrameType.REPLICATE;
    }
}
