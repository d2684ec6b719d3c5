package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** DotSet against a naive model: an incarnation and a {@link BitSet} of counters below 200. */
class DotSetTest {
    private static final int LIMIT = 200;

    /** The model: a higher incarnation supersedes everything of lower ones. */
    record Model(long inc, BitSet bits) {
        Model union(Model o) {
            if (o.inc != inc) {
                return o.inc > inc ? o : this;
            }
            BitSet b = (BitSet) bits.clone();
            b.or(o.bits);
            return new Model(inc, b);
        }

        Model minus(Model seen) {
            if (seen.inc != inc) {
                return seen.inc > inc ? new Model(inc, new BitSet()) : this;
            }
            BitSet b = (BitSet) bits.clone();
            b.andNot(seen.bits);
            return new Model(inc, b);
        }

        boolean contains(long i, int c) {
            return i != inc ? i < inc : bits.get(c);
        }

        boolean containsAll(Model o) {
            if (o.inc != inc) {
                return o.inc < inc;
            }
            BitSet b = (BitSet) o.bits.clone();
            b.andNot(bits);
            return b.isEmpty();
        }

        long contiguousUpTo() {
            return bits.get(0) ? bits.nextClearBit(0) - 1 : -1;
        }

        /** Builds the DotSet, splitting runs at random points so that of() has to coalesce them. */
        DotSet toDotSet(SplittableRandom r) {
            List<Long> ranges = new ArrayList<>();
            for (int lo = bits.nextSetBit(0); lo >= 0; lo = bits.nextSetBit(lo)) {
                int end = bits.nextClearBit(lo) - 1;
                int from = lo;
                while (from <= end) {
                    int to = r.nextInt(3) == 0 ? from + r.nextInt(end - from + 1) : end;
                    ranges.add((long) from);
                    ranges.add((long) to);
                    from = to + 1;
                }
                lo = end + 1;
            }
            return DotSet.of(inc, ranges.stream().mapToLong(Long::longValue).toArray());
        }
    }

    static Model randomModel(SplittableRandom r) {
        BitSet b = new BitSet();
        int mode = r.nextInt(4);
        if (mode == 0) {
            b.set(0, r.nextInt(LIMIT)); // the common case: 0..n
        } else if (mode == 1) {
            b.set(0, 1 + r.nextInt(20));
            b.set(30 + r.nextInt(50), 90 + r.nextInt(LIMIT - 90));
        } else if (mode == 2) {
            for (int i = 0; i < LIMIT; i++) {
                if (r.nextInt(3) == 0) {
                    b.set(i);
                }
            }
        } // mode 3: empty
        return new Model(1 + r.nextInt(3), b);
    }

    static void assertAgrees(DotSet d, Model m) {
        assertThat(d.incarnation()).isEqualTo(m.inc());
        assertThat(d.isEmpty()).isEqualTo(m.bits().isEmpty());
        assertThat(d.maxCounter()).isEqualTo(m.bits().length() - 1L);
        assertThat(d.contiguousUpTo()).isEqualTo(m.contiguousUpTo());
        BitSet fromRanges = new BitSet();
        for (int i = 0; i < d.rangeCount(); i++) {
            assertThat(d.low(i)).isLessThanOrEqualTo(d.high(i));
            if (i > 0) {
                assertThat(d.low(i)).as("canonical: disjoint and not adjacent").isGreaterThan(d.high(i - 1) + 1);
            }
            fromRanges.set((int) d.low(i), (int) d.high(i) + 1);
        }
        assertThat(fromRanges).isEqualTo(m.bits());
        assertThat(d.ranges()).hasSize(2 * d.rangeCount());
        for (long inc = 0; inc <= 4; inc++) {
            for (int c = 0; c < LIMIT + 2; c++) {
                if (d.contains(inc, c) != m.contains(inc, c)) {
                    throw new AssertionError(d + ".contains(" + inc + ", " + c + ") != model " + m.contains(inc, c));
                }
            }
        }
    }

