package io.scalesmall.stream.server;

import io.scalesmall.log.AppendResult;
import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.OffsetOutOfRangeException;
import io.scalesmall.log.ReadResult;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;

/**
 * The one place the server appends to the log: a DATA batch of a producer session at the head of a chain, and a
 * REPLICATE batch at a replica. With a non-zero producer id it uses the log's idempotent append
 * ({@link MessageLog#append(String, long, long, MessageBatch)}, producer id + sequences, after Kafka's KIP-98), so that a
 * batch resent after a lost connection is not stored twice; with producer id 0 it appends plainly.
 *
 * <p>Appends of one stream are serialised by a striped lock (256 stripes by the name's hash) held across
 * "read the end offset, append, hand the stored messages to the stream's chain link": so the offset of the newly
 * stored part of a partly duplicate batch is known, a replica's check "my end is the batch's first offset" and its
 * append are atomic (the log itself has no append-at-offset), and the chain link sees a stream's batches in offset
 * order. Thread-safe.
 *
 * <p>Batches come as {@link MessageBatch} views (at the head, of the DATA frame's buffer): read during the call only,
 * so the caller may release the bytes once it returned; the forwarder copies what it keeps.
 */
final class LogAppender {
    /** Gets the messages an append stored, in offset order, to forward them down the stream's chain. */
    interface Forwarder {
        /**
         * Called under the stream's lock; must not block. {@code messages} is valid during the call only (it may be
         * a view of a frame buffer released right after): an implementation that forwards later keeps a copy.
         */
        void appended(String stream, long firstOffset, long producerId, long firstSequence, MessageBatch messages);
    }

    /**
     * What an append did.
     *
     * @param firstOffset the offset of the batch's first message (its original offset if it had been stored before)
     * @param duplicates  how many leading messages were stored before and not stored again
     * @param newOffset   the offset of the first newly stored message, or -1 when none was stored
     */
    record Appended(long firstOffset, int duplicates, long newOffset) {
    }

    /** A replica's log no longer matches its upstream's (offsets or producer sequences disagree). */
    static final class DivergedException extends IOException {
        private static final long serialVersionUID = 1L;

        DivergedException(String message) {
            super(message);
        }
    }

    private static final int STRIPES = 256;
    /** Bytes per read when a resend's held messages are compared ({@link #verifyHeld}); at least one message. */
    private static final int VERIFY_READ_BYTES = 4 << 20;

    private final MessageLog log;
    private final Forwarder forwarder;
    private final Object[] locks = new Object[STRIPES];

    LogAppender(MessageLog log, Forwarder forwarder) {
        this.log = log;
        this.forwarder = forwarder;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
    }

    private Object lock(String stream) {
        return locks[(stream.hashCode() & 0x7fff_ffff) % STRIPES];
    }

    /**
     * Appends a producer's batch (at the head: the log assigns the offsets).
     *
     * @throws io.scalesmall.log.DuplicateSequenceException if the batch repeats sequences the log no longer knows
     *         the offsets of (nothing stored)
     * @throws IOException and the log's unchecked exceptions (message too large, bad name) as the log throws them
     */
    Appended append(String stream, long producerId, long firstSequence, MessageBatch messages) throws IOException {
        try {
            return append(stream, producerId, firstSequence, messages, null, 0);
        } catch (Headship.NotHeadException e) {
            throw new AssertionError(e); // no headship to check
        }
    }

    /**
     * As {@link #append(String, long, long, MessageBatch)}, for a session admitted by {@code heads} in {@code generation}:
     * checked under the stream's lock, so that no batch is stored after a {@link #fence}.
     *
     * @param heads null: no check
     * @throws Headship.NotHeadException if the session may not write the stream any more (nothing stored)
     */
    Appended append(String stream, long producerId, long firstSequence, MessageBatch messages, Headship heads,
            int generation) throws IOException, Headship.NotHeadException {
        synchronized (lock(stream)) {
            if (heads != null) {
                Headship.NotHeadException refused = heads.refusal(stream, generation);
                if (refused != null) {
                    throw refused;
                }
            }
            if (producerId == 0) {
                long base = log.append(stream, messages);
                forwarder.appended(stream, base, 0, 0, messages);
                return new Appended(base, 0, base);
            }
            long end = log.endOffset(stream);
            AppendResult r = log.append(stream, producerId, firstSequence, messages);
            int dups = r.duplicates();
            int n = messages.count();
            if (dups == n) {
                return new Appended(r.firstOffset(), dups, -1);
            }
            // The new part went to the stream's end: no other append of this stream ran meanwhile (the lock).
            long newOffset = dups == 0 ? r.firstOffset() : end;
            forwarder.appended(stream, newOffset, producerId, firstSequence + dups,
                    messages.from(dups));
            return new Appended(r.firstOffset(), dups, newOffset);
        }
    }

