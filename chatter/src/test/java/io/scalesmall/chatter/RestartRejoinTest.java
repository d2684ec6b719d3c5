package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimNetwork;
import io.scalesmall.topology.NetId;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node that restarts with no state (same id, new incarnation) is heard again: its broadcast ids start above
 * its previous life's, so peers' duplicate filters do not drop its join.
 */
class RestartRejoinTest {
    private static final long MS = 1_000_000L;

    @Test
    void aRestartedNodeRejoinsAndIsAMemberEverywhere() {
        NetId a = NetId.parse("10.0.0.1:29999");
        NetId b = NetId.parse("10.0.0.2:29999");
        SimNetwork net = new SimNetwork(3, LinkModel.fixed(MS), 10 * MS);
        net.addNode(a, "lan", ChatterConfig.lan());
        net.addNode(b, "lan", ChatterConfig.lan());
        net.node(a).core().join(0, "g", List.of());
        net.node(b).core().join(0, "g", List.of());
        net.runUntil(5_000 * MS);
        assertThat(net.node(a).core().state("g").members()).containsExactly(a, b);

        net.node(b).core().leave(net.nowNanos(), "g");
        net.runUntil(net.nowNanos() + 1_000 * MS);
        net.crash(b);
        assertThat(net.node(a).core().state("g").members()).containsExactly(a);
        net.runUntil(net.nowNanos() + 2_000 * MS);

        net.restart(b, ChatterConfig.lan());
        net.node(b).core().join(net.nowNanos(), "g", List.of());
        net.runUntil(net.nowNanos() + 5_000 * MS);
        assertThat(net.node(a).core().state("g").members()).containsExactly(a, b);
        assertThat(net.node(b).core().state("g").members()).containsExactly(a, b);
    }
}
