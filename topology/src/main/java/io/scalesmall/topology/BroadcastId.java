package io.scalesmall.topology;

import java.util.Comparator;

/**
 * Names one broadcast: the node that sent it and that node's broadcast sequence number.
 *
 * <p>Seed 002 ("Broadcast identification"): each multicast carries the sender's id and a sequence
 * number; receivers echo the highest they heard in their own {@code seen ids}, so the network learns who
 * hears whose multicast. Immutable; ordered by origin, then seqno.
 *
 * @param origin the sender, non-null
 * @param seqno  the sender's broadcast counter, 0..{@link Long#MAX_VALUE}
 */
public record BroadcastId(NetId origin, long seqno) implements Comparable<BroadcastId> {
    private static final Comparator<BroadcastId> ORDER =
            Comparator.comparing(BroadcastId::origin).thenComparingLong(BroadcastId::seqno);

    /** @throws IllegalArgumentException naming the field when origin is null or seqno negative */
    public BroadcastId {
        if (origin == null) {
            throw new IllegalArgumentException("origin: null");
        }
        if (seqno < 0) {
            throw new IllegalArgumentException("seqno: " + seqno + " is negative");
        }
    }

    /** @return the id of the sender's next broadcast */
    public BroadcastId next() {
        return new BroadcastId(origin, Math.addExact(seqno, 1));
    }

    @Override
    public int compareTo(BroadcastId o) {
        return ORDER.compare(this, o);
    }

    @Override
    public String toString() {
        return origin + "#" + seqno;
    }
}
