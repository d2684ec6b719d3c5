package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The original's timed_set_test cases. */
class TimedSetTest {
    static final NetId A = Gen.id("10.0.0.1:1");
    static final NetId B = Gen.id("10.0.0.2:1");

    final TimedItem ti1 = Gen.add(A, 0, 99, 1000, 0, 1, 0);
    final TimedItem ti1x = Gen.rmv(A, 0, 99, 1000, 1, 3, 50);
    final TimedItem ti2 = Gen.get(B, 1, 0);
    final TimedItem ti2x = Gen.ti(new Item(B, Op.ADD, 0, Gen.MAX, 2000, 1), 1, 1, 60);

    @Test
    void addKeepsOneItemPerKeyInKeyOrder() {
        TimedSet s = TimedSet.empty().add(ti2).add(ti1);
        assertThat(s.items()).containsExactly(ti1, ti2);
        assertThat(s.size()).isEqualTo(2);
        assertThat(s.item(1)).isSameAs(ti2);
        assertThat(s.add(ti1x).items()).containsExactly(ti1x, ti2);
        assertThat(s.add(ti1x).add(ti1).items()).as("an older version is ignored").containsExactly(ti1x, ti2);
        assertThat(TimedSet.empty().isEmpty()).isTrue();
        assertThat(s.isEmpty()).isFalse();
        assertThatThrownBy(() -> s.items().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void getFindsTheVersionHeldForAKeyWhateverTheOpAndPort() {
        TimedSet s = TimedSet.of(ti1x, ti2);
        assertThat(s.get(Item.add(A, 0, 99, 7, 7))).isSameAs(ti1x);
        assertThat(s.get(Item.get(B))).isSameAs(ti2);
        assertThat(s.get(Item.add(A, 0, 98, 7, 7))).isNull();
        assertThat(s.get(Item.get(A))).isNull();
    }

    @Test
    void countsByMemberAndByExactClock() {
        TimedItem a2 = Gen.add(A, 100, 199, 1000, 0, 1, 0);
        TimedSet s = TimedSet.of(ti1, a2, ti2x);
        assertThat(s.count(A)).isEqualTo(2);
        assertThat(s.count(B)).isEqualTo(1);
        assertThat(s.count(Gen.id("10.0.0.3:1"))).isZero();
        assertThat(s.count(Gen.clock(A, 1, 0))).isEqualTo(2);
        assertThat(s.count(Gen.clock(B, 1, 1))).isEqualTo(1);
        assertThat(s.count(Gen.clock(B, 1, 0))).isZero();
        assertThat(s.items(Op.ADD)).containsExactly(ti1, a2, ti2x);
        assertThat(s.items(Op.RMV)).isEmpty();
        assertThat(TimedSet.of(ti1x, ti2).items(Op.RMV)).containsExactly(ti1x);
        assertThat(TimedSet.of(ti1x, ti2).items(Op.GET)).containsExactly(ti2);
    }

    @Test
    void mergeKeepsTheLatestElements() {
        // The original's eight combinations: each key's two versions split between the two sides in every way,
        // merged in both orders, always giving the later versions.
        TimedSet expected = TimedSet.of(ti1x, ti2x);
        int checked = 0;
        for (boolean xLeft1 : new boolean[] {true, false}) {
            for (boolean xLeft2 : new boolean[] {true, false}) {
                TimedSet left = TimedSet.of(xLeft1 ? ti1x : ti1, xLeft2 ? ti2x : ti2);
                TimedSet right = TimedSet.of(xLeft1 ? ti1 : ti1x, xLeft2 ? ti2 : ti2x);
                assertThat(left.merge(right)).isEqualTo(expected);
                assertThat(right.merge(left)).isEqualTo(expected);
                assertThat(left.merge(right).items()).containsExactly(ti1x, ti2x);
                checked += 2;
            }
        }
        assertThat(checked).isEqualTo(8);
    }

    @Test
    void mergeIsIdempotentAndHasTheEmptySetAsIdentity() {
        TimedSet s = TimedSet.of(ti1, ti2);
        assertThat(s.merge(s)).isSameAs(s);
        assertThat(s.merge(TimedSet.of(ti1, ti2))).isEqualTo(s);
        assertThat(s.merge(TimedSet.empty())).isSameAs(s);
        assertThat(TimedSet.empty().merge(s)).isSameAs(s);
        assertThat(s.merge(TimedSet.of(ti1))).isSameAs(s);
        assertThat(TimedSet.of(ti1, ti1x, ti1)).isEqualTo(TimedSet.of(ti1x));
    }

    @Test
    void mergeIsALatticeJoinOnRandomItems() {
        Seeds.check("timedset-join", 300, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            TimedSet a = randomSet(r);
            TimedSet b = randomSet(r);
            TimedSet c = randomSet(r);
            assertThat(a.merge(b)).isEqualTo(b.merge(a)).hasSameHashCodeAs(b.merge(a));
            assertThat(a.merge(b).merge(c)).isEqualTo(a.merge(b.merge(c)));
            assertThat(a.merge(a)).isEqualTo(a);
            TimedSet byAdd = a;
            for (TimedItem t : b.items()) {
                byAdd = byAdd.add(t);
            }
            assertThat(byAdd).isEqualTo(a.merge(b));
            List<TimedItem> items = a.merge(b).items();
            for (int i = 1; i < items.size(); i++) {
                assertThat(Item.compareKeys(items.get(i - 1).item(), items.get(i).item())).isNegative();
            }
        });
    }

    /** Items of two members over a few keys; one clock per (member, counter), so no ties. */
    private static TimedSet randomSet(SplittableRandom r) {
        List<TimedItem> out = new ArrayList<>();
        int n = r.nextInt(8);
        for (int i = 0; i < n; i++) {
            NetId m = r.nextBoolean() ? A : B;
            long[] range = Gen.RANGES[r.nextInt(4)];
            int counter = r.nextInt(6);
            Op op = Op.values()[(counter + range.length + (m == A ? 0 : 1)) % 3];
            // payload is a function of (member, counter, key), so equal clocks mean equal writes
            out.add(Gen.ti(new Item(m, op, range[0], range[1], 100 + counter, counter % 2), 1, counter, counter));
        }
        return TimedSet.of(out);
    }
}
