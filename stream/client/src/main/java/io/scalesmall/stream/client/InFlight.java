package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckFrame.OffsetRun;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A producer's sealed batches not yet acknowledged, in sequence order, in two parts: those written to the current
 * connection ("on the wire", at most the node's in-flight limit) and those waiting behind them. The limit matters
 * for idempotence: the node remembers only its last few batches per producer (the log's window), so a producer
 * must never have more batches unacknowledged than that, or a resend after a reconnect could repeat a batch the
 * node no longer recognises (as Kafka caps {@code max.in.flight.requests.per.connection} at 5).
 *
 * <p>ACKs must cover whole batches from the oldest on the wire (the node acks in the order it stored); anything
 * else is a protocol violation. Not thread-safe: guarded by the producer's lock.
 */
final class InFlight {
    private final ArrayDeque<Batch> wire = new ArrayDeque<>();
    private final ArrayDeque<Batch> waiting = new ArrayDeque<>();

    void add(Batch b) {
        waiting.addLast(b);
    }

    boolean isEmpty() {
        return wire.isEmpty() && waiting.isEmpty();
    }

    /** @return the oldest batch, written or not; null if none */
    Batch oldest() {
        return wire.isEmpty() ? waiting.peekFirst() : wire.peekFirst();
    }

    /** Moves waiting batches onto the wire while fewer than {@code limit} are there; returns them, to be written. */
    List<Batch> nextToWrite(int limit) {
        List<Batch> out = new ArrayList<>();
        while (wire.size() < limit && !waiting.isEmpty()) {
            Batch b = waiting.pollFirst();
            wire.addLast(b);
            out.add(b);
        }
        return out;
    }

    /** The connection dropped: nothing is on the wire any more; everything waits again, in order. */
    void resetWire() {
        while (!wire.isEmpty()) {
            waiting.addFirst(wire.pollLast());
        }
    }

    /**
     * Removes the batches an ACK covers.
     *
     * @throws IllegalStateException if the ACK does not start at the oldest batch on the wire or ends inside a batch
     */
    List<Batch> acked(AckFrame a) {
        List<Batch> out = new ArrayList<>();
        long seq = a.firstSequence();
        while (seq <= a.lastSequence()) {
            Batch b = wire.peekFirst();
            if (b == null || b.firstSequence != seq || b.lastSequence() > a.lastSequence()) {
                throw new IllegalStateException("ACK of sequences " + a.firstSequence() + ".." + a.lastSequence()
                        + " does not match the batches in flight (oldest: "
                        + (b == null ? "none" : b.firstSequence + ".." + b.lastSequence()) + ")");
            }
            out.add(wire.pollFirst());
            seq = b.lastSequence() + 1;
        }
        return out;
    }

    /** Removes the batch starting at {@code firstSequence}; null if none does. */
    Batch remove(long firstSequence) {
        for (ArrayDeque<Batch> q : List.of(wire, waiting)) {
            for (Iterator<Batch> it = q.iterator(); it.hasNext(); ) {
                Batch b = it.next();
                if (b.firstSequence == firstSequence) {
                    it.remove();
                    return b;
                }
            }
        }
        return null;
    }

    /** Removes a fire-and-forget batch once written out. @return false if it was no longer here (failed) */
    boolean written(Batch b) {
        if (wire.peekFirst() == b) {
            wire.pollFirst();
            return true;
        }
        return wire.remove(b);
    }

    /** Removes and returns everything, oldest first. */
    List<Batch> drain() {
        List<Batch> out = new ArrayList<>(wire);
        out.addAll(waiting);
        wire.clear();
        waiting.clear();
        return out;
    }

    /**
     * Calls the callbacks of acknowledged batches with their offsets, from the ACK's runs
     * ({@link AckFrame#UNKNOWN_OFFSET}, -1, where the node did not know them), then marks each batch done. Call
     * outside the lock.
     */
    static void complete(List<Batch> acked, AckFrame a) {
        Iterator<OffsetRun> runs = a.runs().iterator();
        OffsetRun run = runs.next();
        long used = 0;
        long outer = ClientLoops.beginCompletion();
        try {
            for (Batch b : acked) {
                for (int i = 0, n = b.size(); i < n; i++) {
                    if (used == run.count()) {
                        run = runs.next();
                        used = 0;
                    }
                    b.complete(i, run.firstOffset() < 0 ? AckFrame.UNKNOWN_OFFSET : run.firstOffset() + used, null);
                    used++;
                }
                b.finish();
            }
        } finally {
            ClientLoops.endCompletion(outer);
        }
    }
}
