package io.scalesmall.topology;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.pcollections.TreePMap;

/**
 * The replicated topology of one group: which members are in it and which key ranges each serves. The
 * original's {@code Message} (reference §2.10): a group name, a {@link WorldClock} and the items.
 *
 * <h2>Semantics</h2>
 * A state-based CRDT, per key (member, start, end) last-writer-wins by that member's clock, with a single
 * writer per member (seed 002, W4 post). Unlike the original it is a <em>causal</em> CRDT (the dot-store
 * join of Almeida, Shoker and Baquero, "Delta state replicated data types", JPDC 2018): the world clock
 * records every write the state reflects, and the join drops an item held by one side when the other side
 * has seen that write and no longer holds it. That gives what the original lacked:
 * <ul>
 *   <li><b>deltas</b> ({@link #delta}, {@link #add}) are exact even when they arrive out of order;</li>
 *   <li><b>tombstone compaction</b> ({@link #compact}) cannot resurrect a removed item;</li>
 *   <li><b>restart safety</b>: a member's new incarnation supersedes every item of its older ones, so a
 *       member that restarts without state leaves no ghost of its previous life.</li>
 * </ul>
 * {@link #merge} is idempotent, commutative and associative; equal states are equal objects and have
 * equal {@link #digest}s.
 *
 * <h2>Invariants</h2>
 * Every item's clock is covered by the world clock and carries the incarnation the world clock holds for
 * its member (checked by {@link #of}).
 *
 * <p>Immutable and thread-safe. Backed by persistent maps: merging a small delta costs
 * O(members in the delta × log members).
 */
public final class GroupState {
    /** Longest group name, in UTF-8 bytes. */
    public static final int MAX_GROUP_NAME_BYTES = 255;

    private final String group;
    private final WorldClock clock;
    /** Members with at least one item; never maps to an empty set. */
    private final TreePMap<NetId, TimedSet> records;
    private final int itemCount;

    private volatile Long digest;
    private volatile RoutingTable routing;
    private volatile NavigableSet<NetId> members;

    private GroupState(String group, WorldClock clock, TreePMap<NetId, TimedSet> records, int itemCount) {
        this.group = group;
        this.clock = clock;
        this.records = records;
        this.itemCount = itemCount;
    }

    /**
     * @return the state of a group nobody has written to yet
     * @throws IllegalArgumentException if the name is invalid (see {@link #checkGroupName})
     */
    public static GroupState empty(String group) {
        checkGroupName(group);
        return new GroupState(group, WorldClock.empty(), TreePMap.empty(), 0);
    }

    /**
     * Builds a state (or a delta) from its parts, as a decoder does, validating the invariants.
     *
     * @param clock the writes the state reflects
     * @param items the items; at most one per key
     * @throws IllegalArgumentException naming the offending field and value: a bad group name, a repeated
     *                                  key, or an item whose clock is not covered by {@code clock} or is of
     *                                  another incarnation than {@code clock} holds for its member
     */
    public static GroupState of(String group, WorldClock clock, Collection<TimedItem> items) {
        checkGroupName(group);
        if (clock == null) {
            throw new IllegalArgumentException("clock: null");
        }
        Map<NetId, List<TimedItem>> byMember = new TreeMap<>();
        int i = 0;
        for (TimedItem t : items) {
            if (t == null) {
                throw new IllegalArgumentException("items[" + i + "]: null");
            }
            DotSet d = clock.get(t.member());
            LocalClock c = t.updatedAt();
            if (d == null || d.incarnation() != c.incarnation() || !d.contains(c.incarnation(), c.counter())) {
                throw new IllegalArgumentException("items[" + i + "].updatedAt: " + c
                        + " is not covered by the world clock entry " + d + " of its member");
            }
            byMember.computeIfAbsent(t.member(), k -> new ArrayList<>()).add(t);
            i++;
        }
        TreePMap<NetId, TimedSet> records = TreePMap.empty();
        int count = 0;
        for (Map.Entry<NetId, List<TimedItem>> e : byMember.entrySet()) {
            List<TimedItem> list = e.getValue();
            list.sort((a, b) -> Item.compareKeys(a.item(), b.item()));
            for (int k = 1; k < list.size(); k++) {
                if (list.get(k).item().sameKey(list.get(k - 1).item())) {
                    throw new IllegalArgumentException("items: key " + list.get(k).item().member() + " "
                            + list.get(k).item().start() + ".." + list.get(k).item().end() + " appears twice");
                }
            }
            records = records.plus(e.getKey(), TimedSet.ofSorted(list.toArray(new TimedItem[0])));
            count += list.size();
        }
        return new GroupState(group, clock, records, count);
    }

