package io.scalesmall.placement;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.TimedSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The ADD items a member publishes for a {@link Ring}, and the writes that move it from what it holds to them.
 *
 * <h2>Claims (where new data goes)</h2>
 * For every arc whose chain holds {@code self} at 0-based position {@code p}, an ADD item over the arc with
 * {@code priority = R - p} (the contract's {@code R - rank + 1} with a 1-based rank): the head has R, the last of a
 * full chain 1, so {@code GroupState.route(key)} (priority descending) lists the chain in order. Adjacent arcs with
 * the same position are one item. An item never spans the whole key space {@code 0..MAX_KEY}: that key
 * (member, 0, MAX_KEY) is the member's GET item, which an ADD would overwrite; such a claim is published as two
 * halves, {@code 0..2^31-1} and {@code 2^31..MAX_KEY}.
 *
 * <h2>Locations (where old data is)</h2>
 * A range a member stops claiming (the ring moved, or it tightened: weight 0, so it is in no chain) may still hold
 * data. {@link #desired} therefore keeps every held ADD item not covered by the new claims, re-published with
 * priority 0: it routes (readers find the data) but never ranks in a chain ({@code priority > 0}). A tightened
 * member thus republishes what it held at priority 0 and claims nothing new. A location item goes only when the
 * caller says its data is gone (the {@code released} predicate); placement cannot know.
 *
 * <p>Thread-safe (stateless); results are unmodifiable.
 */
public final class Claims {
    /** The middle of the key space, where a whole-space claim is split: 2^31. */
    static final long HALF = 1L << 31;

    private Claims() {
    }

    /**
     * What to write to go from the held items to the desired ones.
     *
     * @param add    items to write as they are: new keys, or held keys with another port or priority
     * @param remove held items whose key is not desired, to tombstone
     */
    public record Diff(List<Item> add, List<Item> remove) {
        public Diff {
            add = List.copyOf(add);
            remove = List.copyOf(remove);
        }

        /** @return true if nothing needs writing */
        public boolean isEmpty() {
            return add.isEmpty() && remove.isEmpty();
        }

        /** @return {@link #add} then {@link #remove} as RMV items: one write for {@code LocalMember.write} */
        public List<Item> writes() {
            List<Item> out = new ArrayList<>(add);
            for (Item it : remove) {
                out.add(it.withOp(Op.RMV));
            }
            return List.copyOf(out);
        }
    }

    /**
     * @param position 0-based chain position, {@code 0..replicas-1}
     * @return the claim priority {@code replicas - position}, {@code 1..replicas}
     */
    public static int priority(int replicas, int position) {
        if (position < 0 || position >= replicas) {
            throw new IllegalArgumentException("position: " + position + " is not in 0.." + (replicas - 1));
        }
        return replicas - position;
    }

    /**
     * The claims of {@code self} on {@code ring}: see the class comment.
     *
     * @param port the member's data port, {@code 1..65535}
     * @return ADD items of {@code self}, priority {@code 1..R}, disjoint, in key order; empty if {@code self} is in
     *         no chain
     * @throws IllegalArgumentException if {@code ring} or {@code self} is null or {@code port} is out of range
     */
    public static List<Item> of(Ring ring, NetId self, int port) {
        check(ring, self, port);
        List<Item> out = new ArrayList<>();
        long start = -1;
        long end = -1;
        int pos = -1;
        for (Ring.Arc a : ring.arcs()) {
            int p = a.positionOf(self);
            if (p >= 0 && p == pos && a.start() == end + 1) {
                end = a.end();
                continue;
            }
            if (pos >= 0) {
                emit(out, self, start, end, port, priority(ring.replicas(), pos));
            }
            pos = p;
            start = a.start();
            end = a.end();
        }
        if (pos >= 0) {
            emit(out, self, start, end, port, priority(ring.replicas(), pos));
        }
        return List.copyOf(out);
    }

    private static void emit(List<Item> out, NetId self, long start, long end, int port, int priority) {
        if (start == 0 && end == Item.MAX_KEY) {
            out.add(Item.add(self, 0, HALF - 1, port, priority));
            out.add(Item.add(self, HALF, Item.MAX_KEY, port, priority));
        } else {
            out.add(Item.add(self, start, end, port, priority));
        }
    }

    /**
     * @param items a member's items, e.g. {@code GroupState.itemsOf(self)}
     * @return its live ADD items (no GET, no tombstones), in key order
     */
    public static List<Item> held(TimedSet items) {
        Objects.requireNonNull(items, "items");
        List<Item> out = new ArrayList<>();
        for (TimedItem t : items.items(Op.ADD)) {
            out.add(t.item());
        }
        return List.copyOf(out);
    }

    /**
     * The items {@code self} should hold: its claims on {@code ring}, plus a priority-0 location item for every held
     * ADD item not covered by the claims and not released (see the class comment).
     *
     * @param held     the member's live ADD items ({@link #held}); items of other members or ops are refused
     * @param released true for a held item whose data is gone, so that its location item may be dropped; asked
     *                 only about items not covered by claims; {@code item -> false} keeps every location
     * @return claims then location items, no two with the same key
     * @throws IllegalArgumentException if an argument is null, {@code port} is out of range, or {@code held} holds
     *                                  an item of another member or not an ADD
     */
    public static List<Item> desired(Ring ring, NetId self, int port, List<Item> held, Predicate<Item> released) {
        check(ring, self, port);
        if (held == null || released == null) {
            throw new IllegalArgumentException((held == null ? "held" : "released") + ": null");
        }
        List<Item> claims = of(ring, self, port);
        List<Item> out = new ArrayList<>(claims);
        Map<Long, Item> claimAt = new HashMap<>();
        for (Item c : claims) {
            claimAt.put(c.start(), c);
        }
        for (Item h : held) {
            if (h == null || h.op() != Op.ADD || !h.member().equals(self)) {
                throw new IllegalArgumentException("held: " + h + " is not an ADD item of " + self);
            }
            Item same = claimAt.get(h.start());
            if (same != null && same.end() == h.end()) {
                continue; // re-claimed with the same key: the claim replaces it
            }
            if (covered(claims, h.start(), h.end()) || released.test(h)) {
                continue;
            }
            out.add(Item.add(self, h.start(), h.end(), port, 0));
        }
        return List.copyOf(out);
    }

    /** True if the union of the (sorted, disjoint) claims contains every key of start..end. */
    static boolean covered(List<Item> claims, long start, long end) {
        int lo = 0;
        int hi = claims.size() - 1;
        int at = -1;
        while (lo <= hi) { // the last claim starting at or before 'start'
            int mid = (lo + hi) >>> 1;
            if (claims.get(mid).start() <= start) {
                at = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        if (at < 0) {
            return false;
        }
        long reach = claims.get(at).end();
        for (int i = at + 1; reach < end && i < claims.size() && claims.get(i).start() == reach + 1; i++) {
            reach = claims.get(i).end();
        }
        return reach >= end;
    }

    /**
     * The writes from {@code held} to {@code desired}, by key (member, start, end): a desired item whose key is not
     * held, or is held with another port or priority, is added; a held item whose key is not desired is removed.
     *
     * @throws IllegalArgumentException if a list is null, holds null, a non-ADD item or one key twice
     */
    public static Diff diff(List<Item> held, List<Item> desired) {
        Map<List<Object>, Item> have = index("held", held);
        Map<List<Object>, Item> want = index("desired", desired);
        List<Item> add = new ArrayList<>();
        List<Item> remove = new ArrayList<>();
        want.forEach((k, it) -> {
            if (!it.equals(have.get(k))) {
                add.add(it);
            }
        });
        have.forEach((k, it) -> {
            if (!want.containsKey(k)) {
                remove.add(it);
            }
        });
        return new Diff(add, remove);
    }

    private static Map<List<Object>, Item> index(String name, List<Item> items) {
        if (items == null) {
            throw new IllegalArgumentException(name + ": null");
        }
        Map<List<Object>, Item> out = new LinkedHashMap<>();
        for (Item it : items) {
            if (it == null || it.op() != Op.ADD) {
                throw new IllegalArgumentException(name + ": " + it + " is not an ADD item");
            }
            if (out.put(List.of(it.member(), it.start(), it.end()), it) != null) {
                throw new IllegalArgumentException(name + ": key " + it.member() + " " + it.start() + ".." + it.end()
                        + " appears twice");
            }
        }
        return out;
    }

    private static void check(Ring ring, NetId self, int port) {
        if (ring == null) {
            throw new IllegalArgumentException("ring: null");
        }
        if (self == null) {
            throw new IllegalArgumentException("self: null");
        }
        if (port < 1 || port > 0xFFFF) {
            throw new IllegalArgumentException("port: " + port + " is not in 1..65535");
        }
    }
}
