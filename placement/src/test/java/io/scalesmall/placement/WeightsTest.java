package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Weights are the priorities of live GET items of the active members. */
class WeightsTest {
    static final NetId A = Ids.local(7001);
    static final NetId B = Ids.local(7002);
    static final NetId C = Ids.local(7003);
    static final NetId D = Ids.local(7004);

    @Test
    void weightsAreGetPrioritiesOfActiveJoinedMembers() {
        Cluster c = new Cluster();
        c.weigh(A, 1);
        c.weigh(B, 4);
        c.weigh(C, 0);
        c.weigh(D, 2);
        LocalMember dWriter = c.writers.get(D);
        c.state = dWriter.leave(c.state).state(); // D left: its GET item is a tombstone
        NetId stranger = Ids.local(7005);         // active but never joined
        assertThat(Weights.of(c.state, Set.of(A, B, C, D, stranger)))
                .containsExactly(Map.entry(A, 1), Map.entry(B, 4), Map.entry(C, 0));
        assertThat(Weights.of(c.state, List.of(B))).containsExactly(Map.entry(B, 4)); // A, C not active
        c.weigh(A, 3); // a weight change is a newer write of the same key
        assertThat(Weights.of(c.state, List.of(A, B))).containsExactly(Map.entry(A, 3), Map.entry(B, 4));
        assertThat(Weights.of(GroupState.empty("g"), List.of(A))).isEmpty();
        assertThat(Weights.ring(c.state, List.of(A, B, C), 2, 64)).isEqualTo(Ring.of(Map.of(A, 3, B, 4, C, 0), 2, 64));
    }

    @Test
    void anAddItemIsNotAJoin() {
        Cluster c = new Cluster();
        c.weigh(A, 1);
        c.state = new LocalMember(B, 1, () -> 1L).addItem(c.state, 0, 10, 9000, 7).state();
        assertThat(Weights.of(c.state, List.of(A, B))).containsOnlyKeys(A);
    }

    @Test
    void joinItemIsAGetOverTheWholeKeySpace() {
        assertThat(Weights.joinItem(A, 7)).isEqualTo(new Item(A, Op.GET, 0, Item.MAX_KEY, 0, 7));
        assertThat(Weights.joinItem(A, 0)).isEqualTo(Item.get(A));
        assertThatThrownBy(() -> Weights.joinItem(A, -1)).hasMessage("weight: -1 is negative");
        assertThatThrownBy(() -> Weights.joinItem(null, 1)).hasMessage("member: null");
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> Weights.of(null, List.of())).hasMessage("state: null");
        assertThatThrownBy(() -> Weights.of(GroupState.empty("g"), null)).hasMessage("active: null");
        assertThatThrownBy(() -> Weights.of(GroupState.empty("g"), Arrays.asList(A, null)))
                .hasMessage("active: null member");
    }
}