    /**
     * Fences the stream for a new head ({@link Headship#fence}) under the stream's lock, so that every batch stored
     * here is below the end offset returned.
     *
     * @param head the new head, {@code HOST:PORT}
     * @return the stream's end offset after the fence
     */
    long fence(String stream, Headship heads, String head) {
        synchronized (lock(stream)) {
            heads.fence(stream, head);
            return log.endOffset(stream);
        }
    }

    /**
     * Stores a batch at a replica at exactly the offsets the head gave it: messages below the stream's end offset
     * are already held (a resend), checked to be the same bytes, and skipped; the rest are appended -- with the producer's sequences when
     * {@code producerId} is not 0, so that the replica's idempotence state follows the head's.
     *
     * @return the stream's end offset after the append, or {@code -1 - end} when {@code firstOffset} is above the
     *         end (a gap: nothing stored)
     * @throws DivergedException if the log put the messages elsewhere than the head did (its producer state
     *                           disagrees), or a held message differs from the one sent for its offset; nothing
     *                           consistent can be stored any more
     * @throws IOException       and the log's unchecked exceptions as the log throws them
     */
    long appendAt(String stream, long firstOffset, long producerId, long firstSequence, MessageBatch messages)
            throws IOException {
        synchronized (lock(stream)) {
            long end = log.endOffset(stream);
            if (firstOffset > end) {
                return -1 - end;
            }
            int n = messages.count();
            int skip = (int) Math.min(n, end - firstOffset);
            if (skip > 0) {
                verifyHeld(stream, firstOffset, messages, skip);
            }
            if (skip == n) {
                return end;
            }
            MessageBatch rest = messages.from(skip);
            long at;
            if (producerId != 0) {
                AppendResult r = log.append(stream, producerId, firstSequence + skip, rest);
                at = r.duplicates() == 0 ? r.firstOffset() : -1;
            } else {
                at = log.append(stream, rest);
            }
            if (at != end) {
                throw new DivergedException("stream '" + stream + "': the upstream's offset " + end
                        + " was stored at " + at + " here (producer " + Long.toHexString(producerId) + ")");
            }
            forwarder.appended(stream, end, producerId, producerId == 0 ? 0 : firstSequence + skip, rest);
            return end + rest.count();
        }
    }

    /**
     * Checks that the first {@code skip} messages of a resend, which this node holds already, hold the same bytes
     * here: two nodes that stored different messages at one offset (a split brain) must not take each other's copy
     * as a match. Offsets that retention dropped meanwhile are not checked. Costs a read of those messages (recent,
     * so from the log's cache), only when a batch overlaps what is held: a resend, never a first send.
     *
     * @throws DivergedException naming the first offset whose bytes differ
     * @throws IOException       if the held messages cannot be read
     */
    private void verifyHeld(String stream, long firstOffset, MessageBatch messages, int skip) throws IOException {
        List<byte[]> sent = messages.toList();
        long until = firstOffset + skip;
        long from = Math.max(firstOffset, log.firstOffset(stream));
        while (from < until) {
            ReadResult held;
            try {
                held = log.read(stream, from, (int) (until - from), VERIFY_READ_BYTES);
            } catch (OffsetOutOfRangeException dropped) {
                return; // retention dropped them meanwhile: nothing left to compare with
            }
            if (held.size() == 0) {
                return;
            }
            for (int i = 0; i < held.size(); i++) {
                long offset = from + i;
                if (!Arrays.equals(held.messages().get(i), sent.get((int) (offset - firstOffset)))) {
                    throw new DivergedException("stream '" + stream + "': offset " + offset + " holds other bytes"
                            + " here than the upstream sent for it: the two stored different messages there");
                }
            }
            from = held.nextOffset();
        }
    }
}
