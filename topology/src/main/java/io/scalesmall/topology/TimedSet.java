package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Predicate;

/**
 * A set of {@link TimedItem}s with at most one per key (member, start, end), kept in key order; adding a
 * version of a key keeps the {@link TimedItem#latest latest} one. This is the original's {@code TimedSet}
 * (reference §2.8, §3.5): {@link #add} and {@link #merge} are idempotent, commutative and associative.
 *
 * <p>Backed by a sorted array, copied on write: meant for the handful of items one member asserts
 * ({@link GroupState} keeps one such set per member). Immutable and thread-safe.
 */
public final class TimedSet {
    private static final TimedItem[] NONE = new TimedItem[0];
    private static final TimedSet EMPTY = new TimedSet(NONE);

    private final TimedItem[] items;
    /** Lazily computed {@link Digests#itemsHash}; 0 means "not yet" (a real 0 is just recomputed). */
    private long hash;

    private TimedSet(TimedItem[] items) {
        this.items = items;
    }

    /** @return the empty set */
    public static TimedSet empty() {
        return EMPTY;
    }

    /** @return the set of the given items, the latest version kept where keys repeat */
    public static TimedSet of(Collection<TimedItem> items) {
        TimedSet s = EMPTY;
        for (TimedItem t : items) {
            s = s.add(t);
        }
        return s;
    }

    /** @return the set of the given items, the latest version kept where keys repeat */
    public static TimedSet of(TimedItem... items) {
        return of(Arrays.asList(items));
    }

    /** Wraps an array already sorted by key with unique keys; not copied. */
    static TimedSet ofSorted(TimedItem[] sorted) {
        return sorted.length == 0 ? EMPTY : new TimedSet(sorted);
    }

    private int indexOf(Item key) {
        int lo = 0;
        int hi = items.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Item.compareKeys(items[mid].item(), key);
            if (c < 0) {
                lo = mid + 1;
            } else if (c > 0) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        return -(lo + 1);
    }

    /** @return this set with {@code t} added, or the existing version of its key if that is later */
    public TimedSet add(TimedItem t) {
        int i = indexOf(t.item());
        if (i >= 0) {
            TimedItem winner = TimedItem.latest(items[i], t);
            if (winner == items[i] || winner.equals(items[i])) {
                return this;
            }
            TimedItem[] copy = items.clone();
            copy[i] = winner;
            return new TimedSet(copy);
        }
        int at = -i - 1;
        TimedItem[] copy = new TimedItem[items.length + 1];
        System.arraycopy(items, 0, copy, 0, at);
        copy[at] = t;
        System.arraycopy(items, at, copy, at + 1, items.length - at);
        return new TimedSet(copy);
    }

    /** @return the union, keeping the latest version of every key */
    public TimedSet merge(TimedSet other) {
        if (other == this || other.items.length == 0) {
            return this;
        }
        if (items.length == 0) {
            return other;
        }
        TimedItem[] out = new TimedItem[items.length + other.items.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < items.length || j < other.items.length) {
            int c = i >= items.length ? 1 : j >= other.items.length ? -1
                    : Item.compareKeys(items[i].item(), other.items[j].item());
            if (c < 0) {
                out[n++] = items[i++];
            } else if (c > 0) {
                out[n++] = other.items[j++];
            } else {
                out[n++] = TimedItem.latest(items[i++], other.items[j++]);
            }
        }
        TimedSet merged = new TimedSet(n == out.length ? out : Arrays.copyOf(out, n));
        return merged.equals(this) ? this : merged;
    }

    /** @return the items of this set that satisfy {@code keep}, in key order */
    TimedSet filter(Predicate<TimedItem> keep) {
        TimedItem[] out = new TimedItem[items.length];
        int n = 0;
        for (TimedItem t : items) {
            if (keep.test(t)) {
                out[n++] = t;
            }
        }
        return n == items.length ? this : ofSorted(Arrays.copyOf(out, n));
    }

    /** @return the version held for the key of {@code key} (op, port and priority ignored), or null */
    public TimedItem get(Item key) {
        int i = indexOf(key);
        return i >= 0 ? items[i] : null;
    }

    /** @return the items in key order; an unmodifiable view */
    public List<TimedItem> items() {
        return Collections.unmodifiableList(Arrays.asList(items));
    }

    /** @return the item at {@code index} in key order */
    public TimedItem item(int index) {
        return items[index];
    }

    /** @return the number of items */
    public int size() {
        return items.length;
    }

    /** @return true when there are no items */
    public boolean isEmpty() {
        return items.length == 0;
    }

    /** @return how many items {@code member} asserts */
    public int count(NetId member) {
        int n = 0;
        for (TimedItem t : items) {
            if (t.member().equals(member)) {
                n++;
            }
        }
        return n;
    }

    /** @return how many items carry exactly this clock */
    public int count(LocalClock clock) {
        int n = 0;
        for (TimedItem t : items) {
            if (t.updatedAt().equals(clock)) {
                n++;
            }
        }
        return n;
    }

    /** @return the items with op {@code op}, in key order */
    public List<TimedItem> items(Op op) {
        List<TimedItem> out = new ArrayList<>();
        for (TimedItem t : items) {
            if (t.op() == op) {
                out.add(t);
            }
        }
        return out;
    }

    long cachedHash() {
        long h = hash;
        if (h == 0) {
            h = Digests.itemsHash(this);
            hash = h;
        }
        return h;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof TimedSet s && Arrays.equals(items, s.items));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(items);
    }

    @Override
    public String toString() {
        return Arrays.toString(items);
    }
}
