package io.scalesmall.placement;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The assignment of the whole 32-bit key space {@code 0..}{@link Item#MAX_KEY} to ordered chains of members:
 * weighted rendezvous hashing ({@link Rendezvous}) over {@code slices} equal slices, adjacent slices with the
 * same chain merged into one {@link Arc}. The chain of a slice is the {@code min(replicas, members of weight > 0)}
 * members with the highest scores, best (the head) first; equal scores (vanishingly rare) go to the
 * lower {@link NetId}. Members of weight 0 (tightened) are in no chain.
 *
 * <p>A pure function of (member -> weight, replicas, slices): any node, given the same view in any order, builds an
 * equal ring ({@link #equals}). Properties of rendezvous hashing: the head of a slice is member {@code m} with
 * probability {@code w(m) / sum(w)}; adding a member changes only the slices whose chain it enters, and removing
 * one only those it was in; the relative order of the other members within a chain never changes.
 *
 * <p>Slice {@code i} covers keys {@code i * 2^32/S .. (i+1) * 2^32/S - 1}, inclusive. The arcs are sorted, cover
 * the key space exactly once, and no two adjacent arcs have equal chains. With no member of weight > 0 there is
 * one arc over the whole key space with an empty chain.
 *
 * <p>Cost: building hashes and scores {@code S x N} (member, slice) pairs, one {@code StrictMath.log} each, and
 * selects the chain in {@code O(S x N x R)}; e.g. S = 4096, N = 10 is 40,960 hashes and logarithms (not
 * benchmarked); memory O(arcs x R), arcs {@code <= S}. {@link #chain} is a binary search, O(log arcs). Immutable
 * and thread-safe.
 */
public final class Ring {
    /** Default number of slices: 4096, each of 2^20 keys. */
    public static final int DEFAULT_SLICES = 4096;
    /** Largest number of slices: 2^20. */
    public static final int MAX_SLICES = 1 << 20;
    /** Default chain length R: 3. */
    public static final int DEFAULT_REPLICAS = 3;
    /** Largest chain length R: 255. */
    public static final int MAX_REPLICAS = 255;

    /**
     * One arc: the keys {@code start..end} (inclusive), all with the same chain.
     *
     * @param start first key, {@code 0..}{@link Item#MAX_KEY}
     * @param end   last key, {@code start..}{@link Item#MAX_KEY}
     * @param chain the members serving the keys, head first, distinct; unmodifiable; empty only when the ring
     *              has no member of weight > 0
     */
    public record Arc(long start, long end, List<NetId> chain) {
        /** @return the number of keys in the arc, {@code 1..2^32} */
        public long size() {
            return end - start + 1;
        }

        /** @return the 0-based position of {@code member} in the chain (0: head), or -1 if it is not in it */
        public int positionOf(NetId member) {
            return chain.indexOf(member);
        }
    }

    private final SortedMap<NetId, Integer> weights;
    private final List<NetId> members;
    private final int replicas;
    private final int slices;
    /** starts[i]: first key of arc i; strictly increasing, starts[0] == 0. */
    private final long[] starts;
    private final List<Arc> arcs;

    private Ring(SortedMap<NetId, Integer> weights, List<NetId> members, int replicas, int slices, List<Arc> arcs) {
        this.weights = weights;
        this.members = members;
        this.replicas = replicas;
        this.slices = slices;
        this.arcs = arcs;
        this.starts = new long[arcs.size()];
        for (int i = 0; i < starts.length; i++) {
            starts[i] = arcs.get(i).start();
        }
    }

    /** @return {@link #of(Map, int, int)} with {@link #DEFAULT_REPLICAS} and {@link #DEFAULT_SLICES} */
    public static Ring of(Map<NetId, Integer> weights) {
        return of(weights, DEFAULT_REPLICAS, DEFAULT_SLICES);
    }

    /**
     * Computes the ring.
     *
     * @param weights  member -> capacity weight, {@code >= 0}; 0 keeps the member out of every chain; copied
     * @param replicas chain length R, {@code 1..}{@value #MAX_REPLICAS}
     * @param slices   S, a power of two in {@code 1..}{@value #MAX_SLICES}
     * @throws IllegalArgumentException naming the parameter and value: null map, key or value, a negative weight,
     *                                  R or S out of range, S not a power of two
     */
    public static Ring of(Map<NetId, Integer> weights, int replicas, int slices) {
        SortedMap<NetId, Integer> copy = checkWeights(weights);
        if (replicas < 1 || replicas > MAX_REPLICAS) {
            throw new IllegalArgumentException("replicas: " + replicas + " is not in 1.." + MAX_REPLICAS);
        }
        if (slices < 1 || slices > MAX_SLICES || Integer.bitCount(slices) != 1) {
            throw new IllegalArgumentException("slices: " + slices + " is not a power of two in 1.." + MAX_SLICES);
        }
        List<NetId> live = new ArrayList<>();
        copy.forEach((m, w) -> {
            if (w > 0) {
                live.add(m);
            }
        });
        int n = live.size();
        int k = Math.min(replicas, n);
        long[] memberHash = new long[n];
        int[] w = new int[n];
        for (int i = 0; i < n; i++) {
            memberHash[i] = Rendezvous.memberHash(live.get(i));
            w[i] = copy.get(live.get(i));
        }
        long width = (Item.MAX_KEY + 1) / slices;
        List<Arc> arcs = new ArrayList<>();
        int[] best = new int[k];
        double[] bestScore = new double[k];
        int[] prev = null;
        long arcStart = 0;
        for (int s = 0; s < slices; s++) {
            select(memberHash, w, s, best, bestScore);
            if (prev != null && !Arrays.equals(prev, best)) {
                arcs.add(arc(arcStart, s * width - 1, prev, live));
                arcStart = s * width;
            }
            prev = best.clone();
        }
        arcs.add(arc(arcStart, Item.MAX_KEY, prev, live));
        return new Ring(Collections.unmodifiableSortedMap(copy), List.copyOf(live), replicas, slices,
                List.copyOf(arcs));
    }

    private static SortedMap<NetId, Integer> checkWeights(Map<NetId, Integer> weights) {
        if (weights == null) {
            throw new IllegalArgumentException("weights: null");
        }
        SortedMap<NetId, Integer> copy = new TreeMap<>();
        for (Map.Entry<NetId, Integer> e : weights.entrySet()) {
            if (e.getKey() == null) {
                throw new IllegalArgumentException("weights: null member");
            }
            Integer v = e.getValue();
            if (v == null || v < 0) {
                throw new IllegalArgumentException("weights[" + e.getKey() + "]: " + v + " is not a weight >= 0");
            }
            copy.put(e.getKey(), v);
        }
        return copy;
    }

    /** Fills best[] (member indexes) with the top best.length scorers of slice s, best first; ties to the lower index. */
    private static void select(long[] memberHash, int[] w, int s, int[] best, double[] bestScore) {
        int filled = 0;
        for (int i = 0; i < memberHash.length; i++) {
            double sc = Rendezvous.score(w[i], Rendezvous.hash(memberHash[i], s));
            // Members come in increasing NetId order, so a strict '>' keeps an equal, earlier (lower) id ahead.
            int pos = filled;
            while (pos > 0 && sc > bestScore[pos - 1]) {
                pos--;
            }
            if (pos >= best.length) {
                continue;
            }
            int last = Math.min(filled, best.length - 1);
            for (int j = last; j > pos; j--) {
                best[j] = best[j - 1];
                bestScore[j] = bestScore[j - 1];
            }
            best[pos] = i;
            bestScore[pos] = sc;
            if (filled < best.length) {
                filled++;
            }
        }
    }

    private static Arc arc(long start, long end, int[] idx, List<NetId> live) {
        NetId[] chain = new NetId[idx.length];
        for (int i = 0; i < idx.length; i++) {
            chain[i] = live.get(idx[i]);
        }
        return new Arc(start, end, List.of(chain));
    }

    /**
     * @param key {@code 0..}{@link Item#MAX_KEY}
     * @return the arc containing the key
     * @throws IllegalArgumentException if the key is out of range
     */
    public Arc arcAt(long key) {
        if (key < 0 || key > Item.MAX_KEY) {
            throw new IllegalArgumentException("key: " + key + " is not in 0.." + Item.MAX_KEY);
        }
        int i = Arrays.binarySearch(starts, key);
        return arcs.get(i >= 0 ? i : -i - 2);
    }

    /**
     * @param key {@code 0..}{@link Item#MAX_KEY}
     * @return the chain of the key for new data, head first; unmodifiable; {@code min(R, members of weight > 0)} long
     * @throws IllegalArgumentException if the key is out of range
     */
    public List<NetId> chain(long key) {
        return arcAt(key).chain();
    }

    /** @return the arcs in key order, covering {@code 0..}{@link Item#MAX_KEY} exactly; unmodifiable */
    public List<Arc> arcs() {
        return arcs;
    }

    /** @return every member given, with its weight (0 included), in {@link NetId} order; unmodifiable */
    public SortedMap<NetId, Integer> weights() {
        return weights;
    }

    /** @return the members of weight > 0 (those in chains), in {@link NetId} order; unmodifiable */
    public List<NetId> members() {
        return members;
    }

    /** @return the chain length R the ring was built for (chains are shorter when fewer members have weight > 0) */
    public int replicas() {
        return replicas;
    }

    /** @return the number of slices S */
    public int slices() {
        return slices;
    }

    /**
     * @param position 0-based chain position (0: head), or -1 for "any position"
     * @return the number of keys for which {@code member} is at {@code position} of the chain (or in the chain)
     */
    public long keysAt(NetId member, int position) {
        long n = 0;
        for (Arc a : arcs) {
            int p = a.positionOf(member);
            if (p >= 0 && (position < 0 || p == position)) {
                n += a.size();
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof Ring r && replicas == r.replicas && slices == r.slices
                && weights.equals(r.weights) && arcs.equals(r.arcs));
    }

    @Override
    public int hashCode() {
        return 31 * (31 * replicas + slices) + arcs.hashCode();
    }

    @Override
    public String toString() {
        return "Ring{R=" + replicas + ", S=" + slices + ", weights=" + weights + ", arcs=" + arcs.size() + "}";
    }
}
