package io.scalesmall.bench;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Realistic, reproducible group states for the benchmarks: every state is built by {@link LocalMember} writes
 * (one writer per member, real clocks), so world clocks, incarnations and every invariant of
 * {@link GroupState} are the ones production produces. Everything is derived from a fixed seed.
 *
 * <p>Each member makes 4 writes, each its own clock: a join (GET over the whole key space), then 3 ADD items
 * over random, distinct key ranges, each with a random port and priority.
 */
final class Fixtures {
    /** The group every fixture writes to. */
    static final String GROUP = "bench-group";
    /** Items per member: the join plus {@link #ADDS_PER_MEMBER} ADD items. */
    static final int ITEMS_PER_MEMBER = 4;
    /** ADD items per member. */
    static final int ADDS_PER_MEMBER = 3;
    /** Wall time all fixture writers start at (2023-11-14), ms since the epoch. */
    static final long EPOCH_MILLIS = 1_700_000_000_000L;

    private Fixtures() {
    }

    /**
     * A built state with the writers that built it.
     *
     * @param state      the state: {@code members.size()} members × {@link #ITEMS_PER_MEMBER} items
     * @param writers    each member's writer, in the order of {@code members}; each has written its whole
     *                   history into {@code state} (nothing pending)
     * @param members    the members, in build order (random address order, not {@link NetId} order)
     * @param lastWrites each member's last write as a one-item delta, already merged into {@code state}
     */
    record Built(GroupState state, List<LocalMember> writers, List<NetId> members, List<GroupState> lastWrites) {
    }

    /** A wall clock that ticks 1 ms per reading: deterministic, strictly increasing timestamps. */
    static LongSupplier tickingClock(long startMillis) {
        long[] now = {startMillis};
        return () -> now[0]++;
    }

    /**
     * @param count how many distinct IPv4 members, {@code 10.x.y.z:port}, random addresses and ports
     * @return the members in generation order
     */
    static List<NetId> members(int count, Random rnd) {
        Set<NetId> seen = new HashSet<>();
        List<NetId> out = new ArrayList<>(count);
        while (out.size() < count) {
            int a = rnd.nextInt(1 << 24);
            byte[] addr = {10, (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
            NetId id = NetId.of(addr, 7000 + rnd.nextInt(8));
            if (seen.add(id)) {
                out.add(id);
            }
        }
        return out;
    }

    /**
     * Builds {@code memberCount} members × {@link #ITEMS_PER_MEMBER} items by real writes: every member joins,
     * then every member adds its 3 ADD items (round by round, as a cluster coming up would).
     */
    static Built build(int memberCount, long seed) {
        Random rnd = new Random(seed);
        List<NetId> members = members(memberCount, rnd);
        LongSupplier clock = tickingClock(EPOCH_MILLIS);
        List<LocalMember> writers = new ArrayList<>(memberCount);
        GroupState[] last = new GroupState[memberCount];
        GroupState state = GroupState.empty(GROUP);
        for (int i = 0; i < memberCount; i++) {
            LocalMember w = new LocalMember(members.get(i), EPOCH_MILLIS - 1_000_000 + i, clock);
            writers.add(w);
            LocalMember.Write wr = w.join(state);
            state = wr.state();
            last[i] = wr.delta();
        }
        long slice = (Item.MAX_KEY + 1) / ADDS_PER_MEMBER;
        for (int k = 0; k < ADDS_PER_MEMBER; k++) {
            for (int i = 0; i < memberCount; i++) {
                // One range per third of the key space, so a member's 3 keys never collide.
                long start = k * slice + (rnd.nextLong() & Long.MAX_VALUE) % (slice / 2);
                long end = start + 1 + (rnd.nextLong() & Long.MAX_VALUE) % (slice / 2 - 1);
                LocalMember.Write wr = writers.get(i).addItem(state, start, end, 1024 + rnd.nextInt(60_000), rnd.nextInt(16));
                state = wr.state();
                last[i] = wr.delta();
            }
        }
        if (state.itemCount() != memberCount * ITEMS_PER_MEMBER || state.worldClock().size() != memberCount) {
            throw new IllegalStateException("fixture: expected " + memberCount + " members x " + ITEMS_PER_MEMBER
                    + " items, got " + state.worldClock().size() + " members, " + state.itemCount() + " items");
        }
        return new Built(state, writers, members, List.of(last));
    }

    /**
     * One-item deltas, each a new write not yet in {@code b.state()}: member {@code i} (distinct members, the
     * first {@code count} in a seeded shuffle) re-announces one of its ADD items with another priority and
     * port. Merging one into the state replaces one item and extends one world-clock entry.
     *
     * <p>The writers' own clocks advance; the state does not (each delta is built against {@code b.state()}
     * and the result discarded), so every delta is independently new to that state.
     */
    static GroupState[] updateDeltas(Built b, int count, long seed) {
        Random rnd = new Random(seed);
        int[] order = shuffledIndexes(b.members().size(), rnd);
        if (count > order.length) {
            throw new IllegalArgumentException("count: " + count + " deltas need distinct members, have " + order.length);
        }
        GroupState[] out = new GroupState[count];
        for (int n = 0; n < count; n++) {
            int i = order[n];
            NetId m = b.members().get(i);
            List<TimedItem> adds = b.state().itemsOf(m).items(Op.ADD);
            Item old = adds.get(rnd.nextInt(adds.size())).item();
            LocalMember.Write wr = b.writers().get(i).addItem(b.state(), old.start(), old.end(),
                    1024 + rnd.nextInt(60_000), old.priority() + 1 + rnd.nextInt(8));
            if (wr.delta().itemCount() != 1) {
                throw new IllegalStateException("update delta of " + m + " holds " + wr.delta().itemCount() + " items");
            }
            out[n] = wr.delta();
        }
        return out;
    }

    /** One-item deltas of {@code count} new members joining (members not in {@code b.state()}). */
    static GroupState[] joinDeltas(Built b, int count, long seed) {
        Random rnd = new Random(seed);
        Set<NetId> existing = new HashSet<>(b.members());
        GroupState[] out = new GroupState[count];
        int n = 0;
        LongSupplier clock = tickingClock(EPOCH_MILLIS + 10_000_000);
        while (n < count) {
            NetId id = members(1, rnd).get(0);
            if (existing.add(id)) {
                out[n++] = new LocalMember(id, EPOCH_MILLIS + n, clock).join(b.state()).delta();
            }
        }
        return out;
    }

    /** @return 0..n-1 in a seeded random order */
    static int[] shuffledIndexes(int n, Random rnd) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
