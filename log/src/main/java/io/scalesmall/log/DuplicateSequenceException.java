package io.scalesmall.log;

/**
 * An idempotent append ({@link MessageLog#append(String, long, long, java.util.List)}) was refused because its
 * first sequence is at or below the last sequence the log stored for that producer on that stream, but the log no
 * longer knows (or never knew) where that message went: its batch is older than the window of recent batches kept
 * per producer ({@link MessageLog#PRODUCER_WINDOW_BATCHES}), or the sequence fell into a gap the producer skipped.
 * The log does not guess: nothing of the batch was stored. The producer should treat those messages as stored
 * (they were, or were skipped on purpose) and continue above {@link #lastSequence()}.
 *
 * <p>An {@link java.io.IOException}, so that callers handle it where they handle other refused appends
 * ({@link LogFullException}); it is not a storage failure, and the log stays fully usable.
 */
public final class DuplicateSequenceException extends java.io.IOException {
    private static final long serialVersionUID = 1L;

    private final long producerId;
    private final long sequence;
    private final long lastSequence;

    public DuplicateSequenceException(String stream, long producerId, long sequence, long lastSequence) {
        super("stream '" + stream + "', producer " + producerId + ": sequence " + sequence
                + " is at or below the last stored sequence " + lastSequence
                + " but no batch the log still remembers holds it (older than the window of the last "
                + MessageLog.PRODUCER_WINDOW_BATCHES + " batches, or in a gap the producer skipped)");
        this.producerId = producerId;
        this.sequence = sequence;
        this.lastSequence = lastSequence;
    }

    /** The producer whose append was refused. */
    public long producerId() {
        return producerId;
    }

    /** The batch's first sequence, the one whose offset is unknown. */
    public long sequence() {
        return sequence;
    }

    /** The last sequence stored for the producer on the stream; the producer continues above it. */
    public long lastSequence() {
        return lastSequence;
    }
}
