package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The original's message_test cases (Message is GroupState here), plus construction and validation. */
class GroupStateTest {
    static final NetId ME = Gen.id("192.168.1.100:29999");
    static final NetId OTHER = Gen.id("192.168.1.97:29999");

    final TimedItem me0 = Gen.get(ME, 1, 0);
    final TimedItem me1 = Gen.ti(new Item(ME, Op.RMV, 0, Gen.MAX, 0, 0), 1, 1, 2_000);
    final TimedItem other0 = Gen.add(OTHER, 0, 255, 11000, 0, 5, 0);
    final TimedItem other1 = Gen.add(OTHER, 0, 255, 12000, 3, 5, 1);

    @Test
    void addUpdatesTheWorldClockAndTheItems() {
        GroupState s = GroupState.empty("g").add(me0);
        assertThat(s.worldClock()).isEqualTo(WorldClock.of(me0.updatedAt()));
        assertThat(s.items()).containsExactly(me0);
        assertThat(s.itemCount()).isEqualTo(1);
        assertThat(s.group()).isEqualTo("g");
        assertThat(s.isEmpty()).isFalse();

        GroupState s2 = s.add(me1);
        assertThat(s2.worldClock().latest(ME)).isEqualTo(me1.updatedAt());
        assertThat(s2.worldClock().get(ME)).isEqualTo(DotSet.upTo(1, 1));
        assertThat(s2.items()).containsExactly(me1);
        assertThat(s2.add(me0)).as("an older version changes nothing").isEqualTo(s2);
        assertThat(s2.add(me1)).isEqualTo(s2);

        GroupState outOfOrder = GroupState.empty("g").add(me1).add(me0);
        assertThat(outOfOrder).isEqualTo(s2);
    }

    @Test
    void mergeKeepsTheLatestInEveryOrder() {
        GroupState m1 = GroupState.empty("g").add(me0);
        GroupState m1x = m1.add(me1);
        GroupState m2 = GroupState.empty("g").add(other0);
        GroupState m2x = m2.add(other1);
        GroupState expected = GroupState.of("g",
                WorldClock.empty().with(ME, DotSet.upTo(1, 1)).with(OTHER, DotSet.upTo(5, 1)), List.of(me1, other1));
        for (List<GroupState> order : Gen.permutations(List.of(m1, m1x, m2, m2x))) {
            GroupState s = GroupState.empty("g");
            for (GroupState m : order) {
                s = s.merge(m);
            }
            assertThat(s).as("order %s", order).isEqualTo(expected);
            assertThat(s.digest()).isEqualTo(expected.digest());
            assertThat(order.get(0).merge(order.get(1).merge(order.get(2).merge(order.get(3))))).isEqualTo(expected);
        }
        assertThat(expected.items()).containsExactly(other1, me1);
        assertThat(m1.merge(m2).members()).containsExactly(OTHER, ME);
        assertThat(expected.members()).as("ME has only a tombstone left").containsExactly(OTHER);
    }

