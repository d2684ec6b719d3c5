package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Key-to-member routing derived from the ADD items of a {@link GroupState}: the key space is cut into
 * segments at every item boundary, and each segment lists the members serving it, highest priority first,
 * ties by {@link NetId} order. A member with several ADD items over one key appears once, with its highest
 * priority. Built in O(n log n + s·r) for n items, s segments and r replicas per segment; a lookup is a
 * binary search. Immutable and thread-safe.
 */
final class RoutingTable {
    static final Comparator<Item> ROUTE_ORDER = Comparator.comparingInt(Item::priority).reversed()
            .thenComparing(Item::member);

    /** Segment i covers keys [starts[i], starts[i+1] - 1] (the last one up to MAX_KEY). */
    private final long[] starts;
    private final List<List<Item>> routes;

    private RoutingTable(long[] starts, List<List<Item>> routes) {
        this.starts = starts;
        this.routes = routes;
    }

    static RoutingTable build(List<Item> adds) {
        if (adds.isEmpty()) {
            return new RoutingTable(new long[0], List.of());
        }
        long[] bounds = new long[adds.size() * 2];
        int n = 0;
        for (Item it : adds) {
            bounds[n++] = it.start();
            bounds[n++] = it.end() + 1;
        }
        Arrays.sort(bounds);
        int u = 0;
        for (int i = 0; i < n; i++) {
            if (u == 0 || bounds[i] != bounds[u - 1]) {
                bounds[u++] = bounds[i];
            }
        }
        long[] starts = Arrays.copyOf(bounds, u);
        List<List<Item>> perSegment = new ArrayList<>(u);
        for (int i = 0; i < u; i++) {
            perSegment.add(new ArrayList<>(2));
        }
        for (Item it : adds) {
            int from = Arrays.binarySearch(starts, it.start());
            for (int s = from; s < u && starts[s] <= it.end(); s++) {
                perSegment.get(s).add(it);
            }
        }
        List<List<Item>> routes = new ArrayList<>(u);
        for (List<Item> seg : perSegment) {
            routes.add(List.copyOf(dedupe(seg)));
        }
        return new RoutingTable(starts, routes);
    }

    private static List<Item> dedupe(List<Item> seg) {
        if (seg.size() > 1) {
            Map<NetId, Item> best = new HashMap<>();
            for (Item it : seg) {
                best.merge(it.member(), it, (a, b) -> a.priority() >= b.priority() ? a : b);
            }
            seg = new ArrayList<>(best.values());
            seg.sort(ROUTE_ORDER);
        }
        return seg;
    }

    List<Item> route(long key) {
        int i = Arrays.binarySearch(starts, key);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? List.of() : routes.get(i);
    }
}
