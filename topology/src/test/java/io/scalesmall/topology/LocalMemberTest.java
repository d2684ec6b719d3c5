package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The single writer: the reference's doc example (§5), the W11 leave example and the single-writer rule. */
class LocalMemberTest {
    static final NetId ME = Gen.id("192.168.1.100:29999");
    static final NetId PEER = Gen.id("192.168.1.97:29999");
    static final long T = 1_455_000_000_000L;

    final long[] now = {T};
    final LocalMember me = new LocalMember(ME, 0, () -> now[0]);
    final GroupState empty = GroupState.empty("G");

    @Test
    void theDocExampleJoinThenAddItem() {
        assertThat(empty.items()).isEmpty();

        LocalMember.Write join = me.join(empty);
        TimedItem get = new TimedItem(new Item(ME, Op.GET, 0, 4294967295L, 0, 0), new LocalClock(ME, 0, 0), T);
        assertThat(join.clock()).isEqualTo(new LocalClock(ME, 0, 0));
        assertThat(join.state().items()).containsExactly(get);
        assertThat(join.delta().items()).containsExactly(get);
        assertThat(join.delta().worldClock()).isEqualTo(WorldClock.of(join.clock()));
        assertThat(join.isEmpty()).isFalse();

        now[0] = T + 5;
        LocalMember.Write add = me.addItem(join.state(), 0, 255, 11000, 0);
        TimedItem added = new TimedItem(new Item(ME, Op.ADD, 0, 255, 11000, 0), new LocalClock(ME, 0, 1), T + 5);
        assertThat(add.clock()).isEqualTo(new LocalClock(ME, 0, 1));
        assertThat(add.delta().items()).containsExactly(added);
        // sorted by key: (me, 0, 255) < (me, 0, 4294967295)
        assertThat(add.state().items()).containsExactly(added, get);
        assertThat(add.state().members()).containsExactly(ME);
        assertThat(add.state().worldClock().get(ME)).isEqualTo(DotSet.upTo(0, 1));
        assertThat(me.intent()).isEqualTo(Map.of("G", List.of(Item.get(ME), Item.add(ME, 0, 255, 11000, 0))));
    }

    @Test
    void theW11LeaveExampleTombstonesEveryItemWithOneClockAndKeepsPorts() {
        LocalMember peer = new LocalMember(PEER, 0, () -> T);
        GroupState s = peer.join(empty).state();
        s = me.join(s).state();
        s = me.addItem(s, 15, 255, 11000, 2).state();
        assertThat(s.members()).containsExactly(PEER, ME);

        LocalMember.Write leave = me.leave(s);
        LocalClock c = new LocalClock(ME, 0, 2);
        assertThat(leave.clock()).isEqualTo(c);
        assertThat(leave.state().items()).containsExactly(
                new TimedItem(Item.get(PEER), new LocalClock(PEER, 0, 0), T),
                new TimedItem(new Item(ME, Op.RMV, 0, Gen.MAX, 0, 0), c, T),
                new TimedItem(new Item(ME, Op.RMV, 15, 255, 11000, 2), c, T));
        assertThat(leave.delta().itemCount()).isEqualTo(2);
        assertThat(leave.state().members()).containsExactly(PEER);
        assertThat(leave.state().route(100)).isEmpty();
        assertThat(me.intent()).isEmpty();
        // A peer hearing only the delta agrees.
        GroupState peerView = s.merge(leave.delta());
        assertThat(peerView).isEqualTo(leave.state());
    }

