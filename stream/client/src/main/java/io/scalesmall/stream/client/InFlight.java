package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckFrame.OffsetRun;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A producer's sealed batches not yet acknowledged, in sequence order, and the matching of ACKs to them: an ACK must
 * cover whole batches from the oldest one on (the node acks in the order it stored); anything else is a protocol
 * violation. Not thread-safe: guarded by the producer's lock.
 */
final class InFlight implements Iterable<Batch> {
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();

    void add(Batch b) {
        batches.addLast(b);
    }

    boolean isEmpty() {
        return batches.isEmpty();
    }

    Batch oldest() {
        return batches.peekFirst();
    }

    @Override
    public Iterator<Batch> iterator() {
        return batches.iterator();
    }

    /**
     * Removes the batches an ACK covers.
     *
     * @throws IllegalStateException if the ACK does not start at the oldest batch or ends inside a batch
     */
    List<Batch> acked(AckFrame a) {
        List<Batch> out = new ArrayList<>();
        long seq = a.firstSequence();
        while (seq <= a.lastSequence()) {
            Batch b = batches.peekFirst();
            if (b == null || b.firstSequence != seq || b.lastSequence() > a.lastSequence()) {
                throw new IllegalStateException("ACK of sequences " + a.firstSequence() + ".." + a.lastSequence()
                        + " does not match the batches in flight (oldest: "
                        + (b == null ? "none" : b.firstSequence + ".." + b.lastSequence()) + ")");
            }
            out.add(batches.pollFirst());
            seq = b.lastSequence() + 1;
        }
        return out;
    }

    /** Removes the batch starting at {@code firstSequence}; null if none does. */
    Batch remove(long firstSequence) {
        for (Iterator<Batch> it = batches.iterator(); it.hasNext(); ) {
            Batch b = it.next();
            if (b.firstSequence == firstSequence) {
                it.remove();
                return b;
            }
        }
        return null;
    }

    /** Removes the oldest batch if it is {@code b} (a fire-and-forget batch written out). */
    void removeOldest(Batch b) {
        if (batches.peekFirst() == b) {
            batches.pollFirst();
        } else {
            batches.remove(b);
        }
    }

    /** Removes and returns everything. */
    List<Batch> drain() {
        List<Batch> out = new ArrayList<>(batches);
        batches.clear();
        return out;
    }

    /**
     * Completes the futures of acknowledged batches with their offsets, from the ACK's runs
     * ({@link AckFrame#UNKNOWN_OFFSET}, -1, where the node did not know them). Call outside the lock.
     */
    static void complete(List<Batch> acked, AckFrame a) {
        Iterator<OffsetRun> runs = a.runs().iterator();
        OffsetRun run = runs.next();
        long used = 0;
        for (Batch b : acked) {
            for (var f : b.futures) {
                if (used == run.count()) {
                    run = runs.next();
                    used = 0;
                }
                f.complete(run.firstOffset() < 0 ? AckFrame.UNKNOWN_OFFSET : run.firstOffset() + used);
                used++;
            }
        }
    }
}
