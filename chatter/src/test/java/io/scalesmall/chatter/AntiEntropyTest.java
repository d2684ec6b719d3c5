package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimNetwork;
import io.scalesmall.topology.NetId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Anti-entropy alone repairs a write whose broadcast was lost entirely. */
class AntiEntropyTest {
    private static final long MS = 1_000_000L;

    @Test
    void aLostWriteIsRepairedByDigestExchange() {
        NetId a = NetId.parse("10.0.0.1:29999");
        NetId b = NetId.parse("10.0.0.2:29999");
        boolean[] cut = {false};
        SimNetwork net = new SimNetwork(1, LinkModel.fixed(MS).withPartition((x, y) -> cut[0]), 10 * MS);
        net.addNode(a, null, ChatterConfig.lan());
        net.addNode(b, null, ChatterConfig.lan());
        net.node(a).core().join(0, "g", List.of());
        net.node(b).core().join(0, "g", List.of(a));
        net.runUntil(3_000 * MS);
        assertThat(net.node(b).core().state("g").members()).containsExactly(a, b);
        assertThat(net.node(a).core().state("g").members()).containsExactly(a, b);

        cut[0] = true;
        net.node(a).core().addItem(net.nowNanos(), "g", 0, 99, 1000, 1);
        net.runUntil(net.nowNanos() + 100 * MS);
        cut[0] = false;
        assertThat(net.node(b).core().state("g").route(50)).isEmpty();
        net.runUntil(net.nowNanos() + 3_000 * MS);
        assertThat(net.node(b).core().state("g").route(50)).extracting(i -> i.member()).containsExactly(a);
        assertThat(net.node(b).core().state("g").digest()).isEqualTo(net.node(a).core().state("g").digest());
    }
}