    @Test
    void aWriteOfAForeignMembersItemIsRejectedAndChangesNothing() {
        GroupState s = me.join(empty).state();
        assertThatThrownBy(() -> me.write(s, List.of(Item.add(PEER, 0, 9, 1, 0))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("item.member: " + PEER + " is not this member " + ME);
        assertThatThrownBy(() -> me.write(s, List.of(Item.add(ME, 0, 9, 1, 0), Item.get(PEER))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> me.write(s, List.of())).hasMessage("items: empty write");
        assertThatThrownBy(() -> me.write(s, List.of(Item.add(ME, 0, 9, 1, 0), Item.add(ME, 0, 9, 2, 0))))
                .hasMessage("items: key 0..9 appears twice in one write");
        // nothing was minted or remembered: the next write takes the next counter, intent is unchanged
        LocalMember.Write next = me.addItem(s, 0, 9, 1, 0);
        assertThat(next.clock()).isEqualTo(new LocalClock(ME, 0, 1));
        assertThat(me.intent().get("G")).containsExactly(Item.get(ME), Item.add(ME, 0, 9, 1, 0));
        assertThat(next.state().itemsOf(PEER).isEmpty()).isTrue();
    }

    @Test
    void removeItemWritesATombstoneKeepingPortAndPriority() {
        GroupState s = me.addItem(empty, 0, 255, 11000, 7).state();
        LocalMember.Write rm = me.removeItem(s, 0, 255);
        assertThat(rm.delta().items()).containsExactly(
                new TimedItem(new Item(ME, Op.RMV, 0, 255, 11000, 7), new LocalClock(ME, 0, 1), T));
        assertThat(rm.state().items(Op.ADD)).isEmpty();
        assertThat(rm.state().members()).isEmpty();
        // removing a key never held writes a bare tombstone (port 0)
        LocalMember.Write rm2 = me.removeItem(rm.state(), 300, 400);
        assertThat(rm2.delta().items()).extracting(TimedItem::item).containsExactly(new Item(ME, Op.RMV, 300, 400, 0, 0));
        // and the range can be served again later
        LocalMember.Write again = me.addItem(rm2.state(), 0, 255, 12000, 1);
        assertThat(again.state().route(10)).containsExactly(Item.add(ME, 0, 255, 12000, 1));
        assertThat(again.clock().counter()).isEqualTo(3);
    }

    @Test
    void leaveWithNothingToRemoveReturnsAnEmptyWrite() {
        LocalMember.Write w = me.leave(empty);
        assertThat(w.isEmpty()).isTrue();
        assertThat(w.clock()).isNull();
        assertThat(w.delta().isEmpty()).isTrue();
        assertThat(w.delta().group()).isEqualTo("G");
        assertThat(w.state()).isSameAs(empty);
        // after a leave, a second leave has nothing left either
        GroupState left = me.leave(me.join(empty).state()).state();
        assertThat(me.leave(left).isEmpty()).isTrue();
    }

    @Test
    void anAddOverTheWholeKeySpaceReplacesTheJoinItem() {
        // reference §3.6.5: GET and ADD share the key (member, 0, MAX)
        GroupState s = me.join(empty).state();
        LocalMember.Write w = me.addItem(s, 0, Gen.MAX, 9000, 0);
        assertThat(w.state().items()).extracting(TimedItem::item).containsExactly(Item.add(ME, 0, Gen.MAX, 9000, 0));
        assertThat(me.intent().get("G")).containsExactly(Item.add(ME, 0, Gen.MAX, 9000, 0));
    }

    @Test
    void clocksArePerGroup() {
        GroupState a = me.join(GroupState.empty("a")).state();
        a = me.addItem(a, 0, 9, 1, 0).state();
        LocalMember.Write b = me.join(GroupState.empty("b"));
        assertThat(b.clock()).isEqualTo(new LocalClock(ME, 0, 0));
        assertThat(me.addItem(a, 10, 19, 1, 0).clock()).isEqualTo(new LocalClock(ME, 0, 2));
        assertThat(me.intent().keySet()).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void aWriteAfterTheStateLostThisMembersEntryStartsANewIncarnation() {
        // e.g. the node's own state compacted this member away after it left
        GroupState s = me.leave(me.join(empty).state()).state();
        GroupState compacted = s.compact(T + 10_000, 1_000);
        assertThat(compacted.worldClock().get(ME)).isNull();
        LocalMember.Write rejoin = me.join(compacted);
        assertThat(rejoin.clock()).isEqualTo(new LocalClock(ME, 1, 0));
        // which supersedes the old life everywhere, including on a replica that kept the tombstones
        assertThat(s.merge(rejoin.delta()).items()).extracting(TimedItem::item).containsExactly(Item.get(ME));
    }

    @Test
    void startUsesTheWallClockAsIncarnationAndTheConstructorValidates() {
        LocalMember m = LocalMember.start(ME, () -> 1_700_000_000_123L);
        assertThat(m.baseIncarnation()).isEqualTo(1_700_000_000_123L);
        assertThat(m.self()).isEqualTo(ME);
        assertThat(m.join(empty).clock()).isEqualTo(new LocalClock(ME, 1_700_000_000_123L, 0));
        assertThat(LocalMember.start(ME, () -> -5).baseIncarnation()).isZero();
        assertThatThrownBy(() -> new LocalMember(null, 0, () -> 0)).hasMessage("self: null");
        assertThatThrownBy(() -> new LocalMember(ME, -1, () -> 0)).hasMessage("incarnation: -1 is negative");
        assertThatThrownBy(() -> new LocalMember(ME, 0, null)).hasMessage("clockMillis: null");
    }
}
