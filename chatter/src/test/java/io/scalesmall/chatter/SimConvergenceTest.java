package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimNetwork;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 3, "Simulated-network tests": 50 nodes on the simulated network, over a grid of loss and delay, run
 * the real protocol core. They join one group, each adds an item, a few leave: all converge to equal
 * digests, and no listener sees one change twice.
 */
class SimConvergenceTest {
    private static final long MS = 1_000_000L;
    private static final int N = 50;
    private static final String GROUP = "g";

    static Stream<Arguments> grid() {
        List<Arguments> out = new ArrayList<>();
        for (double loss : new double[] {0, 0.10, 0.25}) {
            for (long delayMs : new long[] {1, 100}) {
                for (boolean multicast : new boolean[] {true, false}) {
                    out.add(Arguments.of(loss, delayMs, multicast));
                }
            }
        }
        return out.stream();
    }

    static NetId id(int i) {
        return NetId.parse("10.0." + (i / 200) + "." + (i % 200 + 1) + ":29999");
    }

    @ParameterizedTest(name = "loss {0}, delay {1} ms, multicast {2}")
    @MethodSource("grid")
    void fiftyNodesConvergeAndListenersSeeEachChangeOnce(double loss, long delayMs, boolean multicast) {
        long seed = 0x5ca1e5L ^ Double.doubleToLongBits(loss) ^ delayMs * 31 ^ (multicast ? 7 : 0);
        LinkModel links = LinkModel.uniform(delayMs * MS / 2, delayMs * MS).withFaults(loss, 0.05);
        SimNetwork net = new SimNetwork(seed, links, 10 * MS);
        ChatterConfig config = ChatterConfig.lan();
        List<List<Object>> events = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            // Five LAN segments of ten when multicast is on; otherwise only TCP.
            SimNetwork.SimNode n = net.addNode(id(i), multicast ? "lan" + (i % 5) : null, config);
            List<Object> mine = new ArrayList<>();
            events.add(mine);
            // Member state changes may repeat under loss (suspect, then refuted); topology changes may not.
            n.core().addListener(e -> {
                if (!(e instanceof TopologyEvent.MemberStateChanged)) {
                    mine.add(e);
                }
            });
        }
        for (int i = 0; i < N; i++) {
            net.node(id(i)).core().join(net.nowNanos(), GROUP, i == 0 ? List.of() : List.of(id(0)));
            net.runUntil(net.nowNanos() + 20 * MS);
        }
        for (int i = 0; i < N; i++) {
            net.node(id(i)).core().addItem(net.nowNanos(), GROUP, i * 1000L, i * 1000L + 999, 11000 + i, i % 3);
        }
        for (int i = 0; i < 5; i++) {
            net.node(id(i)).core().leave(net.nowNanos(), GROUP);
        }
        // Anti-entropy runs once a second per node; 60 s of simulated time is ample even at 25 % loss.
        long deadline = net.nowNanos() + 60_000 * MS;
        boolean converged = net.runUntil(deadline, () -> agreed(net));
        assertThat(converged).as("seed %d: converged within 60 s; %s", seed, describe(net)).isTrue();

        for (int i = 0; i < 5; i++) {
            assertThat(net.node(id(i)).core().myGroups()).as("node %d left", i).doesNotContain(GROUP);
        }
        GroupState s = net.node(id(N - 1)).core().state(GROUP);
        assertThat(s.members()).as("seed %d", seed).hasSize(N - 5).doesNotContain(id(0), id(4));
        assertThat(s.route(7_500)).extracting(io.scalesmall.topology.Item::member).containsExactly(id(7));
        for (int i = 0; i < N; i++) {
            List<Object> e = events.get(i);
            assertThat(new HashSet<>(e)).as("seed %d: node %d saw a change twice: %s", seed, i, e).hasSize(e.size());
        }
    }

    private static String describe(SimNetwork net) {
        java.util.Map<Integer, Integer> sizes = new java.util.TreeMap<>();
        Set<Long> digests = new HashSet<>();
        for (SimNetwork.SimNode n : net.nodes()) {
            sizes.merge(n.core().state(GROUP).members().size(), 1, Integer::sum);
            digests.add(n.core().state(GROUP).digest());
        }
        GroupState a = null;
        String diff = "";
        for (SimNetwork.SimNode n : net.nodes()) {
            if (!n.core().myGroups().contains(GROUP)) {
                continue;
            }
            GroupState s = n.core().state(GROUP);
            if (a == null) {
                a = s;
            } else if (s.digest() != a.digest() && diff.isEmpty()) {
                java.util.Set<Object> ia = new HashSet<>(a.items());
                java.util.Set<Object> ib = new HashSet<>(s.items());
                java.util.Set<Object> onlyA = new HashSet<>(ia);
                onlyA.removeAll(ib);
                ib.removeAll(ia);
                diff = " first-only " + onlyA + " other-only " + ib + " clocks equal " + a.worldClock().equals(s.worldClock())
                        + " clockdiff " + a.worldClock().minus(s.worldClock()) + " / " + s.worldClock().minus(a.worldClock());
            }
        }
        return diff + " member counts " + sizes + ", " + digests.size() + " digests, t=" + net.nowNanos() / MS + " ms, "
                + net.messagesSent() + " messages";
    }

    /** Every current member (nodes that left stop following the group) holds the same state. */
    private static boolean agreed(SimNetwork net) {
        Set<Long> digests = new HashSet<>();
        for (SimNetwork.SimNode n : net.nodes()) {
            if (!n.core().myGroups().contains(GROUP)) {
                continue;
            }
            GroupState s = n.core().state(GROUP);
            if (s.members().size() != N - 5) {
                return false;
            }
            digests.add(s.digest());
        }
        return digests.size() == 1;
    }
}
