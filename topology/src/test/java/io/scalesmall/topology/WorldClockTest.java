package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The original's world_clock_test cases ("keeps the latest"), plus what the causal context adds. */
class WorldClockTest {
    static final NetId M1 = Gen.id("10.0.0.1:1");
    static final NetId M2 = Gen.id("10.0.0.2:1");
    static final NetId M3 = Gen.id("[fd00::3]:1");

    @Test
    void addingTheSameClockTwiceChangesNothing() {
        LocalClock c = Gen.clock(M1, 1, 4);
        WorldClock once = WorldClock.empty().add(c);
        assertThat(once.add(c)).isSameAs(once);
        assertThat(once.latest(M1)).isEqualTo(c);
        assertThat(once.size()).isEqualTo(1);
        assertThat(once.get(M1)).isEqualTo(DotSet.of(1, 4));
    }

    @Test
    void aNewerClockReplacesTheLatestAndAnOlderOneIsIgnored() {
        LocalClock c0 = Gen.clock(M1, 1, 0);
        LocalClock c1 = c0.next();
        WorldClock w = WorldClock.of(c0).add(c1);
        assertThat(w.latest(M1)).isEqualTo(c1);
        assertThat(w.get(M1)).isEqualTo(DotSet.upTo(1, 1));
        // older arrives after newer: latest stays, the older write is recorded as seen
        WorldClock later = WorldClock.of(Gen.clock(M1, 1, 5)).add(Gen.clock(M1, 1, 3));
        assertThat(later.latest(M1)).isEqualTo(Gen.clock(M1, 1, 5));
        assertThat(later.get(M1)).isEqualTo(DotSet.of(1, new long[] {3, 3, 5, 5}));
        // a write of an older incarnation is ignored outright
        WorldClock reborn = WorldClock.of(Gen.clock(M1, 1, 9)).add(Gen.clock(M1, 2, 0));
        assertThat(reborn.latest(M1)).isEqualTo(Gen.clock(M1, 2, 0));
        assertThat(reborn.add(Gen.clock(M1, 1, 10))).isSameAs(reborn);
    }

    @Test
    void latestOfAMissingIdIsNull() {
        WorldClock w = WorldClock.of(Gen.clock(M1, 1, 0));
        assertThat(w.latest(M2)).isNull();
        assertThat(w.get(M2)).isNull();
        assertThat(WorldClock.empty().latest(M1)).isNull();
        assertThat(WorldClock.empty().isEmpty()).isTrue();
    }

    @Test
    void mergeKeepsTheLatestAcrossThreeClocksInEveryOrder() {
        WorldClock w1 = WorldClock.of(Gen.clock(M1, 1, 1), Gen.clock(M2, 1, 0));
        WorldClock w2 = WorldClock.of(Gen.clock(M2, 1, 3), Gen.clock(M3, 1, 0));
        WorldClock w3 = WorldClock.of(Gen.clock(M1, 1, 0), Gen.clock(M3, 1, 2));
        WorldClock expected = WorldClock.empty()
                .with(M1, DotSet.upTo(1, 1))
                .with(M2, DotSet.of(1, new long[] {0, 0, 3, 3}))
                .with(M3, DotSet.of(1, new long[] {0, 0, 2, 2}));
        for (List<WorldClock> order : Gen.permutations(List.of(w1, w2, w3))) {
            WorldClock left = order.get(0).merge(order.get(1)).merge(order.get(2));
            WorldClock right = order.get(0).merge(order.get(1).merge(order.get(2)));
            assertThat(left).isEqualTo(expected).hasSameHashCodeAs(expected);
            assertThat(right).isEqualTo(expected);
            assertThat(left.latest(M1)).isEqualTo(Gen.clock(M1, 1, 1));
            assertThat(left.latest(M2)).isEqualTo(Gen.clock(M2, 1, 3));
            assertThat(left.latest(M3)).isEqualTo(Gen.clock(M3, 1, 2));
        }
        assertThat(w1.merge(w1)).isSameAs(w1);
        assertThat(w1.merge(WorldClock.empty())).isSameAs(w1);
        assertThat(WorldClock.empty().merge(w1)).isSameAs(w1);
    }

