package io.scalesmall.topology;

/**
 * An {@link Item} stamped with the clock of the write that made it and the writer's wall time.
 *
 * <p>For one key, the item with the later clock wins (last writer wins, reference §3.4). A tie on the clock
 * (which a correct single writer never produces) is broken deterministically by {@link #latest}, so replicas
 * can never diverge. Immutable and thread-safe.
 *
 * @param item            the assertion, non-null
 * @param updatedAt       the write's clock; its member must be {@code item.member()}
 * @param timestampMillis the writer's wall-clock time of the write, ms since the Unix epoch, {@code >= 0};
 *                        used only for tombstone expiry, never for ordering
 */
public record TimedItem(Item item, LocalClock updatedAt, long timestampMillis) {

    /** @throws IllegalArgumentException naming the field and value when one is invalid */
    public TimedItem {
        if (item == null) {
            throw new IllegalArgumentException("item: null");
        }
        if (updatedAt == null) {
            throw new IllegalArgumentException("updatedAt: null");
        }
        if (!item.member().equals(updatedAt.member())) {
            throw new IllegalArgumentException("updatedAt.member: " + updatedAt.member()
                    + " differs from item.member " + item.member() + " (only a member writes its own items)");
        }
        if (timestampMillis < 0) {
            throw new IllegalArgumentException("timestampMillis: " + timestampMillis + " is negative");
        }
    }

    /** @return the item's member */
    public NetId member() {
        return item.member();
    }

    /** @return the item's op */
    public Op op() {
        return item.op();
    }

    /**
     * The last-writer-wins choice between two versions of one key.
     *
     * @return the one with the later clock; on an equal clock, the one with the higher op rank (RMV over ADD
     *         over GET), then higher port, priority and timestamp, so the choice is the same on every replica
     * @throws IllegalArgumentException if the keys differ
     */
    public static TimedItem latest(TimedItem a, TimedItem b) {
        if (!a.item.sameKey(b.item)) {
            throw new IllegalArgumentException("different keys: " + a + " and " + b);
        }
        int c = a.updatedAt.compareTo(b.updatedAt);
        if (c == 0) {
            c = compareTie(a, b);
        }
        return c >= 0 ? a : b;
    }

    private static int compareTie(TimedItem a, TimedItem b) {
        int c = Integer.compare(a.item.op().tieRank(), b.item.op().tieRank());
        if (c == 0) {
            c = Integer.compare(a.item.port(), b.item.port());
        }
        if (c == 0) {
            c = Integer.compare(a.item.priority(), b.item.priority());
        }
        return c != 0 ? c : Long.compare(a.timestampMillis, b.timestampMillis);
    }

    @Override
    public String toString() {
        return item + " @" + updatedAt.incarnation() + "." + updatedAt.counter();
    }
}
