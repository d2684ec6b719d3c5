package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chain of a key from a topology snapshot: claims only, in route order, live members, at most R. */
class TopologyChainResolverTest {
    private static final NetId A = NetId.parse("127.0.0.1:1001");
    private static final NetId B = NetId.parse("127.0.0.1:1002");
    private static final NetId C = NetId.parse("127.0.0.1:1003");
    private static final NetId D = NetId.parse("127.0.0.1:1004");

    private static GroupState with(GroupState s, NetId m, Item... items) {
        return new LocalMember(m, 1, () -> 0L).write(s, List.of(items)).state();
    }

    private static GroupState topology() {
        GroupState s = GroupState.empty("d");
        s = with(s, A, Item.get(A), Item.add(A, 0, 999, 7001, 3));
        s = with(s, B, Item.get(B), Item.add(B, 0, 999, 7002, 2));
        s = with(s, C, Item.get(C), Item.add(C, 0, 999, 7003, 1));
        return with(s, D, Item.get(D), Item.add(D, 0, 999, 7004, 0), Item.add(D, 1000, 1999, 7004, 1));
    }

    private static Map<NetId, MemberState> alive() {
        return Map.of(A, MemberState.ALIVE, B, MemberState.ALIVE, C, MemberState.ALIVE, D, MemberState.ALIVE);
    }

    @Test
    void claimsInRouteOrderMappedToDataPorts() {
        TopologyChainResolver r = new TopologyChainResolver(A, "d", 3);
        assertThat(r.chain("s", 5)).as("before the first update").isEmpty();
        r.update(topology(), alive());
        assertThat(r.chain("s", 5)).extracting(ChainResolver.Member::address).containsExactly(
                new InetSocketAddress(A.address(), 7001), new InetSocketAddress(B.address(), 7002),
                new InetSocketAddress(C.address(), 7003));
        assertThat(r.chain("s", 5).get(0).is(r.selfId())).isTrue();
        assertThat(r.chain("s", 1500)).extracting(ChainResolver.Member::address)
                .containsExactly(new InetSocketAddress(D.address(), 7004));
        assertThat(r.chain("s", 5000)).isEmpty();
    }

    @Test
    void downMembersAndPriorityZeroAreLeftOutAndChainsAreCutAtR() {
        TopologyChainResolver r = new TopologyChainResolver(C, "d", 2);
        r.update(topology(), Map.of(A, MemberState.DEAD, B, MemberState.SUSPECT, C, MemberState.ALIVE,
                D, MemberState.ALIVE));
        assertThat(r.chain("s", 5)).extracting(ChainResolver.Member::address).containsExactly(
                new InetSocketAddress(B.address(), 7002), new InetSocketAddress(C.address(), 7003));
        r.update(topology(), alive());
        assertThat(r.chain("s", 5)).hasSize(2);
    }

    @Test
    void idsAreAddressThenPortAndOtherGroupsAreRefused() {
        assertThat(TopologyChainResolver.idOf(A)).containsExactly(127, 0, 0, 1, 0x03, 0xE9);
        TopologyChainResolver r = new TopologyChainResolver(A, "d", 3);
        assertThat(r.selfId()).containsExactly(TopologyChainResolver.idOf(A));
        assertThatThrownBy(() -> r.update(GroupState.empty("other"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("other");
        assertThatThrownBy(() -> new TopologyChainResolver(A, "d", 0)).hasMessageContaining("replicas");
    }
}
