package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Shared fixtures and generators for the topology tests. */
final class Gen {
    static final long MAX = Item.MAX_KEY;
    static final String GROUP = "g";

    /** Ranges that many writes share, so keys collide often; the last two are the key-space edges. */
    static final long[][] RANGES = {
        {0, MAX}, {0, 255}, {15, 255}, {256, 511}, {1000, 1999}, {0, 0}, {MAX, MAX},
    };

    private Gen() {
    }

    static NetId id(String text) {
        return NetId.parse(text);
    }

    /** A distinct IPv4 id for every i in 0..65_535 (10.x.y.z). */
    static NetId v4(int i) {
        return NetId.of(new byte[] {10, (byte) (i >>> 16), (byte) (i >>> 8), (byte) i}, 7000 + (i % 1000));
    }

    /** A distinct IPv6 id for every i (fd00::i). */
    static NetId v6(int i) {
        byte[] a = new byte[16];
        a[0] = (byte) 0xFD;
        a[12] = (byte) (i >>> 24);
        a[13] = (byte) (i >>> 16);
        a[14] = (byte) (i >>> 8);
        a[15] = (byte) i;
        return NetId.of(a, 9000 + (i % 1000));
    }

    /** {@code n} distinct ids, roughly one in four IPv6, in random order. */
    static List<NetId> ids(SplittableRandom r, int n) {
        List<NetId> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(r.nextInt(4) == 0 ? v6(1 + i) : v4(1 + i));
        }
        shuffle(r, out);
        return out;
    }

    static <T> void shuffle(SplittableRandom r, List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    static <T> T pick(SplittableRandom r, List<T> list) {
        return list.get(r.nextInt(list.size()));
    }

    /** A range from {@link #RANGES} most of the time, otherwise a random one. */
    static long[] range(SplittableRandom r) {
        if (r.nextInt(5) > 0) {
            return RANGES[r.nextInt(RANGES.length)];
        }
        long a = r.nextLong(MAX + 1);
        long b = r.nextLong(MAX + 1);
        return new long[] {Math.min(a, b), Math.max(a, b)};
    }

    static LocalClock clock(NetId m, long incarnation, long counter) {
        return new LocalClock(m, incarnation, counter);
    }

    static TimedItem ti(Item item, long incarnation, long counter, long ts) {
        return new TimedItem(item, new LocalClock(item.member(), incarnation, counter), ts);
    }

    static TimedItem add(NetId m, long start, long end, int port, int prio, long inc, long counter) {
        return ti(Item.add(m, start, end, port, prio), inc, counter, 1_000 + counter);
    }

    static TimedItem get(NetId m, long inc, long counter) {
        return ti(Item.get(m), inc, counter, 1_000 + counter);
    }

    static TimedItem rmv(NetId m, long start, long end, int port, long inc, long counter, long ts) {
        return ti(new Item(m, Op.RMV, start, end, port, 0), inc, counter, ts);
    }

    /** The state holding exactly these items, with a world clock that has seen exactly their writes. */
    static GroupState state(TimedItem... items) {
        WorldClock w = WorldClock.empty();
        for (TimedItem t : items) {
            w = w.add(t.updatedAt());
        }
        return GroupState.of(GROUP, w, Arrays.asList(items));
    }

    /** A list of the non-tombstone items of {@code member} in {@code s}. */
    static List<Item> live(GroupState s, NetId member) {
        List<Item> out = new ArrayList<>();
        for (TimedItem t : s.itemsOf(member).items()) {
            if (t.op() != Op.RMV) {
                out.add(t.item());
            }
        }
        return out;
    }

    /** All permutations of {@code items}. */
    static <T> List<List<T>> permutations(List<T> items) {
        List<List<T>> out = new ArrayList<>();
        permute(new ArrayList<>(items), 0, out);
        return out;
    }

    private static <T> void permute(List<T> a, int k, List<List<T>> out) {
        if (k == a.size()) {
            out.add(List.copyOf(a));
            return;
        }
        for (int i = k; i < a.size(); i++) {
            java.util.Collections.swap(a, k, i);
            permute(a, k + 1, out);
            java.util.Collections.swap(a, k, i);
        }
    }
}
