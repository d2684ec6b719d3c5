package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongSupplier;

/**
 * The single writer of one member's items (seed 002, W4: "only the given node writes the shared information
 * about its participation and everyone else are readers"). It mints the clocks of this member's writes,
 * rejects items of any other member, and keeps the member's own intent per group so that it can refute
 * stale writes of its id, e.g. those of a previous life that restarted without its state.
 *
 * <p>Clocks are per group, like the original's (reference §3.6.6). The first write of this life into a group
 * starts a new incarnation at counter 0 (by default the wall time at start, in ms), which supersedes every
 * write of earlier lives on every replica; later writes count up. If the writer meets a write of its own id
 * that it did not mint (wall time went back, or two lives overlapped), {@link #reconcile} moves to a higher
 * incarnation and re-asserts its items, which then win everywhere.
 *
 * <p>Not thread-safe: owned by the one thread that owns the node's topology.
 */
public final class LocalMember {
    private final NetId self;
    private final long baseIncarnation;
    private final LongSupplier clockMillis;
    private final Map<String, GroupClock> groups = new HashMap<>();

    /** The key of an item of this member. */
    private record Key(long start, long end) {
        static Key of(Item it) {
            return new Key(it.start(), it.end());
        }
    }

    /** What this life wrote into one group. */
    private static final class GroupClock {
        boolean started;
        long incarnation;
        long lastCounter;
        /** This member's current items (no tombstones), in write order. */
        final Map<Key, Item> intent = new LinkedHashMap<>();
    }

    /**
     * The result of one write.
     *
     * @param state the state with the write merged in
     * @param delta just the write, to broadcast; empty if nothing was written
     * @param clock the write's clock, or null if nothing was written
     */
    public record Write(GroupState state, GroupState delta, LocalClock clock) {
        /** @return true if the write changed nothing (e.g. a leave with nothing to remove) */
        public boolean isEmpty() {
            return clock == null;
        }
    }

