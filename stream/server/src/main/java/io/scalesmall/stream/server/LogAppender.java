package io.scalesmall.stream.server;

import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.util.List;

/**
 * The one place the server appends to the log: a DATA batch of a producer session.
 *
 * <p>Idempotence: with a non-zero producer id the append must go through the log's idempotent append (producer id
 * + sequences, after Kafka's KIP-98), so that a batch resent after a lost connection is not stored twice. Until
 * that API lands (branch issue5-log) this appends plainly: a resent batch IS stored again. Stateless; thread-safe
 * as the log is.
 */
final class LogAppender {
    /**
     * What an append did.
     *
     * @param firstOffset the offset of the batch's first message (its original offset if it had been stored before)
     * @param duplicates  how many leading messages were stored before and not stored again
     * @param newOffset   the offset of the first newly stored message, or -1 when unknown or none was stored
     */
    record Appended(long firstOffset, int duplicates, long newOffset) {
    }

    private final MessageLog log;

    LogAppender(MessageLog log) {
        this.log = log;
    }

    /**
     * @throws IOException and the log's unchecked exceptions (message too large, bad name) as the log throws them
     */
    Appended append(String stream, long producerId, long firstSequence, List<byte[]> messages) throws IOException {
        long base = log.append(stream, messages);
        return new Appended(base, 0, base);
    }
}
