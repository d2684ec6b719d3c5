package io.scalesmall.stream.server;

import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckFrame.OffsetRun;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the batches a session stored and turns them into as few ACK frames as the protocol allows (the sketch's
 * batched acks): one ACK per run of consecutive sequences, its offsets as runs, adjacent runs with consecutive
 * offsets merged. A gap in the sequences (a batch refused with an error in between, or a client that skipped
 * sequences) starts a new ACK, so an ACK never claims a sequence that was not stored. Not thread-safe: owned by one
 * session's event loop (or handed, whole, to the group committer and back).
 */
final class AckBatcher {
    /**
     * A stored batch.
     *
     * @param firstSequence the batch's first sequence
     * @param count         its messages
     * @param runs          their offsets, in sequence order, counts adding up to {@code count}
     */
    record Stored(long firstSequence, int count, List<OffsetRun> runs) {
    }

    /** Batches not yet acknowledged, in the order they were stored. */
    private List<Stored> pending = new ArrayList<>();

    /** Adds a batch the log stored. */
    void add(long firstSequence, int count, LogAppender.Appended a) {
        List<OffsetRun> runs;
        if (a.duplicates() == 0 || a.duplicates() == count) {
            // Offsets of a wholly duplicate batch: its original offsets, consecutive from firstOffset -- exact when
            // the resend repeats the original batch (the client library always resends the same batches).
            runs = List.of(new OffsetRun(count, a.firstOffset()));
        } else {
            runs = List.of(new OffsetRun(a.duplicates(), a.firstOffset()),
                    new OffsetRun(count - a.duplicates(), a.newOffset() < 0 ? AckFrame.UNKNOWN_OFFSET : a.newOffset()));
        }
        pending.add(new Stored(firstSequence, count, runs));
    }

    /** @return whether batches wait for an ACK */
    boolean isEmpty() {
        return pending.isEmpty();
    }

    /** @return how many batches wait */
    int size() {
        return pending.size();
    }

    /** Removes and returns the pending batches (e.g. to hand them to the group committer). */
    List<Stored> drain() {
        List<Stored> out = pending;
        pending = new ArrayList<>();
        return out;
    }

    /** Builds the ACK frames for the pending batches and clears them. */
    List<AckFrame> build(int delivered, int processed) {
        return build(drain(), delivered, processed);
    }

    /** Builds the ACK frames for {@code batches}, which are in storage order. */
    static List<AckFrame> build(List<Stored> batches, int delivered, int processed) {
        List<AckFrame> out = new ArrayList<>();
        List<OffsetRun> runs = new ArrayList<>();
        long first = -1;
        long last = -1;
        for (Stored s : batches) {
            boolean continues = first >= 0 && s.firstSequence() == last + 1
                    && last + s.count() - first < 0xFFFF_FFFFL && runs.size() + s.runs().size() < 0xFFFF;
            if (!continues && first >= 0) {
                out.add(new AckFrame(last, last - first, delivered, processed, runs));
                runs = new ArrayList<>();
            }
            if (!continues) {
                first = s.firstSequence();
            }
            for (OffsetRun r : s.runs()) {
                int n = runs.size();
                OffsetRun prev = n == 0 ? null : runs.get(n - 1);
                if (prev != null && prev.firstOffset() >= 0 && r.firstOffset() == prev.firstOffset() + prev.count()
                        && prev.count() + r.count() <= 0xFFFF_FFFFL) {
                    runs.set(n - 1, new OffsetRun(prev.count() + r.count(), prev.firstOffset()));
                } else {
                    runs.add(r);
                }
            }
            last = s.firstSequence() + s.count() - 1;
        }
        if (first >= 0) {
            out.add(new AckFrame(last, last - first, delivered, processed, runs));
        }
        return out;
    }
}
