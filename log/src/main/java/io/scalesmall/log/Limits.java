package io.scalesmall.log;

import io.scalesmall.topology.StreamKeys;
import java.util.List;
import java.util.Objects;

/** Argument checks shared by every {@link MessageLog}, so that all implementations reject the same inputs. */
final class Limits {
    private Limits() {
    }

    /** The stream name's UTF-8 bytes, checked by the rule routing uses too ({@link StreamKeys#nameBytes}). */
    static byte[] streamNameBytes(String stream) {
        return StreamKeys.nameBytes(stream);
    }

    /** Checks a batch; returns its size counted as {@code sum(length + 4)}. */
    static int checkBatch(MessageBatch messages) {
        Objects.requireNonNull(messages, "messages");
        if (messages.count() == 0) {
            throw new IllegalArgumentException("a batch holds at least one message");
        }
        if (messages.maxLength() > MessageLog.MAX_MESSAGE_BYTES) {
            throw new MessageTooLargeException("message", messages.maxLength(), MessageLog.MAX_MESSAGE_BYTES);
        }
        if (messages.bodyBytes() > MessageLog.MAX_BATCH_BYTES) {
            throw new MessageTooLargeException("batch", messages.bodyBytes(), MessageLog.MAX_BATCH_BYTES);
        }
        return (int) messages.bodyBytes();
    }

    /** Checks a batch; returns its size counted as {@code sum(length + 4)}. */
    static int checkBatch(List<byte[]> messages) {
        Objects.requireNonNull(messages, "messages");
        if (messages.isEmpty()) {
            throw new IllegalArgumentException("a batch holds at least one message");
        }
        long total = 0;
        for (byte[] m : messages) {
            Objects.requireNonNull(m, "message");
            if (m.length > MessageLog.MAX_MESSAGE_BYTES) {
                throw new MessageTooLargeException("message", m.length, MessageLog.MAX_MESSAGE_BYTES);
            }
            total += m.length + 4L;
        }
        if (total > MessageLog.MAX_BATCH_BYTES) {
            throw new MessageTooLargeException("batch", total, MessageLog.MAX_BATCH_BYTES);
        }
        return (int) total;
    }

    /**
     * Checks an idempotent append's producer fields for a batch of {@code count} messages: the producer id is not 0,
     * the first sequence is at least 0, and the last one ({@code firstSequence + count - 1}) does not overflow.
     */
    static void checkProducer(long producerId, long firstSequence, int count) {
        if (producerId == 0) {
            throw new IllegalArgumentException("producer id 0 means no producer; an idempotent append needs another");
        }
        if (firstSequence < 0) {
            throw new IllegalArgumentException("firstSequence must be >= 0, got " + firstSequence);
        }
        if (firstSequence > Long.MAX_VALUE - (count - 1)) {
            throw new IllegalArgumentException("sequences " + firstSequence + " + " + count + " messages overflow");
        }
    }

    /** Checks read bounds (not the offset range, which needs the stream). */
    static void checkRead(long fromOffset, int maxMessages, int maxBytes) {
        if (fromOffset < 0) {
            throw new IllegalArgumentException("fromOffset must be >= 0, got " + fromOffset);
        }
        if (maxMessages < 1) {
            throw new IllegalArgumentException("maxMessages must be >= 1, got " + maxMessages);
        }
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be >= 1, got " + maxBytes);
        }
    }
}
