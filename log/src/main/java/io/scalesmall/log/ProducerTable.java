package io.scalesmall.log;

import java.io.IOException;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The idempotent producers of one log, after Kafka's idempotent producer (KIP-98, {@code ProducerStateManager}):
 * per (stream, producer id) the last stored sequence, the append time of the producer's newest batch, and a
 * window of its last {@link MessageLog#PRODUCER_WINDOW_BATCHES} batches as (first sequence, message count, base
 * offset) -- enough to answer a retry with the offsets its messages got the first time.
 *
 * <p>It holds exactly what the retained batches say, so a log rebuilds it on open by {@link #record}ing every
 * batch that carries a producer, in append order, and gets the state it had before. It is bounded two ways:
 * a producer whose newest batch is more than {@code expiryMillis} old is forgotten ({@link #expire}, and lazily in
 * {@link #check}); and when retention drops batches, {@link #retain} forgets the window entries of the dropped ones
 * and a producer with none left. A forgotten producer starts afresh: any sequence is accepted.
 *
 * <p>Memory: a map entry per producer and stream plus 20 bytes per remembered batch (arrays grow to the window).
 *
 * <p>Not thread-safe: the owning log calls it under its append lock only.
 */
final class ProducerTable {
    /** The outcome of {@link #check}: how many leading messages are stored already, and where the first went. */
    record Check(int duplicates, long originalOffset) {
        static final Check NEW = new Check(0, -1);
    }

    /** One producer on one stream. */
    private static final class Producer {
        long lastSequence;
        /** The newest append time of its batches, ms since the epoch. */
        long lastMillis;
        /** A ring of the last batches: entry i is at (head + i) % capacity, oldest first. */
        long[] firstSequences = new long[2];
        int[] counts = new int[2];
        long[] bases = new long[2];
        int head;
        int size;

        int at(int i) {
            return (head + i) % firstSequences.length;
        }

        void add(long firstSequence, int count, long base) {
            if (size == firstSequences.length && size < MessageLog.PRODUCER_WINDOW_BATCHES) {
                int cap = Math.min(size * 2, MessageLog.PRODUCER_WINDOW_BATCHES);
                long[] f = new long[cap];
                int[] c = new int[cap];
                long[] b = new long[cap];
                for (int i = 0; i < size; i++) {
                    f[i] = firstSequences[at(i)];
                    c[i] = counts[at(i)];
                    b[i] = bases[at(i)];
                }
                firstSequences = f;
                counts = c;
                bases = b;
                head = 0;
            }
            if (size == firstSequences.length) { // full window: the oldest entry goes
                head = (head + 1) % firstSequences.length;
                size--;
            }
            int slot = at(size);
            firstSequences[slot] = firstSequence;
            counts[slot] = count;
            bases[slot] = base;
            size++;
            lastSequence = firstSequence + count - 1;
        }

        /** The offset the message with {@code sequence} was stored at, or -1 if no remembered batch holds it. */
        long offsetOf(long sequence) {
            for (int i = size - 1; i >= 0; i--) {
                int s = at(i);
                if (sequence >= firstSequences[s] && sequence - firstSequences[s] < counts[s]) {
                    return bases[s] + (sequence - firstSequences[s]);
                }
            }
            return -1;
        }

        /** Forgets entries whose batch starts below {@code firstOffset} (dropped by retention). */
        void dropBelow(long firstOffset) {
            while (size > 0 && bases[head] < firstOffset) {
                head = (head + 1) % firstSequences.length;
                size--;
            }
        }
    }

    /** Producers by stream, then by producer id. */
    private final Map<String, Map<Long, Producer>> streams = new HashMap<>();
    private final long expiryMillis;
    private int producers;

    /** @param expiryMillis a producer idle (no batch appended) longer than this is forgotten; at least 1 */
    ProducerTable(long expiryMillis) {
        if (expiryMillis < 1) {
            throw new IllegalArgumentException("producer expiry must be >= 1 ms, got " + expiryMillis);
        }
        this.expiryMillis = expiryMillis;
    }

    private boolean expired(Producer p, long nowMillis) {
        return nowMillis > p.lastMillis && nowMillis - p.lastMillis > expiryMillis;
    }

    /**
     * What an append of {@code count} messages with sequences {@code firstSequence..firstSequence+count-1} would
     * duplicate. Forgets the producer first if it expired at {@code nowMillis}.
     *
     * @throws DuplicateSequenceException if {@code firstSequence} is at or below the last stored sequence but no
     *                                    remembered batch holds it
     */
    Check check(String stream, long producerId, long firstSequence, int count, long nowMillis)
            throws DuplicateSequenceException {
        Map<Long, Producer> byId = streams.get(stream);
        Producer p = byId == null ? null : byId.get(producerId);
        if (p == null) {
            return Check.NEW;
        }
        if (expired(p, nowMillis)) {
            remove(stream, byId, producerId);
            return Check.NEW;
        }
        if (firstSequence > p.lastSequence) {
            return Check.NEW;
        }
        long offset = p.offsetOf(firstSequence);
        if (offset < 0) {
            throw new DuplicateSequenceException(stream, producerId, firstSequence, p.lastSequence);
        }
        return new Check((int) Math.min(count, p.lastSequence - firstSequence + 1), offset);
    }

    /**
     * Notes a stored batch of a producer (an append, or recovery replaying the log in append order). A batch whose
     * sequences do not continue above the producer's last one, or that comes more than the expiry after its
     * previous batch, starts the producer afresh -- as the live log did, having forgotten it.
     */
    void record(String stream, long producerId, long firstSequence, int count, long baseOffset, long appendMillis) {
        Map<Long, Producer> byId = streams.computeIfAbsent(stream, k -> new HashMap<>());
        Producer p = byId.get(producerId);
        if (p != null && (firstSequence <= p.lastSequence || expired(p, appendMillis))) {
            byId.remove(producerId);
            producers--;
            p = null;
        }
        if (p == null) {
            p = new Producer();
            p.lastMillis = appendMillis;
            byId.put(producerId, p);
            producers++;
        }
        p.add(firstSequence, count, baseOffset);
        p.lastMillis = Math.max(p.lastMillis, appendMillis);
    }

    /** Stores the messages of a batch from index {@code skip} on, under the log's lock; returns their base offset. */
    interface Store {
        long store(int skip) throws IOException;
    }

    /**
     * An idempotent append of {@code count} messages with sequences from {@code firstSequence}, as
     * {@link MessageLog#append(String, long, long, java.util.List)} specifies: {@link #check}s, hands the new tail
     * (if any) to {@code store}, and {@link #record}s it.
     */
    AppendResult append(String stream, long producerId, long firstSequence, int count, long nowMillis, Store store)
            throws IOException {
        Check c = check(stream, producerId, firstSequence, count, nowMillis);
        int dups = c.duplicates();
        if (dups == count) {
            return new AppendResult(c.originalOffset(), count);
        }
        long base = store.store(dups);
        record(stream, producerId, firstSequence + dups, count - dups, base, nowMillis);
        return new AppendResult(dups > 0 ? c.originalOffset() : base, dups);
    }

    /** Forgets producers idle for more than the expiry at {@code nowMillis}. Returns how many. */
    int expire(long nowMillis) {
        int n = 0;
        for (Iterator<Map<Long, Producer>> s = streams.values().iterator(); s.hasNext(); ) {
            Map<Long, Producer> byId = s.next();
            for (Iterator<Producer> it = byId.values().iterator(); it.hasNext(); ) {
                if (expired(it.next(), nowMillis)) {
                    it.remove();
                    n++;
                }
            }
            if (byId.isEmpty()) {
                s.remove();
            }
        }
        producers -= n;
        return n;
    }

    /**
     * After retention: forgets window entries of batches below each stream's first offset, and producers left with
     * none.
     */
    void retain(ToLongFunction<String> firstOffset) {
        for (Iterator<Map.Entry<String, Map<Long, Producer>>> s = streams.entrySet().iterator(); s.hasNext(); ) {
            Map.Entry<String, Map<Long, Producer>> e = s.next();
            long first = firstOffset.applyAsLong(e.getKey());
            for (Iterator<Producer> it = e.getValue().values().iterator(); it.hasNext(); ) {
                Producer p = it.next();
                p.dropBelow(first);
                if (p.size == 0) {
                    it.remove();
                    producers--;
                }
            }
            if (e.getValue().isEmpty()) {
                s.remove();
            }
        }
    }

    private void remove(String stream, Map<Long, Producer> byId, long producerId) {
        byId.remove(producerId);
        producers--;
        if (byId.isEmpty()) {
            streams.remove(stream);
        }
    }

    /** Producers remembered, over all streams. */
    int size() {
        return producers;
    }
}
