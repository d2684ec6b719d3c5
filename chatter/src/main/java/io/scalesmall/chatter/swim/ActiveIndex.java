package io.scalesmall.chatter.swim;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The active members (ALIVE or SUSPECT) in an array with an index, so that a few random ones are drawn in O(k)
 * expected rather than by copying and shuffling the whole member list each protocol period (at N = 10,000 that
 * copy was the detector's largest cost). Add and remove are O(1) (swap with the last).
 *
 * <p>Who is drawn is the caller's predicate: gossip goes to any active member (a suspect must hear of its suspicion
 * to refute it), the helpers of an indirect probe are ALIVE ones, as memberlist's {@code kRandomNodes} draws them.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class ActiveIndex {
    /** Random tries per wanted member before falling back to a scan of the whole array. */
    private static final int TRIES = 8;
    private final List<NetId> ids = new ArrayList<>();
    private final Map<NetId, Integer> position = new HashMap<>();

    void add(NetId id) {
        if (position.putIfAbsent(id, ids.size()) == null) {
            ids.add(id);
        }
    }

    void remove(NetId id) {
        Integer i = position.remove(id);
        if (i == null) {
            return;
        }
        NetId last = ids.remove(ids.size() - 1);
        if (i < ids.size()) {
            ids.set(i, last);
            position.put(last, i);
        }
    }

    int size() {
        return ids.size();
    }

    /**
     * @param k        how many to draw, {@code >= 0}
     * @param eligible which members may be drawn
     * @return up to {@code k} distinct members that pass {@code eligible}, in random order; fewer only when fewer
     *         pass. Expected O(k) when most members pass; O(n) at worst
     */
    List<NetId> draw(int k, Predicate<NetId> eligible, Random random) {
        int n = ids.size();
        if (k <= 0 || n == 0) {
            return List.of();
        }
        List<NetId> out = new ArrayList<>(k);
        if (k * 4 < n) {
            for (int tries = 0; tries < TRIES * k && out.size() < k; tries++) {
                NetId id = ids.get(random.nextInt(n));
                if (!out.contains(id) && eligible.test(id)) {
                    out.add(id);
                }
            }
            if (out.size() == k) {
                return out;
            }
        }
        // Few members, or few eligible ones: scan, then shuffle what passed.
        List<NetId> pool = new ArrayList<>();
        for (NetId id : ids) {
            if (!out.contains(id) && eligible.test(id)) {
                pool.add(id);
            }
        }
        Collections.shuffle(pool, random);
        out.addAll(pool.subList(0, Math.min(k - out.size(), pool.size())));
        return out;
    }
}
