package io.scalesmall.topology;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableSet;
import org.pcollections.TreePMap;

/**
 * A version vector: for each member, the writes of that member a replica has seen ({@link DotSet}). It is
 * the causal context of a {@link GroupState}: it tells which writes the state already reflects, so that
 * {@link GroupState#delta} sends exactly what a peer lacks and the join can tell an item that was
 * superseded or compacted away from one it simply has not heard of yet.
 *
 * <p>Immutable and thread-safe; a persistent sorted map, so {@link #add} costs O(log members). Members
 * iterate in {@link NetId} order. Equal clocks are equal objects.
 */
public final class WorldClock {
    private static final WorldClock EMPTY = new WorldClock(TreePMap.empty());

    private final TreePMap<NetId, DotSet> entries;

    private WorldClock(TreePMap<NetId, DotSet> entries) {
        this.entries = entries;
    }

    /** @return the clock that has seen nothing */
    public static WorldClock empty() {
        return EMPTY;
    }

    /** @return a clock that has seen exactly the given writes */
    public static WorldClock of(LocalClock... clocks) {
        WorldClock w = EMPTY;
        for (LocalClock c : clocks) {
            w = w.add(c);
        }
        return w;
    }

    /** @return this clock with the entry of {@code member} replaced (not joined) by {@code dots} */
    public WorldClock with(NetId member, DotSet dots) {
        if (member == null || dots == null) {
            throw new IllegalArgumentException((member == null ? "member" : "dots") + ": null");
        }
        if (dots.isEmpty()) {
            throw new IllegalArgumentException("dots: an entry for " + member + " must hold at least one write");
        }
        return new WorldClock(entries.plus(member, dots));
    }

    /** @return this clock without any entry for {@code member} */
    public WorldClock without(NetId member) {
        TreePMap<NetId, DotSet> e = entries.minus(member);
        return e == entries ? this : new WorldClock(e);
    }

    /** @return this clock having also seen the write {@code clock}; older knowledge is kept */
    public WorldClock add(LocalClock clock) {
        return add(clock.member(), DotSet.of(clock.incarnation(), clock.counter()));
    }

    /** @return this clock joined with {@code dots} for {@code member} */
    public WorldClock add(NetId member, DotSet dots) {
        if (dots.isEmpty()) {
            return this;
        }
        DotSet mine = entries.get(member);
        DotSet joined = mine == null ? dots : mine.union(dots);
        return joined == mine ? this : new WorldClock(entries.plus(member, joined));
    }

    /** The join: per member, {@link DotSet#union}. Idempotent, commutative, associative. */
    public WorldClock merge(WorldClock other) {
        if (other == this || other.entries.isEmpty()) {
            return this;
        }
        if (entries.isEmpty()) {
            return other;
        }
        WorldClock small = entries.size() < other.entries.size() ? this : other;
        WorldClock big = small == this ? other : this;
        WorldClock result = big;
        for (Map.Entry<NetId, DotSet> e : small.entries.entrySet()) {
            result = result.add(e.getKey(), e.getValue());
        }
        return result;
    }

    /**
     * @return the writes seen here that {@code since} has not seen; members with nothing new are absent
     */
    public WorldClock minus(WorldClock since) {
        TreePMap<NetId, DotSet> out = TreePMap.empty();
        for (Map.Entry<NetId, DotSet> e : entries.entrySet()) {
            DotSet theirs = since.entries.get(e.getKey());
            DotSet d = theirs == null ? e.getValue() : e.getValue().minus(theirs);
            if (!d.isEmpty()) {
                out = out.plus(e.getKey(), d);
            }
        }
        return new WorldClock(out);
    }

    /** @return true if the write {@code clock} has been seen */
    public boolean covers(LocalClock clock) {
        DotSet d = entries.get(clock.member());
        return d != null && d.contains(clock.incarnation(), clock.counter());
    }

    /** @return true if every write seen by {@code other} has been seen here */
    public boolean containsAll(WorldClock other) {
        for (Map.Entry<NetId, DotSet> e : other.entries.entrySet()) {
            DotSet mine = entries.get(e.getKey());
            if (mine == null ? !e.getValue().isEmpty() : !mine.containsAll(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** @return the writes seen of {@code member}, or null if none */
    public DotSet get(NetId member) {
        return entries.get(member);
    }

    /**
     * @return the latest write seen of {@code member} (its incarnation and highest counter), or null if
     *         none; the original's {@code WorldClock.get}
     */
    public LocalClock latest(NetId member) {
        DotSet d = entries.get(member);
        return d == null || d.isEmpty() ? null : new LocalClock(member, d.incarnation(), d.maxCounter());
    }

    /** @return the members with an entry, in canonical order */
    public NavigableSet<NetId> members() {
        return Collections.unmodifiableNavigableSet(entries.keySet());
    }

    /** @return the entries in member order; unmodifiable */
    public Map<NetId, DotSet> entries() {
        return Collections.unmodifiableMap(entries);
    }

    /** @return the number of members with an entry */
    public int size() {
        return entries.size();
    }

    /** @return true if nothing has been seen */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof WorldClock w && entries.equals(w.entries));
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return entries.toString();
    }
}