    @Test
    void mergeIsIdempotentAndHasTheEmptyStateAsIdentity() {
        GroupState s = Gen.state(me0, other0);
        GroupState empty = GroupState.empty(Gen.GROUP);
        assertThat(s.merge(s)).isSameAs(s);
        assertThat(s.merge(Gen.state(me0, other0))).isEqualTo(s);
        assertThat(s.merge(empty)).isSameAs(s);
        assertThat(empty.merge(s)).isSameAs(s);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.items()).isEmpty();
        assertThat(empty.itemsOf(ME).isEmpty()).isTrue();
    }

    @Test
    void mergeDropsAnItemTheOtherSideHasSeenAndNoLongerHolds() {
        // OTHER's write 0 was seen by `seen`, which holds no item of it any more (compacted away).
        GroupState holder = Gen.state(other0);
        GroupState seen = GroupState.of(Gen.GROUP, WorldClock.empty().with(OTHER, DotSet.upTo(5, 0)), List.of());
        assertThat(holder.merge(seen).items()).isEmpty();
        assertThat(seen.merge(holder).items()).isEmpty();
        assertThat(holder.merge(seen).worldClock().get(OTHER)).isEqualTo(DotSet.upTo(5, 0));
        // while a peer that simply has not heard of the write keeps it
        GroupState unaware = GroupState.of(Gen.GROUP, WorldClock.empty().with(OTHER, DotSet.of(5, 1)), List.of());
        assertThat(holder.merge(unaware).items()).containsExactly(other0);
    }

    @Test
    void aNewIncarnationSupersedesEveryItemOfTheOldOne() {
        TimedItem oldAdd = Gen.add(OTHER, 0, 255, 11000, 0, 5, 7);
        TimedItem newGet = Gen.get(OTHER, 6, 0);
        GroupState old = Gen.state(Gen.add(OTHER, 300, 400, 1, 0, 5, 6), oldAdd);
        GroupState reborn = Gen.state(newGet);
        assertThat(old.merge(reborn).items()).containsExactly(newGet);
        assertThat(reborn.merge(old)).isEqualTo(old.merge(reborn));
        assertThat(old.merge(reborn).worldClock().get(OTHER)).isEqualTo(DotSet.of(6, 0));
    }

    @Test
    void mergingDifferentGroupsThrows() {
        GroupState g = Gen.state(me0);
        GroupState h = GroupState.of("h", WorldClock.of(me0.updatedAt()), List.of(me0));
        assertThatThrownBy(() -> g.merge(h)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group: cannot merge 'h' into 'g'");
        assertThatThrownBy(() -> g.merge(GroupState.empty("h"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void ofRejectsAnItemWhoseWriteTheWorldClockHasNotSeen() {
        WorldClock w = WorldClock.empty().with(ME, DotSet.upTo(1, 0));
        assertThatThrownBy(() -> GroupState.of("g", w, List.of(me1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("items[0].updatedAt: " + me1.updatedAt())
                .hasMessageContaining("not covered");
        assertThatThrownBy(() -> GroupState.of("g", w, List.of(me0, other0)))
                .hasMessageStartingWith("items[1].updatedAt: ");
    }

    @Test
    void ofRejectsAnItemOfAnotherIncarnationThanTheWorldClocks() {
        // incarnation 2 covers every write of incarnation 1, but a state never holds items of an older life
        WorldClock w = WorldClock.empty().with(ME, DotSet.upTo(2, 5));
        assertThatThrownBy(() -> GroupState.of("g", w, List.of(me0)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("items[0].updatedAt: ");
    }

    @Test
    void ofRejectsARepeatedKeyAndOtherInvalidParts() {
        WorldClock w = WorldClock.empty().with(ME, DotSet.upTo(1, 1));
        assertThatThrownBy(() -> GroupState.of("g", w, List.of(me0, me1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("items: key " + ME + " 0..4294967295 appears twice");
        assertThatThrownBy(() -> GroupState.of("g", null, List.of())).hasMessage("clock: null");
        assertThatThrownBy(() -> GroupState.of("g", w, java.util.Arrays.asList(me0, null))).hasMessage("items[1]: null");
        assertThatThrownBy(() -> GroupState.of("", w, List.of())).hasMessageStartingWith("group: ");
        GroupState ok = GroupState.of("g", w, List.of(me1));
        assertThat(ok.items()).containsExactly(me1);
        assertThat(ok.worldClock()).isEqualTo(w);
    }

    @Test
    void groupNamesAreOneTo255Utf8BytesWithoutControlCharacters() {
        GroupState.checkGroupName("g");
        GroupState.checkGroupName("x".repeat(255));
        GroupState.checkGroupName("é".repeat(127) + "a"); // 255 bytes
        GroupState.checkGroupName("grüße / 组 🙂");
        assertThatThrownBy(() -> GroupState.checkGroupName("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("group: '' is 0 UTF-8 bytes, not 1..255");
        assertThatThrownBy(() -> GroupState.checkGroupName("x".repeat(256)))
                .hasMessageEndingWith("is 256 UTF-8 bytes, not 1..255");
        assertThatThrownBy(() -> GroupState.checkGroupName("é".repeat(128)))
                .hasMessageEndingWith("is 256 UTF-8 bytes, not 1..255");
        assertThatThrownBy(() -> GroupState.checkGroupName("a\nb")).hasMessage("group: name contains control character U+000A");
        assertThatThrownBy(() -> GroupState.checkGroupName("a\u0000")).hasMessageEndingWith("U+0000");
        assertThatThrownBy(() -> GroupState.checkGroupName("\u007f")).hasMessageEndingWith("U+007F");
        assertThatThrownBy(() -> GroupState.checkGroupName("\u0085")).hasMessageEndingWith("U+0085");
        assertThatThrownBy(() -> GroupState.checkGroupName(null)).hasMessage("group: null");
        assertThatThrownBy(() -> GroupState.empty("a\tb")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deltaSinceTheEmptyClockIsTheWholeStateAndSinceItsOwnClockIsEmpty() {
        GroupState s = Gen.state(me0, other0);
        assertThat(s.delta(WorldClock.empty())).isSameAs(s);
        GroupState none = s.delta(s.worldClock());
        assertThat(none.isEmpty()).isTrue();
        assertThat(none.items()).isEmpty();
        GroupState onlyMe = s.delta(WorldClock.of(other0.updatedAt()));
        assertThat(onlyMe.items()).containsExactly(me0);
        assertThat(onlyMe.worldClock().members()).containsExactly(ME);
    }

    @Test
    void equalStatesAreEqualObjects() {
        GroupState a = Gen.state(me0, other0);
        GroupState b = GroupState.empty("g").add(other0).add(me0);
        assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
        assertThat(a).isNotEqualTo(Gen.state(me0)).isNotEqualTo(GroupState.of("h", a.worldClock(), a.items()));
        assertThat(a.toString()).contains("GroupState{g", ME.toString());
    }
}
