package io.scalesmall.topology;

import java.util.Arrays;

/**
 * The writes of one member that a replica has seen: one incarnation and the write counters of that
 * incarnation, as sorted, disjoint, inclusive ranges. Every write of an <em>older</em> incarnation counts
 * as seen (a new incarnation supersedes the whole previous life).
 *
 * <p>In the usual case this is a single range {@code [0, n]}, i.e. the plain version-vector entry
 * {@code n}; more ranges appear only while a replica holds writes it received out of order (a lost
 * broadcast), and they coalesce again when the gap is filled. This is the "compact causal context" of
 * delta CRDTs (Almeida, Shoker, Baquero, JPDC 2018) restricted to one writer.
 *
 * <p>Immutable and thread-safe; equal sets are equal objects (ranges are kept canonical: sorted, disjoint,
 * never adjacent).
 */
public final class DotSet {
    private static final long[] NONE = new long[0];

    private final long incarnation;
    /** [lo0, hi0, lo1, hi1, ...]: lo <= hi, hi(i) + 1 < lo(i+1). Never mutated. */
    private final long[] ranges;

    private DotSet(long incarnation, long[] ranges) {
        this.incarnation = incarnation;
        this.ranges = ranges;
    }

    /** @return the set holding the single write {@code counter} of {@code incarnation} */
    public static DotSet of(long incarnation, long counter) {
        checkIncarnation(incarnation);
        checkCounter(counter);
        return new DotSet(incarnation, new long[] {counter, counter});
    }

    /** @return the set holding the writes {@code 0..upTo} (inclusive) of {@code incarnation} */
    public static DotSet upTo(long incarnation, long upTo) {
        return of(incarnation, new long[] {0, upTo});
    }

