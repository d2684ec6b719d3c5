package io.scalesmall.stream.protocol;

import java.util.List;

/**
 * ACK (type 4), node → client: acknowledges the sequences {@code lastSequence - skipped .. lastSequence} (the
 * sketch's "ACKed ID" and "Skipped": one ACK stands for {@code skipped + 1} messages), and says how many copies
 * have them: {@code delivered} (in memory) and {@code processed} (on disk). The offsets given to them follow in
 * runs: the first run's {@code count} messages from sequence {@code lastSequence - skipped} have offsets
 * {@code firstOffset, firstOffset + 1, ...}, the next run continues the sequences, and so on; the counts add up to
 * {@code skipped + 1}. A run's firstOffset is {@link #UNKNOWN_OFFSET} when the node knows the messages are stored
 * but not where (a retry overlapping an earlier batch split differently).
 *
 * @param lastSequence the last sequence acknowledged, 0..2^63-1
 * @param skipped      how many sequences before it this ACK covers too, 0..min(lastSequence, 2^32-1)
 * @param delivered    copies in memory, 0..255
 * @param processed    copies on disk, 0..255
 * @param runs         1..65535 runs whose counts add up to skipped + 1
 */
public record AckFrame(long lastSequence, long skipped, int delivered, int processed, List<OffsetRun> runs)
        implements Frame {
    /** A run's firstOffset when the offsets are not known. */
    public static final long UNKNOWN_OFFSET = -1;

    /**
     * @param count       messages in the run, at least 1
     * @param firstOffset the offset of the run's first message, or {@link #UNKNOWN_OFFSET}
     */
    public record OffsetRun(long count, long firstOffset) {
        public OffsetRun {
            if (count < 1 || count > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("run count must be in 1..2^32-1, got " + count);
            }
            if (firstOffset < UNKNOWN_OFFSET) {
                throw new IllegalArgumentException("bad firstOffset " + firstOffset);
            }
        }
    }

    public AckFrame {
        runs = List.copyOf(runs);
        if (lastSequence < 0 || skipped < 0 || skipped > lastSequence || skipped > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("bad ack range: last " + lastSequence + ", skipped " + skipped);
        }
        if (delivered < 0 || delivered > 255 || processed < 0 || processed > 255) {
            throw new IllegalArgumentException("copies must be in 0..255: " + delivered + ", " + processed);
        }
        if (runs.isEmpty() || runs.size() > 0xFFFF) {
            throw new IllegalArgumentException("an ACK holds 1..65535 runs, got " + runs.size());
        }
        long sum = 0;
        for (OffsetRun r : runs) {
            sum += r.count();
        }
        if (sum != skipped + 1) {
            throw new IllegalArgumentException("runs cover " + sum + " messages, the ack " + (skipped + 1));
        }
    }

    /** @return the first sequence acknowledged */
    public long firstSequence() {
        return lastSequence - skipped;
    }

    @Override
    public FrameType type() {
        return FrameType.ACK;
    }
}
