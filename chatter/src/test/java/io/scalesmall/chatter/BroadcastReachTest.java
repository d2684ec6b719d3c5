package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimNetwork;
import io.scalesmall.topology.NetId;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A broadcast over the logarithmic TCP tree (multicast off, no loss) reaches every member within
 * ceil(log2 N) + 1 hops: the sender hands the larger half of its list to one peer, so every hop at least
 * halves the list a node must still cover (seed 002, "Logarithmic TCP broadcast"). With a fixed link delay d
 * that bounds the time to reach all N nodes by (ceil(log2 N) + 1) * d.
 */
class BroadcastReachTest {
    private static final long MS = 1_000_000L;

    @ParameterizedTest(name = "N = {0}")
    @ValueSource(ints = {8, 50, 200})
    void aWriteReachesEveryMemberWithinLogNHops(int n) {
        long d = 10 * MS;
        SimNetwork net = new SimNetwork(n, LinkModel.fixed(d), MS);
        // Anti-entropy far slower than the broadcast, so only the tree can deliver within the bound.
        ChatterConfig config = ChatterConfig.lan().withAntiEntropyInterval(java.time.Duration.ofHours(1));
        NetId[] ids = new NetId[n];
        for (int i = 0; i < n; i++) {
            ids[i] = NetId.parse("10.1." + (i / 250) + "." + (i % 250 + 1) + ":29999");
            net.addNode(ids[i], null, config);
        }
        for (int i = 0; i < n; i++) {
            net.node(ids[i]).core().join(net.nowNanos(), "g", i == 0 ? List.of() : List.of(ids[0]));
            net.runUntil(net.nowNanos() + 200 * MS);
        }
        net.runUntil(net.nowNanos() + 2_000 * MS);
        for (NetId id : ids) {
            assertThat(net.node(id).core().state("g").members()).as("%s knows every member", id).hasSize(n);
        }

        long start = net.nowNanos();
        long bound = (long) (Math.ceil(Math.log(n) / Math.log(2)) + 1) * d;
        net.node(ids[n / 2]).core().addItem(start, "g", 0, 1_000, 4242, 1);
        boolean reached = net.runUntil(start + bound, () -> {
            for (NetId id : ids) {
                if (net.node(id).core().state("g").route(500).isEmpty()) {
                    return false;
                }
            }
            return true;
        });
        assertThat(reached).as("N=%d: every member has the write within %d ms", n, bound / MS).isTrue();
    }
}
