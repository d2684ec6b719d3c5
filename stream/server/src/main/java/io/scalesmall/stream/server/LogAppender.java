package io.scalesmall.stream.server;

import io.scalesmall.log.AppendResult;
import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.util.List;

/**
 * The one place the server appends to the log: a DATA batch of a producer session. With a non-zero producer id
 * it uses the log's idempotent append ({@link MessageLog#append(String, long, long, List)}, producer id + sequences,
 * after Kafka's KIP-98), so that a batch resent after a lost connection is not stored twice; with producer id 0 it
 * appends plainly. Stateless; thread-safe as the log is.
 */
final class LogAppender {
    /**
     * What an append did.
     *
     * @param firstOffset the offset of the batch's first message (its original offset if it had been stored before)
     * @param duplicates  how many leading messages were stored before and not stored again
     * @param newOffset   the offset of the first newly stored message, or -1 when none was stored or the log does
     *                    not say (a batch that was part duplicate: the log returns only the duplicates' offset)
     */
    record Appended(long firstOffset, int duplicates, long newOffset) {
    }

    private final MessageLog log;

    LogAppender(MessageLog log) {
        this.log = log;
    }

    /**
     * @throws io.scalesmall.log.DuplicateSequenceException if the batch repeats sequences the log no longer knows
     *         the offsets of (nothing stored)
     * @throws IOException and the log's unchecked exceptions (message too large, bad name) as the log throws them
     */
    Appended append(String stream, long producerId, long firstSequence, List<byte[]> messages) throws IOException {
        if (producerId == 0) {
            long base = log.append(stream, messages);
            return new Appended(base, 0, base);
        }
        AppendResult r = log.append(stream, producerId, firstSequence, messages);
        return new Appended(r.firstOffset(), r.duplicates(), r.duplicates() == 0 ? r.firstOffset() : -1);
    }
}
