package io.scalesmall.stream.server;

import io.scalesmall.stream.protocol.ChainAckFrame;
import java.util.Arrays;

/**
 * How far copies of one stream reach, as a CHAIN_ACK states it: {@code delivered[i]} (memory) and
 * {@code processed[i]} (disk) are the end offsets (exclusive) below which at least {@code i + 1} copies hold the
 * stream. Each node's log holds a prefix of the stream, so the copies of offset {@code o} are the entries above
 * {@code o}. Immutable and thread-safe.
 */
final class Watermarks {
    /** No copy known (no downstream, or it has not reported yet). */
    static final Watermarks NONE = new Watermarks(new long[0], new long[0]);

    private final long[] delivered;
    private final long[] processed;

    private Watermarks(long[] delivered, long[] processed) {
        this.delivered = delivered;
        this.processed = processed;
    }

    static Watermarks of(ChainAckFrame f) {
        return new Watermarks(f.delivered(), f.processed());
    }

    /**
     * This node's own ends combined with its downstream's: each list sorted, largest first, at most
     * {@link ChainAckFrame#MAX_COPIES} entries (the smallest are dropped).
     */
    static Watermarks combine(long selfDelivered, long selfProcessed, Watermarks down) {
        return new Watermarks(merge(selfDelivered, down.delivered), merge(selfProcessed, down.processed));
    }

    private static long[] merge(long self, long[] down) {
        long[] all = Arrays.copyOf(down, down.length + 1);
        all[down.length] = self;
        Arrays.sort(all);
        int n = Math.min(all.length, ChainAckFrame.MAX_COPIES);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = all[all.length - 1 - i];
        }
        return out;
    }

    /** @return how many copies hold every offset below {@code end} in memory (end 0: all of them) */
    int deliveredThrough(long end) {
        return count(delivered, end);
    }

    /** @return how many copies hold every offset below {@code end} on disk */
    int processedThrough(long end) {
        return count(processed, end);
    }

    private static int count(long[] ends, long end) {
        int n = 0;
        while (n < ends.length && ends[n] >= end) {
            n++;
        }
        return n;
    }

    /** @return the end offset below which at least {@code copies} (&ge; 1) copies hold the stream in memory; 0 if fewer */
    long deliveredEnd(int copies) {
        return copies <= delivered.length ? delivered[copies - 1] : 0;
    }

    /** @return the number of copies reported */
    int copies() {
        return delivered.length;
    }

    ChainAckFrame toFrame() {
        return new ChainAckFrame(delivered, processed);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Watermarks w && Arrays.equals(delivered, w.delivered)
                && Arrays.equals(processed, w.processed);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(delivered) + Arrays.hashCode(processed);
    }

    @Override
    public String toString() {
        return "delivered " + Arrays.toString(delivered) + ", processed " + Arrays.toString(processed);
    }
}