    @Test
    void agreesWithTheBitSetModel() {
        Seeds.check("dotset-model", 300, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Model ma = randomModel(r);
            Model mb = randomModel(r);
            if (r.nextBoolean()) {
                mb = new Model(ma.inc(), mb.bits()); // mostly the same incarnation
            }
            DotSet a = ma.toDotSet(r);
            DotSet b = mb.toDotSet(r);
            assertAgrees(a, ma);
            assertAgrees(b, mb);
            assertAgrees(a.union(b), ma.union(mb));
            assertAgrees(a.minus(b), ma.minus(mb));
            assertAgrees(b.minus(a), mb.minus(ma));
            assertThat(a.containsAll(b)).isEqualTo(ma.containsAll(mb));
            assertThat(b.containsAll(a)).isEqualTo(mb.containsAll(ma));
            assertThat(a.union(b).containsAll(a)).isTrue();
            assertThat(a.union(b).containsAll(b)).isTrue();
            // equal sets are equal objects, however they were built
            assertThat(ma.toDotSet(r)).isEqualTo(a).hasSameHashCodeAs(a);
            assertThat(a.equals(b)).isEqualTo(ma.equals(mb));
        });
    }

    @Test
    void unionIsIdempotentCommutativeAndAssociative() {
        Seeds.check("dotset-union-laws", 300, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            DotSet a = randomModel(r).toDotSet(r);
            DotSet b = randomModel(r).toDotSet(r);
            DotSet c = randomModel(r).toDotSet(r);
            assertThat(a.union(a)).isEqualTo(a);
            assertThat(a.union(b)).isEqualTo(b.union(a));
            assertThat(a.union(b).union(c)).isEqualTo(a.union(b.union(c)));
            assertThat(a.union(b).minus(b).union(b)).isEqualTo(a.union(b));
        });
    }

    @Test
    void ofCoalescesAdjacentRangesIntoCanonicalForm() {
        DotSet d = DotSet.of(7, new long[] {0, 3, 4, 4, 5, 9, 11, 11});
        assertThat(d.ranges()).containsExactly(0, 9, 11, 11);
        assertThat(d).isEqualTo(DotSet.of(7, new long[] {0, 9, 11, 11})).hasToString("7:[0..9,11..11]");
        assertThat(d).isNotEqualTo(DotSet.of(8, new long[] {0, 9, 11, 11}));
        assertThat(DotSet.upTo(7, 9)).isEqualTo(DotSet.of(7, new long[] {0, 9}));
        assertThat(DotSet.of(7, 4)).isEqualTo(DotSet.of(7, new long[] {4, 4}));
        assertThat(DotSet.of(7, 0).union(DotSet.of(7, 2)).union(DotSet.of(7, 1))).isEqualTo(DotSet.upTo(7, 2));
        assertThat(DotSet.of(7, new long[0]).isEmpty()).isTrue();
        assertThat(DotSet.of(7, new long[0]).maxCounter()).isEqualTo(-1);
    }

    @Test
    void higherIncarnationWinsAndCoversEveryOlderWrite() {
        DotSet old = DotSet.upTo(1_000, 50);
        DotSet young = DotSet.of(2_000, 3); // write 0..2 of the new life not seen yet
        assertThat(old.union(young)).isSameAs(young);
        assertThat(young.union(old)).isSameAs(young);
        assertThat(young.contains(1_000, 1_000_000)).isTrue();
        assertThat(young.contains(2_000, 0)).isFalse();
        assertThat(young.contains(2_001, 0)).isFalse();
        assertThat(young.containsAll(old)).isTrue();
        assertThat(old.containsAll(young)).isFalse();
        assertThat(old.minus(young).isEmpty()).isTrue();
        assertThat(old.minus(young).incarnation()).isEqualTo(1_000);
        assertThat(young.minus(old)).isSameAs(young);
        assertThat(young.contiguousUpTo()).isEqualTo(-1);
    }

    @Test
    void countersNearTheTopOfTheRangeDoNotOverflow() {
        long max = Long.MAX_VALUE;
        DotSet a = DotSet.of(1, new long[] {0, max - 1});
        DotSet top = DotSet.of(1, max);
        assertThat(a.union(top)).isEqualTo(DotSet.upTo(1, max));
        assertThat(DotSet.upTo(1, max).minus(top)).isEqualTo(a);
        assertThat(DotSet.upTo(1, max).minus(DotSet.of(1, 0))).isEqualTo(DotSet.of(1, new long[] {1, max}));
        assertThat(top.contains(1, max)).isTrue();
        assertThat(top.maxCounter()).isEqualTo(max);
    }

    @Test
    void invalidInputIsRejectedNamingTheField() {
        assertThatThrownBy(() -> DotSet.of(-1, 0)).isInstanceOf(IllegalArgumentException.class).hasMessage("incarnation: -1 is negative");
        assertThatThrownBy(() -> DotSet.of(1, -1)).hasMessage("counter: -1 is negative");
        assertThatThrownBy(() -> DotSet.of(1, (long[]) null)).hasMessageStartingWith("ranges:");
        assertThatThrownBy(() -> DotSet.of(1, new long[] {0, 1, 2})).hasMessage("ranges: expected pairs of counters, got 3 values");
        assertThatThrownBy(() -> DotSet.of(1, new long[] {5, 4})).hasMessage("ranges[0]: [5, 4] is not 0 <= lo <= hi");
        assertThatThrownBy(() -> DotSet.of(1, new long[] {-2, 4})).hasMessage("ranges[0]: [-2, 4] is not 0 <= lo <= hi");
        assertThatThrownBy(() -> DotSet.of(1, new long[] {0, 5, 5, 6})).hasMessageContaining("ranges[1]: [5, 6] overlaps");
        assertThatThrownBy(() -> DotSet.of(1, new long[] {10, 12, 0, 1})).hasMessageContaining("ranges[1]: [0, 1] overlaps or precedes");
        assertThatThrownBy(() -> DotSet.upTo(1, -1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rangesAreACopy() {
        DotSet d = DotSet.upTo(1, 5);
        d.ranges()[1] = 99;
        assertThat(d.maxCounter()).isEqualTo(5);
    }
}
