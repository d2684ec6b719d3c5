package io.scalesmall.stream.protocol;

import java.util.Arrays;

/**
 * CHAIN_ACK (type 11), downstream node → upstream node: the sketch's ACK with delivered and processed counts, for a
 * whole stream at once (docs/wire-format.md §S5.10). {@code delivered[i]} is the end offset (exclusive) below which
 * at least {@code i + 1} copies — the sender and the nodes after it in the chain — hold the stream's messages in
 * memory (readable); {@code processed[i]} the same for copies on disk (fsynced). So the number of copies of the
 * message at offset {@code o} is the number of entries above {@code o}; entry 0 is the best-placed copy. Both
 * arrays are non-increasing. A sender batches: it sends one when a watermark moved, not per message.
 *
 * @param delivered 1..255 end offsets, each &ge; 0, non-increasing
 * @param processed as many end offsets as {@code delivered}, each &ge; 0, non-increasing
 */
public record ChainAckFrame(long[] delivered, long[] processed) implements Frame {
    /** The most copies one CHAIN_ACK reports. */
    public static final int MAX_COPIES = 255;

    public ChainAckFrame {
        delivered = delivered.clone();
        processed = processed.clone();
        if (delivered.length < 1 || delivered.length > MAX_COPIES || processed.length != delivered.length) {
            throw new IllegalArgumentException("a CHAIN_ACK reports 1.." + MAX_COPIES + " copies, the same number "
                    + "delivered and processed: " + delivered.length + ", " + processed.length);
        }
        check("delivered", delivered);
        check("processed", processed);
    }

    private static void check(String what, long[] ends) {
        for (int i = 0; i < ends.length; i++) {
            if (ends[i] < 0 || i > 0 && ends[i] > ends[i - 1]) {
                throw new IllegalArgumentException(what + " must be >= 0 and non-increasing: "
                        + Arrays.toString(ends));
            }
        }
    }

    /** @return a copy of the delivered watermarks */
    @Override
    public long[] delivered() {
        return delivered.clone();
    }

    /** @return a copy of the processed watermarks */
    @Override
    public long[] processed() {
        return processed.clone();
    }

    /** @return the number of copies reported */
    public int copies() {
        return delivered.length;
    }

    /** @return how many copies hold offset {@code offset} in memory */
    public int deliveredCopies(long offset) {
        return count(delivered, offset);
    }

    /** @return how many copies hold offset {@code offset} on disk */
    public int processedCopies(long offset) {
        return count(processed, offset);
    }

    private static int count(long[] ends, long offset) {
        int n = 0;
        while (n < ends.length && ends[n] > offset) {
            n++;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainAckFrame c && Arrays.equals(delivered, c.delivered)
                && Arrays.equals(processed, c.processed);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(delivered) + Arrays.hashCode(processed);
    }

    @Override
    public String toString() {
        return "ChainAckFrame[delivered=" + Arrays.toString(delivered) + ", processed=" + Arrays.toString(processed)
                + "]";
    }

    @Override
    public FrameType type() {
        return FrameType.CHAIN_ACK;
    }
}
