package io.scalesmall.topology;

/**
 * One assertion of a member about a group: "I {@code op} the keys {@code start..end} (inclusive), reachable
 * on {@code port}, with {@code priority}". The key of an item is (member, start, end): op, port and
 * priority are last-writer-wins payload (seed 002, W4 post; reference §3.5).
 *
 * <p>Immutable and thread-safe.
 *
 * @param member   the member making the assertion and its only writer, non-null
 * @param op       {@link Op#GET}, {@link Op#ADD} or {@link Op#RMV}, non-null
 * @param start    first key served, {@code 0..}{@link #MAX_KEY}, inclusive
 * @param end      last key served, {@code start..}{@link #MAX_KEY}, inclusive
 * @param port     service port, {@code 0..65535} (0: none, as for GET and RMV)
 * @param priority routing preference, {@code 0..}{@link Integer#MAX_VALUE}; higher is preferred
 */
public record Item(NetId member, Op op, long start, long end, int port, int priority) {
    /** The highest key of the 32-bit key space: 2^32 - 1. */
    public static final long MAX_KEY = 0xFFFF_FFFFL;

    /** @throws IllegalArgumentException naming the field and value when one is invalid */
    public Item {
        if (member == null) {
            throw new IllegalArgumentException("member: null");
        }
        if (op == null) {
            throw new IllegalArgumentException("op: null");
        }
        if (start < 0 || start > MAX_KEY) {
            throw new IllegalArgumentException("start: " + start + " is not in 0.." + MAX_KEY);
        }
        if (end < 0 || end > MAX_KEY) {
            throw new IllegalArgumentException("end: " + end + " is not in 0.." + MAX_KEY);
        }
        if (start > end) {
            throw new IllegalArgumentException("start: " + start + " is after end " + end);
        }
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port: " + port + " is not in 0..65535");
        }
        if (priority < 0) {
            throw new IllegalArgumentException("priority: " + priority + " is negative");
        }
    }

    /** @return the join item of {@code member}: GET over the whole key space, port 0, priority 0 */
    public static Item get(NetId member) {
        return new Item(member, Op.GET, 0, MAX_KEY, 0, 0);
    }

    /** @return an ADD item */
    public static Item add(NetId member, long start, long end, int port, int priority) {
        return new Item(member, Op.ADD, start, end, port, priority);
    }

    /** @return this item with another op (same key, port and priority) */
    public Item withOp(Op newOp) {
        return new Item(member, newOp, start, end, port, priority);
    }

    /** @return true if {@code key} lies in {@code start..end} */
    public boolean contains(long key) {
        return key >= start && key <= end;
    }

    /** @return true if both items have the same (member, start, end) */
    public boolean sameKey(Item o) {
        return start == o.start && end == o.end && member.equals(o.member);
    }

    /** Orders by key: member, then start, then end. */
    static int compareKeys(Item a, Item b) {
        int c = a.member.compareTo(b.member);
        if (c != 0) {
            return c;
        }
        c = Long.compare(a.start, b.start);
        return c != 0 ? c : Long.compare(a.end, b.end);
    }

    @Override
    public String toString() {
        return member + " " + op + " " + start + ".." + end + " port " + port + " prio " + priority;
    }
}