    /**
     * Builds a set from ranges, validating them.
     *
     * @param ranges {@code [lo0, hi0, lo1, hi1, ...]}: inclusive, each {@code 0 <= lo <= hi}, sorted and
     *               disjoint (adjacent ranges are coalesced); copied
     * @throws IllegalArgumentException naming the offending range
     */
    public static DotSet of(long incarnation, long[] ranges) {
        checkIncarnation(incarnation);
        if (ranges == null || ranges.length % 2 != 0) {
            throw new IllegalArgumentException("ranges: expected pairs of counters, got " + (ranges == null ? "null" : ranges.length + " values"));
        }
        long[] out = new long[ranges.length];
        int n = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            long lo = ranges[i];
            long hi = ranges[i + 1];
            if (lo < 0 || hi < lo) {
                throw new IllegalArgumentException("ranges[" + i / 2 + "]: [" + lo + ", " + hi + "] is not 0 <= lo <= hi");
            }
            if (n > 0 && lo <= out[n - 1]) {
                throw new IllegalArgumentException("ranges[" + i / 2 + "]: [" + lo + ", " + hi + "] overlaps or precedes the previous range");
            }
            if (n > 0 && lo == out[n - 1] + 1) {
                out[n - 1] = hi;
            } else {
                out[n++] = lo;
                out[n++] = hi;
            }
        }
        return new DotSet(incarnation, n == out.length ? out : Arrays.copyOf(out, n));
    }

    private static void checkIncarnation(long incarnation) {
        if (incarnation < 0) {
            throw new IllegalArgumentException("incarnation: " + incarnation + " is negative");
        }
    }

    private static void checkCounter(long counter) {
        if (counter < 0) {
            throw new IllegalArgumentException("counter: " + counter + " is negative");
        }
    }

    /** @return the incarnation these writes belong to */
    public long incarnation() {
        return incarnation;
    }

    /** @return a copy of the ranges, {@code [lo0, hi0, ...]}, inclusive */
    public long[] ranges() {
        return ranges.clone();
    }

    /** @return the number of ranges (1 in the common case; 0 only for an empty difference) */
    public int rangeCount() {
        return ranges.length / 2;
    }

    /** @return the low end of range {@code i}, inclusive */
    public long low(int i) {
        return ranges[2 * i];
    }

    /** @return the high end of range {@code i}, inclusive */
    public long high(int i) {
        return ranges[2 * i + 1];
    }

    /** @return true when no write of this incarnation is held (possible only as a {@link #minus} result) */
    public boolean isEmpty() {
        return ranges.length == 0;
    }

    /** @return the highest counter held, or -1 when empty */
    public long maxCounter() {
        return ranges.length == 0 ? -1 : ranges[ranges.length - 1];
    }

    /**
     * @return the highest counter {@code n} such that every write {@code 0..n} is held, or -1 when write 0
     *         is missing: the plain version-vector entry
     */
    public long contiguousUpTo() {
        return ranges.length > 0 && ranges[0] == 0 ? ranges[1] : -1;
    }

    /** @return true if the write {@code (incarnation, counter)} is held (older incarnations always are) */
    public boolean contains(long incarnation, long counter) {
        if (incarnation != this.incarnation) {
            return incarnation < this.incarnation;
        }
        int lo = 0;
        int hi = ranges.length / 2 - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            if (counter < ranges[2 * mid]) {
                hi = mid - 1;
            } else if (counter > ranges[2 * mid + 1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** @return true if {@code other} holds nothing this set lacks */
    public boolean containsAll(DotSet other) {
        if (other.incarnation != incarnation) {
            return other.incarnation < incarnation;
        }
        return other.minus(this).isEmpty();
    }

    /**
     * The join: a higher incarnation wins outright; within one incarnation, the union of the ranges.
     * Idempotent, commutative and associative.
     */
    public DotSet union(DotSet other) {
        if (other.incarnation != incarnation) {
            return other.incarnation > incarnation ? other : this;
        }
        if (other == this || other.ranges.length == 0) {
            return this;
        }
        if (ranges.length == 0) {
            return other;
        }
        long[] out = new long[ranges.length + other.ranges.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < ranges.length || j < other.ranges.length) {
            long lo;
            long hi;
            if (j >= other.ranges.length || (i < ranges.length && ranges[i] <= other.ranges[j])) {
                lo = ranges[i];
                hi = ranges[i + 1];
                i += 2;
            } else {
                lo = other.ranges[j];
                hi = other.ranges[j + 1];
                j += 2;
            }
            if (n > 0 && lo <= out[n - 1] + 1) {
                out[n - 1] = Math.max(out[n - 1], hi);
            } else {
                out[n++] = lo;
                out[n++] = hi;
            }
        }
        long[] result = n == out.length ? out : Arrays.copyOf(out, n);
        if (Arrays.equals(result, ranges)) {
            return this;
        }
        return Arrays.equals(result, other.ranges) ? other : new DotSet(incarnation, result);
    }

    /**
     * The writes held here that {@code seen} lacks. If {@code seen} is of a newer incarnation the result is
     * empty; of an older one, this whole set. The result keeps this set's incarnation.
     */
    public DotSet minus(DotSet seen) {
        if (seen.incarnation != incarnation) {
            return seen.incarnation > incarnation ? new DotSet(incarnation, NONE) : this;
        }
        long[] out = new long[ranges.length + seen.ranges.length];
        int n = 0;
        int j = 0;
        for (int i = 0; i < ranges.length; i += 2) {
            long lo = ranges[i];
            long hi = ranges[i + 1];
            while (j < seen.ranges.length && seen.ranges[j + 1] < lo) {
                j += 2;
            }
            int k = j;
            while (lo <= hi) {
                if (k >= seen.ranges.length || seen.ranges[k] > hi) {
                    out[n++] = lo;
                    out[n++] = hi;
                    break;
                }
                if (seen.ranges[k] > lo) {
                    out[n++] = lo;
                    out[n++] = seen.ranges[k] - 1;
                }
                if (seen.ranges[k + 1] >= hi) {
                    break;
                }
                lo = seen.ranges[k + 1] + 1;
                k += 2;
            }
        }
        if (n == ranges.length && Arrays.equals(Arrays.copyOf(out, n), ranges)) {
            return this;
        }
        return new DotSet(incarnation, Arrays.copyOf(out, n));
    }

    @Override
    public boolean equals(Object o) {
        return this == o || (o instanceof DotSet d && incarnation == d.incarnation && Arrays.equals(ranges, d.ranges));
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(incarnation) + Arrays.hashCode(ranges);
    }

    /** @return e.g. {@code 1700000000000:[0..7]} or {@code 5:[0..3,5..5]} */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(incarnation).append(":[");
        for (int i = 0; i < ranges.length; i += 2) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(ranges[i]).append("..").append(ranges[i + 1]);
        }
        return sb.append(']').toString();
    }
}
