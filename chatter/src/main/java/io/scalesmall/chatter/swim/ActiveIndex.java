package io.scalesmall.chatter.swim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The active members (ALIVE or SUSPECT) in an array, so that a few random ones are drawn in O(k) expected rather
 * than by copying and shuffling the whole member list each protocol period (at N = 10,000 that copy was the
 * detector's largest cost). Each element keeps its own position ({@link Slotted}), so add and remove are O(1)
 * (swap with the last) and the index costs 4 bytes per member, not a hash map entry.
 *
 * <p>Who is drawn is the caller's predicate: gossip goes to any active member (a suspect must hear of its suspicion
 * to refute it), the helpers of an indirect probe are ALIVE ones, as memberlist's {@code kRandomNodes} draws them.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 *
 * @param <E> the element, which stores its position here
 */
final class ActiveIndex<E extends ActiveIndex.Slotted> {
    /** An element that remembers its position in one index: {@code -1} while not in it. */
    abstract static class Slotted {
        int slot = -1;
    }

    /** Random tries per wanted member before falling back to a scan of the whole array. */
    private static final int TRIES = 8;
    private final List<E> elements = new ArrayList<>();

    void add(E e) {
        if (e.slot < 0) {
            e.slot = elements.size();
            elements.add(e);
        }
    }

    void remove(E e) {
        int i = e.slot;
        if (i < 0) {
            return;
        }
        e.slot = -1;
        E last = elements.remove(elements.size() - 1);
        if (last != e) {
            elements.set(i, last);
            last.slot = i;
        }
    }

    int size() {
        return elements.size();
    }

    /**
     * @param k        how many to draw, {@code >= 0}
     * @param eligible which elements may be drawn
     * @return up to {@code k} distinct elements that pass {@code eligible}, in random order; fewer only when fewer
     *         pass. Expected O(k) when most pass; O(n) at worst
     */
    List<E> draw(int k, Predicate<E> eligible, Random random) {
        int n = elements.size();
        if (k <= 0 || n == 0) {
            return List.of();
        }
        List<E> out = new ArrayList<>(k);
        if (k * 4 < n) {
            for (int tries = 0; tries < TRIES * k && out.size() < k; tries++) {
                E e = elements.get(random.nextInt(n));
                if (!out.contains(e) && eligible.test(e)) {
                    out.add(e);
                }
            }
            if (out.size() == k) {
                return out;
            }
        }
        // Few elements, or few eligible ones: scan, then shuffle what passed.
        List<E> pool = new ArrayList<>();
        for (E e : elements) {
            if (!out.contains(e) && eligible.test(e)) {
                pool.add(e);
            }
        }
        Collections.shuffle(pool, random);
        out.addAll(pool.subList(0, Math.min(k - out.size(), pool.size())));
        return out;
    }
}
