package io.scalesmall.log;

import java.util.List;
import java.util.Objects;

/**
 * Messages read from a stream with the producer fields of the batch they were stored in
 * ({@link MessageLog#readBatches}): what a replica needs to rebuild the idempotence state of the node it copies.
 *
 * @param firstOffset   the offset of the first message, at least 0
 * @param producerId    the producer of the stored batch, or 0 when it carries none (a plain append, or a log that
 *                      does not keep producer fields on its read path)
 * @param firstSequence the producer sequence of the first message returned (the others follow, +1 each); 0 when
 *                      {@code producerId} is 0
 * @param messages      at least one message, consecutive from {@code firstOffset}; unmodifiable, arrays owned by the
 *                      caller
 */
public record StoredBatch(long firstOffset, long producerId, long firstSequence, List<byte[]> messages) {
    public StoredBatch {
        messages = List.copyOf(Objects.requireNonNull(messages, "messages"));
        if (firstOffset < 0 || messages.isEmpty() || firstSequence < 0 || producerId == 0 && firstSequence != 0) {
            throw new IllegalArgumentException("bad stored batch: offset " + firstOffset + ", producer "
                    + Long.toHexString(producerId) + ", sequence " + firstSequence + ", " + messages.size()
                    + " messages");
        }
    }

    /** @return the offset after the last message */
    public long endOffset() {
        return firstOffset + messages.size();
    }
}
