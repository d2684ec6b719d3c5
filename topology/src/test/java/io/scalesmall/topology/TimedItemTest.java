package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The original's timed_item_test cases, with the explicit tie-break the port defines. */
class TimedItemTest {
    static final NetId ME = Gen.id("192.168.1.100:29999");
    static final NetId OTHER = Gen.id("192.168.1.97:29999");

    @Test
    void theClockMustBelongToTheItemsMember() {
        assertThatThrownBy(() -> new TimedItem(Item.get(ME), Gen.clock(OTHER, 1, 0), 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("updatedAt.member: " + OTHER)
                .hasMessageContaining("item.member " + ME);
        assertThatThrownBy(() -> new TimedItem(null, Gen.clock(ME, 1, 0), 0)).hasMessage("item: null");
        assertThatThrownBy(() -> new TimedItem(Item.get(ME), null, 0)).hasMessage("updatedAt: null");
        assertThatThrownBy(() -> new TimedItem(Item.get(ME), Gen.clock(ME, 1, 0), -1)).hasMessage("timestampMillis: -1 is negative");
        TimedItem ok = new TimedItem(Item.get(ME), Gen.clock(ME, 1, 0), 0);
        assertThat(ok.member()).isEqualTo(ME);
        assertThat(ok.op()).isEqualTo(Op.GET);
    }

    @Test
    void laterClockWinsWhateverTheOp() {
        // max_item(ti@0 port1 :get, ti@1 port2 :rmv) == ti@1
        TimedItem t0 = Gen.ti(new Item(ME, Op.GET, 0, Gen.MAX, 1, 0), 1, 0, 50);
        TimedItem t1 = Gen.ti(new Item(ME, Op.RMV, 0, Gen.MAX, 2, 0), 1, 1, 10);
        assertThat(TimedItem.latest(t0, t1)).isSameAs(t1);
        assertThat(TimedItem.latest(t1, t0)).isSameAs(t1);
        assertThat(TimedItem.latest(t0, t0)).isSameAs(t0);
        // and a later ADD revives a removed key
        TimedItem t2 = Gen.ti(new Item(ME, Op.ADD, 0, Gen.MAX, 3, 0), 1, 2, 0);
        assertThat(TimedItem.latest(t1, t2)).isSameAs(t2);
        // a new incarnation beats any counter of an older one
        TimedItem reborn = Gen.ti(new Item(ME, Op.GET, 0, Gen.MAX, 0, 0), 2, 0, 0);
        assertThat(TimedItem.latest(t2, reborn)).isSameAs(reborn);
    }

    @Test
    void anEqualClockTieIsDeterministicAndSymmetric() {
        LocalClock c = Gen.clock(ME, 1, 7);
        TimedItem get = new TimedItem(new Item(ME, Op.GET, 0, 9, 5, 5), c, 100);
        TimedItem add = new TimedItem(new Item(ME, Op.ADD, 0, 9, 1, 0), c, 1);
        TimedItem rmv = new TimedItem(new Item(ME, Op.RMV, 0, 9, 0, 0), c, 0);
        TimedItem addPort = new TimedItem(new Item(ME, Op.ADD, 0, 9, 2, 0), c, 0);
        TimedItem addPrio = new TimedItem(new Item(ME, Op.ADD, 0, 9, 1, 3), c, 0);
        TimedItem addLater = new TimedItem(new Item(ME, Op.ADD, 0, 9, 1, 0), c, 2);
        // RMV over ADD over GET, then higher port, priority, timestamp
        assertTie(rmv, add, rmv);
        assertTie(add, get, add);
        assertTie(rmv, get, rmv);
        assertTie(add, addPort, addPort);
        assertTie(add, addPrio, addPrio);
        assertTie(addPort, addPrio, addPort);
        assertTie(add, addLater, addLater);
        List<TimedItem> all = List.of(get, add, rmv, addPort, addPrio, addLater);
        for (TimedItem a : all) {
            for (TimedItem b : all) {
                assertThat(TimedItem.latest(a, b)).isEqualTo(TimedItem.latest(b, a));
            }
        }
    }

    private static void assertTie(TimedItem a, TimedItem b, TimedItem winner) {
        assertThat(TimedItem.latest(a, b)).isSameAs(winner);
        assertThat(TimedItem.latest(b, a)).isSameAs(winner);
    }

    @Test
    void latestRejectsDifferentKeys() {
        TimedItem a = Gen.add(ME, 0, 9, 1, 0, 1, 0);
        assertThatThrownBy(() -> TimedItem.latest(a, Gen.add(ME, 0, 10, 1, 0, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("different keys");
        assertThatThrownBy(() -> TimedItem.latest(a, Gen.add(OTHER, 0, 9, 1, 0, 1, 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    /** it1 and it2 share a key (it2 later), it3 has another key, it4 is the latest version of it1's key. */
    static List<TimedItem> fourItems() {
        TimedItem it1 = Gen.ti(new Item(ME, Op.ADD, 0, 255, 11000, 0), 1, 0, 10);
        TimedItem it2 = Gen.ti(new Item(ME, Op.RMV, 0, 255, 11000, 0), 1, 1, 11);
        TimedItem it3 = Gen.ti(Item.get(OTHER), 4, 0, 12);
        TimedItem it4 = Gen.ti(new Item(ME, Op.ADD, 0, 255, 12000, 2), 1, 2, 13);
        return List.of(it1, it2, it3, it4);
    }

    @Test
    void allTwentyFourMergeOrdersGiveTheSameSet() {
        List<TimedItem> four = fourItems();
        // [it3, it4] in key order (member, start, end): OTHER (.97) sorts before ME (.100).
        List<TimedItem> expected = List.of(four.get(2), four.get(3));
        List<List<TimedItem>> orders = Gen.permutations(four);
        assertThat(orders).hasSize(24);
        for (List<TimedItem> order : orders) {
            TimedSet oneByOne = TimedSet.empty();
            TimedSet singletons = TimedSet.empty();
            for (TimedItem t : order) {
                oneByOne = oneByOne.add(t);
                singletons = singletons.merge(TimedSet.of(t));
            }
            assertThat(oneByOne.items()).as("add in order %s", order).containsExactlyElementsOf(expected);
            assertThat(singletons).isEqualTo(oneByOne);
            assertThat(TimedSet.of(order)).isEqualTo(oneByOne);
        }
    }

    @Test
    void addingAnItemAgainIsIdempotent() {
        List<TimedItem> four = fourItems();
        TimedSet s = TimedSet.of(four.get(0), four.get(1));
        assertThat(s.add(four.get(0))).isSameAs(s);
        assertThat(s.add(four.get(1))).isSameAs(s);
        assertThat(s.merge(s)).isSameAs(s);
        assertThat(s.items()).containsExactly(four.get(1));
    }
}