    /**
     * @param self        the member this writer writes for
     * @param incarnation this life's incarnation, {@code >= 0}; a later life must use a higher one
     * @param clockMillis wall time, ms since the epoch; stamped on items for tombstone expiry
     */
    public LocalMember(NetId self, long incarnation, LongSupplier clockMillis) {
        if (self == null) {
            throw new IllegalArgumentException("self: null");
        }
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation: " + incarnation + " is negative");
        }
        if (clockMillis == null) {
            throw new IllegalArgumentException("clockMillis: null");
        }
        this.self = self;
        this.baseIncarnation = incarnation;
        this.clockMillis = clockMillis;
    }

    /** @return a writer whose incarnation is the current wall time in ms */
    public static LocalMember start(NetId self, LongSupplier clockMillis) {
        return new LocalMember(self, Math.max(0, clockMillis.getAsLong()), clockMillis);
    }

    /** @return the member this writer writes for */
    public NetId self() {
        return self;
    }

    /** @return the incarnation this writer started with */
    public long baseIncarnation() {
        return baseIncarnation;
    }

    /** Joins the group: a GET item over the whole key space (the original's {@code join}). */
    public Write join(GroupState state) {
        return write(state, List.of(Item.get(self)));
    }

    /** Announces that this member serves {@code start..end} (inclusive) on {@code port}. */
    public Write addItem(GroupState state, long start, long end, int port, int priority) {
        return write(state, List.of(Item.add(self, start, end, port, priority)));
    }

    /**
     * Withdraws the item with key (self, start, end): writes its tombstone, keeping the port and priority of
     * the version the state holds.
     */
    public Write removeItem(GroupState state, long start, long end) {
        Item probe = new Item(self, Op.RMV, start, end, 0, 0);
        TimedItem held = state.itemsOf(self).get(probe);
        return write(state, List.of(held == null ? probe : held.item().withOp(Op.RMV)));
    }

    /** Leaves the group: every item of this member becomes a tombstone, all in one write. */
    public Write leave(GroupState state) {
        Map<Key, Item> rmv = new LinkedHashMap<>();
        for (TimedItem t : state.itemsOf(self).items()) {
            if (t.op() != Op.RMV) {
                rmv.put(Key.of(t.item()), t.item().withOp(Op.RMV));
            }
        }
        GroupClock g = groups.get(state.group());
        if (g != null) {
            for (Item it : g.intent.values()) {
                rmv.putIfAbsent(Key.of(it), it.withOp(Op.RMV));
            }
        }
        if (rmv.isEmpty()) {
            return new Write(state, GroupState.empty(state.group()), null);
        }
        return write(state, rmv.values());
    }

    /**
     * Writes items of this member as one write: they all get the same new clock.
     *
     * @throws IllegalArgumentException if the write is empty, if any item belongs to another member
     *                                  (single-writer rule), or if two items share a key
     */
    public Write write(GroupState state, Collection<Item> items) {
        if (items.isEmpty()) {
            throw new IllegalArgumentException("items: empty write");
        }
        Map<Key, Item> requested = new LinkedHashMap<>();
        for (Item it : items) {
            if (!it.member().equals(self)) {
                throw new IllegalArgumentException("item.member: " + it.member() + " is not this member " + self
                        + " (single writer: a member writes only its own items)");
            }
            if (requested.put(Key.of(it), it) != null) {
                throw new IllegalArgumentException("items: key " + it.start() + ".." + it.end() + " appears twice in one write");
            }
        }
        GroupClock g = groups.computeIfAbsent(state.group(), k -> new GroupClock());
        DotSet own = state.worldClock().get(self);
        boolean newIncarnation = !g.started || own == null || conflicts(g, own);
        return commit(state, g, requested, newIncarnation, own);
    }

    /**
     * Checks {@code state} (typically right after merging what a peer sent) for writes of this member's id
     * that this writer did not mint. If any hold live items, moves to a higher incarnation and re-asserts this
     * member's items, tombstoning the stale ones, so that this life wins on every replica.
     *
     * @return the refuting write, or empty if nothing stale is live
     */
    public Optional<Write> reconcile(GroupState state) {
        DotSet own = state.worldClock().get(self);
        if (own == null) {
            return Optional.empty();
        }
        GroupClock g = groups.get(state.group());
        boolean stale = g == null || !g.started ? hasLiveItems(state) : conflicts(g, own) || !liveMatchesIntent(state, g);
        if (!stale) {
            return Optional.empty();
        }
        g = groups.computeIfAbsent(state.group(), k -> new GroupClock());
        if (g.intent.isEmpty() && !hasLiveItems(state)) {
            return Optional.empty();
        }
        return Optional.of(commit(state, g, Map.of(), true, own));
    }

    private boolean hasLiveItems(GroupState state) {
        for (TimedItem t : state.itemsOf(self).items()) {
            if (t.op() != Op.RMV) {
                return true;
            }
        }
        return false;
    }

    /**
     * True if the state shows this member's live items other than this life's intent: another life wrote with
     * the same incarnation and counters (a restart within the same millisecond, without a data directory).
     */
    private boolean liveMatchesIntent(GroupState state, GroupClock g) {
        Map<Key, Item> live = new HashMap<>();
        for (TimedItem t : state.itemsOf(self).items()) {
            if (t.op() != Op.RMV) {
                live.put(Key.of(t.item()), t.item());
            }
        }
        return live.equals(g.intent);
    }

    /** True if the state holds a write of this id that this life did not make. */
    private static boolean conflicts(GroupClock g, DotSet own) {
        return own.incarnation() > g.incarnation
                || (own.incarnation() == g.incarnation && own.maxCounter() > g.lastCounter);
    }

    private Write commit(GroupState state, GroupClock g, Map<Key, Item> requested, boolean newIncarnation, DotSet own) {
        Map<Key, Item> batch = new LinkedHashMap<>();
        if (newIncarnation) {
            long inc = g.started ? Math.addExact(g.incarnation, 1) : baseIncarnation;
            if (own != null && own.incarnation() >= inc) {
                inc = Math.addExact(own.incarnation(), 1);
            }
            g.started = true;
            g.incarnation = inc;
            g.lastCounter = 0;
            // A new incarnation supersedes every earlier write of this id: re-assert what this member
            // holds, and tombstone whatever else of its id the state still shows as live.
            batch.putAll(g.intent);
            for (TimedItem t : state.itemsOf(self).items()) {
                Key k = Key.of(t.item());
                if (t.op() != Op.RMV && !g.intent.containsKey(k)) {
                    batch.put(k, t.item().withOp(Op.RMV));
                }
            }
        } else {
            g.lastCounter = Math.addExact(g.lastCounter, 1);
        }
        batch.putAll(requested);
        for (Map.Entry<Key, Item> e : requested.entrySet()) {
            if (e.getValue().op() == Op.RMV) {
                g.intent.remove(e.getKey());
            } else {
                g.intent.put(e.getKey(), e.getValue());
            }
        }
        LocalClock clock = new LocalClock(self, g.incarnation, g.lastCounter);
        long now = Math.max(0, clockMillis.getAsLong());
        List<TimedItem> stamped = new ArrayList<>(batch.size());
        for (Item it : batch.values()) {
            stamped.add(new TimedItem(it, clock, now));
        }
        GroupState delta = GroupState.of(state.group(), WorldClock.of(clock), stamped);
        return new Write(state.merge(delta), delta, clock);
    }

    /** @return the groups this life has live items in (its own intent), for diagnostics */
    public Map<String, List<Item>> intent() {
        Map<String, List<Item>> out = new HashMap<>();
        groups.forEach((name, g) -> {
            if (!g.intent.isEmpty()) {
                out.put(name, List.copyOf(g.intent.values()));
            }
        });
        return out;
    }
}