    @Test
    void coversTellsWhichWritesHaveBeenSeen() {
        WorldClock w = WorldClock.empty().with(M1, DotSet.of(5, new long[] {0, 3, 7, 7}));
        assertThat(w.covers(Gen.clock(M1, 5, 0))).isTrue();
        assertThat(w.covers(Gen.clock(M1, 5, 3))).isTrue();
        assertThat(w.covers(Gen.clock(M1, 5, 4))).isFalse();
        assertThat(w.covers(Gen.clock(M1, 5, 7))).isTrue();
        assertThat(w.covers(Gen.clock(M1, 5, 8))).isFalse();
        assertThat(w.covers(Gen.clock(M1, 4, 1_000))).as("an older incarnation").isTrue();
        assertThat(w.covers(Gen.clock(M1, 6, 0))).as("a newer incarnation").isFalse();
        assertThat(w.covers(Gen.clock(M2, 5, 0))).isFalse();
    }

    @Test
    void minusGivesWhatThePeerHasNotSeen() {
        WorldClock mine = WorldClock.empty()
                .with(M1, DotSet.upTo(1, 9))
                .with(M2, DotSet.upTo(1, 4))
                .with(M3, DotSet.upTo(7, 2));
        WorldClock theirs = WorldClock.empty()
                .with(M1, DotSet.of(1, new long[] {0, 3, 6, 6}))
                .with(M2, DotSet.upTo(1, 4))
                .with(M3, DotSet.upTo(6, 50));
        WorldClock missing = mine.minus(theirs);
        assertThat(missing.members()).containsExactly(M1, M3);
        assertThat(missing.get(M1)).isEqualTo(DotSet.of(1, new long[] {4, 5, 7, 9}));
        assertThat(missing.get(M3)).isEqualTo(DotSet.upTo(7, 2));
        assertThat(theirs.minus(mine).members()).as("M1 6 is seen by mine; M3's old life is superseded").isEmpty();
        assertThat(mine.minus(WorldClock.empty())).isEqualTo(mine);
        assertThat(mine.containsAll(theirs)).isTrue();
        assertThat(theirs.containsAll(mine)).isFalse();
        assertThat(theirs.merge(missing)).isEqualTo(mine.merge(theirs));
    }

    @Test
    void withReplacesAndWithoutRemoves() {
        WorldClock w = WorldClock.of(Gen.clock(M1, 1, 4), Gen.clock(M2, 1, 0));
        assertThat(w.with(M1, DotSet.of(1, 0)).get(M1)).as("replaced, not joined").isEqualTo(DotSet.of(1, 0));
        assertThat(w.without(M1).members()).containsExactly(M2);
        assertThat(w.without(M3)).isSameAs(w);
        assertThat(w.members()).containsExactly(M1, M2);
        assertThatThrownBy(() -> w.entries().clear()).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> w.with(null, DotSet.of(1, 0))).hasMessage("member: null");
        assertThatThrownBy(() -> w.with(M1, null)).hasMessage("dots: null");
        // an entry always holds at least one write: with() refuses an empty set, add() ignores it
        DotSet none = DotSet.of(3, new long[0]);
        assertThatThrownBy(() -> w.with(M3, none)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("dots: an entry for " + M3 + " must hold at least one write");
        assertThat(w.add(M3, none)).isSameAs(w);
        assertThat(w.add(M1, DotSet.of(1, 4).minus(DotSet.upTo(1, 9)))).isSameAs(w);
    }

    @Test
    void localClocksOfOneMemberAreTotallyOrderedAndOfDifferentMembersIncomparable() {
        LocalClock a = Gen.clock(M1, 1, 5);
        LocalClock b = Gen.clock(M1, 2, 0);
        assertThat(a).isLessThan(b);
        assertThat(LocalClock.max(a, b)).isSameAs(b);
        assertThat(LocalClock.max(b, a)).isSameAs(b);
        assertThat(LocalClock.max(a, a)).isSameAs(a);
        assertThat(a.next()).isEqualTo(Gen.clock(M1, 1, 6));
        assertThat(a).hasToString("10.0.0.1:1@1.5");
        assertThatThrownBy(() -> a.compareTo(Gen.clock(M2, 1, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("different members");
        assertThatThrownBy(() -> new LocalClock(M1, -1, 0)).hasMessage("incarnation: -1 is negative");
        assertThatThrownBy(() -> new LocalClock(M1, 0, -1)).hasMessage("counter: -1 is negative");
        assertThatThrownBy(() -> new LocalClock(null, 0, 0)).hasMessage("member: null");
    }
}
