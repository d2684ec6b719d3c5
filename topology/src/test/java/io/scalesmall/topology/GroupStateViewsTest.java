package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The derived views of a GroupState: members(), items(op), itemsOf() and route(key). */
class GroupStateViewsTest {
    static final NetId A = Gen.id("10.0.0.1:1");
    static final NetId B = Gen.id("10.0.0.2:1");
    static final NetId C = Gen.id("10.0.0.3:1");
    static final NetId D = Gen.id("[fd00::1]:1");

    @Test
    void membersExcludesMembersWhoseItemsAreAllTombstones() {
        GroupState s = Gen.state(
                Gen.get(A, 1, 0),                              // only a join: a member
                Gen.rmv(B, 0, Gen.MAX, 0, 1, 2, 0),            // left: not a member
                Gen.rmv(B, 0, 255, 80, 1, 2, 0),
                Gen.rmv(C, 0, 255, 80, 1, 1, 0),               // one tombstone, one ADD: a member
                Gen.add(C, 256, 511, 81, 0, 1, 1),
                Gen.add(D, 0, 9, 82, 0, 1, 0));
        assertThat(s.members()).containsExactly(A, C, D);
        assertThat(s.worldClock().members()).containsExactly(A, B, C, D);
        assertThat(s.itemCount()).isEqualTo(6);
        assertThatThrownBy(() -> s.members().add(B)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void itemsByOpAndByMemberAreInKeyOrder() {
        TimedItem a0 = Gen.get(A, 1, 0);
        TimedItem a1 = Gen.add(A, 0, 255, 80, 0, 1, 1);
        TimedItem b0 = Gen.rmv(B, 5, 6, 0, 1, 0, 0);
        TimedItem d0 = Gen.add(D, 0, 9, 82, 0, 1, 0);
        GroupState s = Gen.state(d0, b0, a0, a1);
        assertThat(s.items()).containsExactly(a1, a0, b0, d0);
        assertThat(s.items(Op.ADD)).containsExactly(a1, d0);
        assertThat(s.items(Op.GET)).containsExactly(a0);
        assertThat(s.items(Op.RMV)).containsExactly(b0);
        assertThat(s.itemsOf(A).items()).containsExactly(a1, a0);
        assertThat(s.itemsOf(C).isEmpty()).isTrue();
    }

    static final Item A1 = Item.add(A, 0, 100, 1000, 1);
    static final Item A2 = Item.add(A, 40, 70, 1001, 9);
    static final Item B1 = Item.add(B, 50, 150, 2000, 5);
    static final Item C1 = Item.add(C, 50, 60, 3000, 5);
    static final Item D1 = Item.add(D, 60, 60, 4000, 5);

    /** A: A1 0..100 prio 1 and A2 40..70 prio 9; B1 50..150 prio 5; C1 50..60 prio 5; D1 (IPv6) 60..60 prio 5. */
    static GroupState routing() {
        return Gen.state(
                Gen.ti(A1, 1, 0, 0),
                Gen.ti(A2, 1, 1, 0),
                Gen.get(A, 1, 2),                 // a GET never routes
                Gen.ti(B1, 1, 0, 0),
                Gen.rmv(B, 0, 49, 2001, 1, 0, 0), // nor does a tombstone
                Gen.ti(C1, 1, 0, 0),
                Gen.ti(D1, 1, 0, 0));
    }

    @Test
    void routeOrdersByPriorityThenNetIdWithOneEntryPerMember() {
        GroupState s = routing();
        // key 55: A twice (prio 1 and 9) -> once, with prio 9; B and C tie on 5 -> NetId order
        assertThat(s.route(55)).containsExactly(A2, B1, C1);
        // key 60: D (IPv6) ties with B and C and sorts after every IPv4 id
        assertThat(s.route(60)).containsExactly(A2, B1, C1, D1);
        assertThat(s.route(20)).containsExactly(A1);
        assertThat(s.route(120)).containsExactly(B1);
    }

    @Test
    void routeHonoursRangeBoundaries() {
        GroupState s = routing();
        assertThat(s.route(0)).containsExactly(A1);
        assertThat(s.route(39)).containsExactly(A1);
        assertThat(s.route(40)).containsExactly(A2);          // start of A2
        assertThat(s.route(49)).containsExactly(A2);          // B's tombstone 0..49 does not route
        assertThat(s.route(50)).containsExactly(A2, B1, C1);  // start of B1 and C1
        assertThat(s.route(60)).containsExactly(A2, B1, C1, D1);
        assertThat(s.route(61)).containsExactly(A2, B1);      // end + 1 of C1 and D1
        assertThat(s.route(70)).containsExactly(A2, B1);      // end of A2
        assertThat(s.route(71)).containsExactly(B1, A1);
        assertThat(s.route(100)).containsExactly(B1, A1);     // end of A1
        assertThat(s.route(101)).containsExactly(B1);
        assertThat(s.route(150)).containsExactly(B1);
        assertThat(s.route(151)).isEmpty();
        assertThat(s.route(Gen.MAX)).isEmpty();
    }

    @Test
    void routeCoversTheEdgesOfTheKeySpace() {
        GroupState s = Gen.state(Gen.add(A, 0, 0, 1, 0, 1, 0), Gen.add(B, Gen.MAX, Gen.MAX, 2, 0, 1, 0),
                Gen.add(C, 0, Gen.MAX, 3, 0, 1, 0));
        assertThat(s.route(0)).containsExactly(Item.add(A, 0, 0, 1, 0), Item.add(C, 0, Gen.MAX, 3, 0));
        assertThat(s.route(1)).containsExactly(Item.add(C, 0, Gen.MAX, 3, 0));
        assertThat(s.route(Gen.MAX - 1)).containsExactly(Item.add(C, 0, Gen.MAX, 3, 0));
        assertThat(s.route(Gen.MAX)).containsExactly(Item.add(B, Gen.MAX, Gen.MAX, 2, 0), Item.add(C, 0, Gen.MAX, 3, 0));
        assertThat(GroupState.empty("g").route(7)).isEmpty();
    }

    @Test
    void routeRejectsKeysOutsideTheKeySpace() {
        GroupState s = routing();
        assertThatThrownBy(() -> s.route(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: -1 is not in 0..4294967295");
        assertThatThrownBy(() -> s.route(Gen.MAX + 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: 4294967296 is not in 0..4294967295");
    }

    @Test
    void routeFollowsMerges() {
        GroupState s = routing();
        assertThat(s.route(55)).containsExactly(A2, B1, C1);
        GroupState cLeft = s.merge(Gen.state(Gen.rmv(C, 50, 60, 3000, 1, 1, 0)));
        assertThat(cLeft.route(55)).containsExactly(A2, B1);
        GroupState bHigher = cLeft.merge(Gen.state(Gen.add(B, 50, 150, 2000, 10, 1, 1)));
        assertThat(bHigher.route(55)).containsExactly(Item.add(B, 50, 150, 2000, 10), A2);
        assertThat(s.route(55)).as("the original state is unchanged").containsExactly(A2, B1, C1);
    }

    @Test
    void itemRejectsInvalidFieldsNamingThem() {
        assertThatThrownBy(() -> Item.add(A, -1, 5, 1, 0)).hasMessage("start: -1 is not in 0..4294967295");
        assertThatThrownBy(() -> Item.add(A, 0, Gen.MAX + 1, 1, 0)).hasMessage("end: 4294967296 is not in 0..4294967295");
        assertThatThrownBy(() -> Item.add(A, 6, 5, 1, 0)).hasMessage("start: 6 is after end 5");
        assertThatThrownBy(() -> Item.add(A, 0, 5, 65_536, 0)).hasMessage("port: 65536 is not in 0..65535");
        assertThatThrownBy(() -> Item.add(A, 0, 5, 1, -1)).hasMessage("priority: -1 is negative");
        assertThatThrownBy(() -> new Item(null, Op.ADD, 0, 5, 1, 0)).hasMessage("member: null");
        assertThatThrownBy(() -> new Item(A, null, 0, 5, 1, 0)).hasMessage("op: null");
        assertThat(Item.get(A)).isEqualTo(new Item(A, Op.GET, 0, Gen.MAX, 0, 0));
        assertThat(Op.fromCode(1)).isEqualTo(Op.ADD);
        assertThat(Op.fromCode(2)).isEqualTo(Op.RMV);
        assertThat(Op.fromCode(3)).isEqualTo(Op.GET);
        assertThat(Op.RMV.code()).isEqualTo(2);
        assertThatThrownBy(() -> Op.fromCode(4)).hasMessage("op: 4 is not 1 (ADD), 2 (RMV) or 3 (GET)");
    }
}
