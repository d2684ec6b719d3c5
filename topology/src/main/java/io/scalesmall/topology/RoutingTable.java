package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key-to-member routing over the ADD items of a {@link GroupState}: an interval tree answering "which
 * items contain key k" (a stabbing query). The items are sorted by start and laid out as an implicit
 * balanced binary tree over that array, each node augmented with the largest end in its subtree (Cormen et
 * al., <i>Introduction to Algorithms</i>, §14.3). Build O(n log n), memory O(n), a query O(log n + r) for r
 * matches, whatever the overlap. Immutable and thread-safe.
 */
final class RoutingTable {
    /** Highest priority first, ties by member id. */
    static final Comparator<Item> ROUTE_ORDER = Comparator.comparingInt(Item::priority).reversed()
            .thenComparing(Item::member);

    private final Item[] byStart;
    /** maxEnd[i]: the largest end among the items of the subtree rooted at index i (mid of its range). */
    private final long[] maxEnd;

    private RoutingTable(Item[] byStart, long[] maxEnd) {
        this.byStart = byStart;
        this.maxEnd = maxEnd;
    }

    static RoutingTable build(List<Item> adds) {
        Item[] sorted = adds.toArray(new Item[0]);
        Arrays.sort(sorted, Comparator.comparingLong(Item::start));
        long[] maxEnd = new long[sorted.length];
        fill(sorted, maxEnd, 0, sorted.length - 1);
        return new RoutingTable(sorted, maxEnd);
    }

    private static long fill(Item[] a, long[] maxEnd, int lo, int hi) {
        if (lo > hi) {
            return -1;
        }
        int mid = (lo + hi) >>> 1;
        long m = Math.max(a[mid].end(), Math.max(fill(a, maxEnd, lo, mid - 1), fill(a, maxEnd, mid + 1, hi)));
        maxEnd[mid] = m;
        return m;
    }

    /** @return the members serving {@code key}: each once, with its highest priority, in {@link #ROUTE_ORDER} */
    List<Item> route(long key) {
        List<Item> hits = new ArrayList<>(4);
        collect(key, 0, byStart.length - 1, hits);
        if (hits.size() > 1) {
            Map<NetId, Item> best = new HashMap<>();
            for (Item it : hits) {
                best.merge(it.member(), it, (a, b) -> a.priority() >= b.priority() ? a : b);
            }
            hits = new ArrayList<>(best.values());
            hits.sort(ROUTE_ORDER);
        }
        return List.copyOf(hits);
    }

    private void collect(long key, int lo, int hi, List<Item> out) {
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (maxEnd[mid] < key) {
                return; // nothing in this subtree reaches the key
            }
            collect(key, lo, mid - 1, out);
            if (byStart[mid].start() > key) {
                return; // this item and everything right of it start after the key
            }
            if (byStart[mid].end() >= key) {
                out.add(byStart[mid]);
            }
            lo = mid + 1;
        }
    }
}