    /**
     * Checks a group name: 1..{@value #MAX_GROUP_NAME_BYTES} UTF-8 bytes, no control characters.
     *
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static void checkGroupName(String group) {
        if (group == null) {
            throw new IllegalArgumentException("group: null");
        }
        int bytes = group.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_GROUP_NAME_BYTES) {
            throw new IllegalArgumentException("group: '" + group + "' is " + bytes + " UTF-8 bytes, not 1.." + MAX_GROUP_NAME_BYTES);
        }
        for (int i = 0; i < group.length(); i++) {
            if (Character.isISOControl(group.charAt(i))) {
                throw new IllegalArgumentException("group: name contains control character U+"
                        + String.format("%04X", (int) group.charAt(i)));
            }
        }
    }

    /** @return the group name */
    public String group() {
        return group;
    }

    /** @return the writes this state reflects */
    public WorldClock worldClock() {
        return clock;
    }

    /** @return every item, tombstones included, in key order (member, start, end) */
    public List<TimedItem> items() {
        List<TimedItem> out = new ArrayList<>(itemCount);
        for (TimedSet s : records.values()) {
            out.addAll(s.items());
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the items with op {@code op}, in key order */
    public List<TimedItem> items(Op op) {
        List<TimedItem> out = new ArrayList<>();
        for (TimedSet s : records.values()) {
            out.addAll(s.items(op));
        }
        return out;
    }

    /** @return the items of {@code member}, possibly empty */
    public TimedSet itemsOf(NetId member) {
        TimedSet s = records.get(member);
        return s == null ? TimedSet.empty() : s;
    }

    /** The members with items and their items, in member order; a subset of the world clock's members. */
    Map<NetId, TimedSet> records() {
        return records;
    }

    /** @return the number of items, tombstones included */
    public int itemCount() {
        return itemCount;
    }

    /** @return true if the state has seen no write */
    public boolean isEmpty() {
        return clock.isEmpty();
    }

    /** @return the members with at least one item that is not a tombstone, in {@link NetId} order */
    public NavigableSet<NetId> members() {
        NavigableSet<NetId> m = members;
        if (m == null) {
            TreeSet<NetId> out = new TreeSet<>();
            for (Map.Entry<NetId, TimedSet> e : records.entrySet()) {
                for (TimedItem t : e.getValue().items()) {
                    if (t.op() != Op.RMV) {
                        out.add(e.getKey());
                        break;
                    }
                }
            }
            m = Collections.unmodifiableNavigableSet(out);
            members = m;
        }
        return m;
    }

    /**
     * The members serving {@code key}: those with an ADD item whose range contains it, highest priority
     * first, ties in {@link NetId} order; each member once, with its highest-priority item.
     *
     * @param key 0..{@link Item#MAX_KEY}
     * @return the ADD items, possibly empty; unmodifiable
     * @throws IllegalArgumentException if the key is out of range
     */
    public List<Item> route(long key) {
        if (key < 0 || key > Item.MAX_KEY) {
            throw new IllegalArgumentException("key: " + key + " is not in 0.." + Item.MAX_KEY);
        }
        RoutingTable r = routing;
        if (r == null) {
            List<Item> adds = new ArrayList<>();
            for (TimedItem t : items(Op.ADD)) {
                adds.add(t.item());
            }
            r = RoutingTable.build(adds);
            routing = r;
        }
        return r.route(key);
    }

    /**
     * @return the 64-bit digest of the canonical form (see {@link Digests}); equal states have equal digests,
     *         and two nodes compare digests to learn in one step whether they agree
     */
    public long digest() {
        Long d = digest;
        if (d == null) {
            d = Digests.compute(this, true);
            digest = d;
        }
        return d;
    }

    /**
     * The join of two states of the same group. Idempotent, commutative and associative; {@code other} may be
     * a whole state or a delta.
     *
     * @throws IllegalArgumentException if the groups differ
     */
    public GroupState merge(GroupState other) {
        if (!group.equals(other.group)) {
            throw new IllegalArgumentException("group: cannot merge '" + other.group + "' into '" + group + "'");
        }
        if (other == this || other.clock.isEmpty()) {
            return this;
        }
        if (clock.isEmpty()) {
            return other;
        }
        GroupState small = clock.size() <= other.clock.size() ? this : other;
        GroupState big = small == this ? other : this;
        WorldClock outClock = big.clock;
        TreePMap<NetId, TimedSet> outRecords = big.records;
        int count = big.itemCount;
        for (Map.Entry<NetId, DotSet> e : small.clock.entries().entrySet()) {
            NetId m = e.getKey();
            DotSet cs = e.getValue();
            DotSet cb = big.clock.get(m);
            TimedSet is = small.itemsOf(m);
            if (cb == null) {
                outClock = outClock.with(m, cs);
                if (!is.isEmpty()) {
                    outRecords = outRecords.plus(m, is);
                    count += is.size();
                }
                continue;
            }
            TimedSet ib = big.itemsOf(m);
            DotSet c = cb.union(cs);
            TimedSet joined = join(ib, cb, is, cs);
            if (c != cb) {
                outClock = outClock.with(m, c);
            }
            if (joined != ib) {
                outRecords = joined.isEmpty() ? outRecords.minus(m) : outRecords.plus(m, joined);
                count += joined.size() - ib.size();
            }
        }
        if (outClock == big.clock && outRecords == big.records) {
            return big;
        }
        return new GroupState(group, outClock, outRecords, count);
    }

    /**
     * The causal join of one member's items: an item present on one side only survives unless the other
     * side has seen its write; where both survive the later write wins ({@link TimedItem#latest}).
     *
     * @return {@code a} itself when the result equals it
     */
    private static TimedSet join(TimedSet a, DotSet ca, TimedSet b, DotSet cb) {
        TimedItem[] out = new TimedItem[a.size() + b.size()];
        int n = 0;
        int i = 0;
        int j = 0;
        boolean changed = false;
        while (i < a.size() || j < b.size()) {
            TimedItem x = i < a.size() ? a.item(i) : null;
            TimedItem y = j < b.size() ? b.item(j) : null;
            int c = x == null ? 1 : y == null ? -1 : Item.compareKeys(x.item(), y.item());
            if (c < 0) {
                y = null;
                i++;
            } else if (c > 0) {
                x = null;
                j++;
            } else {
                i++;
                j++;
            }
            boolean sameWrite = x != null && y != null && x.updatedAt().equals(y.updatedAt());
            boolean keepX = x != null && (sameWrite || !seen(cb, x));
            boolean keepY = y != null && (sameWrite || !seen(ca, y));
            TimedItem win = keepX && keepY ? TimedItem.latest(x, y) : keepX ? x : keepY ? y : null;
            if (win != null) {
                out[n++] = win;
            }
            if (win != x) {
                changed = true;
            }
        }
        return changed ? TimedSet.ofSorted(n == out.length ? out : Arrays.copyOf(out, n)) : a;
    }

    private static boolean seen(DotSet clock, TimedItem t) {
        return clock.contains(t.updatedAt().incarnation(), t.updatedAt().counter());
    }

    /** @return this state with one more item merged in, as a one-write delta */
    public GroupState add(TimedItem item) {
        GroupState delta = new GroupState(group, WorldClock.of(item.updatedAt()),
                TreePMap.singleton(item.member(), TimedSet.of(item)), 1);
        return merge(delta);
    }

    /**
     * What a peer whose state reflects the writes {@code since} is missing: for every member with a write
     * {@code since} lacks, that member's whole record (all the writes this state has seen of it and all its
     * items); other members are left out. Merging it into any state that reflects {@code since} gives the
     * same result as merging this whole state. Whole records rather than just the missing writes, because a
     * compacted tombstone leaves only its write in the clock: sent alone, that write would mark the removal
     * as seen without the receiver dropping the older item it removed. A delta is thus this state restricted
     * to some members, and merging it is correct into any state.
     *
     * @param since the peer's world clock; {@link WorldClock#empty()} yields the whole state
     */
    public GroupState delta(WorldClock since) {
        WorldClock outClock = WorldClock.empty();
        TreePMap<NetId, TimedSet> outRecords = TreePMap.empty();
        int count = 0;
        for (Map.Entry<NetId, DotSet> e : clock.entries().entrySet()) {
            DotSet theirs = since.get(e.getKey());
            if (theirs != null && theirs.containsAll(e.getValue())) {
                continue;
            }
            outClock = outClock.with(e.getKey(), e.getValue());
            TimedSet s = records.get(e.getKey());
            if (s != null) {
                outRecords = outRecords.plus(e.getKey(), s);
                count += s.size();
            }
        }
        if (outClock.size() == clock.size()) {
            return this;
        }
        return new GroupState(group, outClock, outRecords, count);
    }

    /**
     * Drops tombstones older than a horizon, so state stays bounded under churn: every RMV item written at
     * or before {@code nowMillis - ttlMillis} (by its writer's wall time), provided this state has seen every
     * earlier write of that member's incarnation (otherwise an older version of the key could still arrive
     * and would no longer be superseded). A member left with no items loses its world-clock entry too.
     *
     * <p>Safe by construction against the usual resurrection: a peer still holding a compacted item, or an
     * older version of its key, sees it dropped at the next merge, because this state's world clock covers
     * the write. Only a replica cut off for longer than {@code ttlMillis} whose member entry was dropped
     * everywhere can bring an old item back; failure detection expires those.
     *
     * @param nowMillis the local wall time, ms since the epoch
     * @param ttlMillis how long a tombstone is kept, ms, {@code >= 0}
     */
    public GroupState compact(long nowMillis, long ttlMillis) {
        if (ttlMillis < 0) {
            throw new IllegalArgumentException("ttlMillis: " + ttlMillis + " is negative");
        }
        long horizon = nowMillis - ttlMillis;
        WorldClock outClock = clock;
        TreePMap<NetId, TimedSet> outRecords = records;
        int count = itemCount;
        for (Map.Entry<NetId, TimedSet> e : records.entrySet()) {
            long contiguous = clock.get(e.getKey()).contiguousUpTo();
            TimedSet kept = e.getValue().filter(t -> !(t.op() == Op.RMV && t.timestampMillis() <= horizon
                    && t.updatedAt().counter() <= contiguous));
            if (kept != e.getValue()) {
                count -= e.getValue().size() - kept.size();
                outRecords = kept.isEmpty() ? outRecords.minus(e.getKey()) : outRecords.plus(e.getKey(), kept);
            }
        }
        for (NetId m : clock.members()) {
            if (!outRecords.containsKey(m)) {
                outClock = outClock.without(m);
            }
        }
        if (outClock == clock && outRecords == records) {
            return this;
        }
        return new GroupState(group, outClock, outRecords, count);
    }

    /**
     * Forgets a member: its items and its world-clock entry. Not a merge: a local decision of a node whose failure
     * detector has held {@code member} dead or departed past the TTL (so state stays bounded under churn). A
     * replica that still holds the member's writes can bring them back at a later merge; the caller filters such
     * ghosts while it still knows the member is down ({@code GroupNode}).
     *
     * @return this state if it knows nothing of {@code member}, else the state without it
     */
    public GroupState without(NetId member) {
        TimedSet r = records.get(member);
        if (r == null && clock.get(member) == null) {
            return this;
        }
        return new GroupState(group, clock.without(member), records.minus(member), itemCount - (r == null ? 0 : r.size()));
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof GroupState s && itemCount == s.itemCount && group.equals(s.group)
                && clock.equals(s.clock) && records.equals(s.records);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(digest());
    }

    @Override
    public String toString() {
        return "GroupState{" + group + ", clock=" + clock + ", items=" + items() + "}";
    }
}
