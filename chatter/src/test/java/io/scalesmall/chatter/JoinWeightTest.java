package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.wire.WireMessage;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Issue 6: the join item carries the member's weight as its priority; own items can be written in one batch. */
class JoinWeightTest {
    private static final NetId SELF = NetId.parse("127.0.0.1:7001");

    private static GroupNode node() {
        Outbox none = new Outbox() {
            @Override
            public void multicast(WireMessage message) {
            }

            @Override
            public void send(NetId to, WireMessage message) {
            }

            @Override
            public void sendPacket(NetId to, WireMessage message) {
            }
        };
        return new GroupNode(SELF, 1, ChatterConfig.lan(), none, () -> 1_000L, new Random(6));
    }

    private static TimedItem joinItem(GroupNode n) {
        return n.state("g").itemsOf(SELF).get(Item.get(SELF));
    }

    @Test
    void joinWritesTheWeightAndSetWeightRewritesIt() {
        GroupNode n = node();
        n.join(0, "g", List.of(), 5);
        assertThat(joinItem(n).op()).isEqualTo(Op.GET);
        assertThat(joinItem(n).item().priority()).isEqualTo(5);
        long digest = n.state("g").digest();
        n.setWeight(1, "g", 5);
        assertThat(n.state("g").digest()).as("same weight: nothing written").isEqualTo(digest);
        n.setWeight(2, "g", 0);
        assertThat(joinItem(n).item().priority()).isZero();
        assertThat(n.members("g")).containsExactly(SELF);

        GroupNode plain = node();
        plain.join(0, "g", List.of());
        assertThat(joinItem(plain).item()).isEqualTo(Item.get(SELF));
    }

    @Test
    void badWeightsAndUnjoinedGroupsAreRefused() {
        GroupNode n = node();
        assertThatThrownBy(() -> n.join(0, "g", List.of(), -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("weight: -1");
        assertThatThrownBy(() -> n.setWeight(0, "g", 1)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("has not joined group g");
    }

    @Test
    void aBatchOfOwnItemsIsOneWrite() {
        GroupNode n = node();
        n.join(0, "g", List.of(), 1);
        n.write(1, "g", List.of(Item.add(SELF, 0, 9, 80, 3), Item.add(SELF, 10, 19, 80, 2)));
        GroupState s = n.state("g");
        TimedItem a = s.itemsOf(SELF).get(Item.add(SELF, 0, 9, 80, 3));
        TimedItem b = s.itemsOf(SELF).get(Item.add(SELF, 10, 19, 80, 2));
        assertThat(a.updatedAt()).as("one clock for the batch").isEqualTo(b.updatedAt());
        assertThat(n.route("g", 15)).extracting(Item::priority).containsExactly(2);
        n.write(2, "g", List.of(Item.add(SELF, 0, 9, 80, 0).withOp(Op.RMV), Item.add(SELF, 20, 29, 80, 1)));
        assertThat(n.route("g", 5)).isEmpty();
        assertThat(n.route("g", 25)).extracting(Item::priority).containsExactly(1);
        assertThatThrownBy(() -> n.write(3, "g", List.of(Item.add(NetId.parse("127.0.0.1:9"), 0, 1, 80, 1))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
