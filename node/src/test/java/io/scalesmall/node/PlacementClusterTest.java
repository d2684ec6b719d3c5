package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.placement.Ring;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.StreamKeys;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import io.scalesmall.wire.WireMessage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 6 on real nodes (loopback, one JVM): weighted shares, settled claims, routes in chain order. */
class PlacementClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /**
     * Weights 1, 2, 4 and R = 1: each node's claimed share of the key space (from the published items) is within 10 %
     * of its weight's share; then the claims settle: no node writes again. S = 16384 (not the default 4096) keeps
     * the sampling error of the lightest node's share at about 2 % (one standard deviation), so the 10 % bound does
     * not depend on the luck of the ports the test gets.
     */
    @Test
    void sharesFollowWeightsAndClaimsSettle(@TempDir Path dir) throws Exception {
        int[] weights = {1, 2, 4};
        try (PlacementCluster c = new PlacementCluster(dir)) {
            for (int w : weights) {
                c.start(w, 1, 16384, FileLogConfig.UNLIMITED);
            }
            await().atMost(WAIT).untilAsserted(() -> {
                for (Node n : c.nodes) {
                    assertThat(n.placement(PlacementCluster.GROUP).snapshot().settled()).isTrue();
                    assertThat(n.placement(PlacementCluster.GROUP).snapshot().ring().members()).hasSize(3);
                }
                GroupState s = c.nodes.get(0).groups().state(PlacementCluster.GROUP);
                Map<NetId, Long> claimed = PlacementCluster.claimedKeys(s);
                long total = 0;
                for (int i = 0; i < weights.length; i++) {
                    double share = claimed.getOrDefault(c.ids.get(i), 0L) / (Item.MAX_KEY + 1.0);
                    double want = weights[i] / 7.0;
                    assertThat(Math.abs(share - want) / want).as("node of weight %d: share %.4f, weight share %.4f",
                            weights[i], share, want).isLessThanOrEqualTo(0.10);
                    total += claimed.getOrDefault(c.ids.get(i), 0L);
                }
                assertThat(total).as("R = 1: every key claimed exactly once").isEqualTo(Item.MAX_KEY + 1);
                assertThat(digests(c)).hasSize(1);
            });
            JsonNode ring = new ObjectMapper().readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + c.nodes.get(0).admin().address().getPort() + "/v1/groups/"
                            + PlacementCluster.GROUP + "/ring")).build(), HttpResponse.BodyHandlers.ofString()).body());
            assertThat(ring.get("replicas").asInt()).isEqualTo(1);
            assertThat(ring.get("slices").asInt()).isEqualTo(16384);
            assertThat(ring.get("settled").asBoolean()).isTrue();
            assertThat(ring.get("members")).hasSize(3);
            for (JsonNode m : ring.get("members")) {
                double want = m.get("weight_share").asDouble();
                assertThat(want).isEqualTo(m.get("weight").asInt() / 7.0);
                assertThat(Math.abs(m.get("head_share").asDouble() - want) / want).isLessThanOrEqualTo(0.10);
                assertThat(m.get("share").asDouble()).isEqualTo(m.get("head_share").asDouble(), within(1e-9));
            }
            long next = 0;
            for (JsonNode a : ring.get("arcs")) {
                assertThat(a.get("start").asLong()).isEqualTo(next);
                assertThat(a.get("chain")).hasSize(1);
                next = a.get("end").asLong() + 1;
            }
            assertThat(next).isEqualTo(Item.MAX_KEY + 1);
            assertThat(HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + c.nodes.get(0).admin().address().getPort() + "/v1/groups/other/ring")).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + c.nodes.get(0).admin().address().getPort() + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("scalesmall_placement_claims{group=\"d\"} "
                    + c.nodes.get(0).placement(PlacementCluster.GROUP).snapshot().claims() + ".0")
                    .contains("scalesmall_placement_weight{group=\"d\"} 1.0")
                    .contains("scalesmall_placement_tight{group=\"d\"} 0.0")
                    .contains("scalesmall_placement_head_share{group=\"d\"}")
                    .contains("scalesmall_placement_writes_total{group=\"d\"}");
            long writes = writes(c);
            long digest = c.nodes.get(0).groups().state(PlacementCluster.GROUP).digest();
            await().during(Duration.ofMillis(1500)).atMost(WAIT)
                    .until(() -> writes(c) == writes && digests(c).equals(Set.of(digest)));
        }
    }

    /**
     * Five nodes, R = 3: on every node, every sampled key routes (priority > 0) to 3 distinct members with
     * priorities 3, 2, 1 (chain order), the same chain the ring gives, and the resolver answers that chain.
     */
    @Test
    void fiveNodesRouteEveryKeyToThreeMembersInChainOrder(@TempDir Path dir) throws Exception {
        try (PlacementCluster c = new PlacementCluster(dir)) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                c.start(1, 3, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            }
            awaitChains(c, 5, 3);
            GroupState state = c.nodes.get(0).groups().state(PlacementCluster.GROUP);
            GroupState one = state;
            for (NetId m : c.ids.subList(1, c.ids.size())) {
                one = one.without(m);
            }
            Wire wire = new Wire(FrameConfig.of("x", Keyring.of(new byte[32])));
            System.out.printf("5 nodes, R=3, S=4096: settled %d ms after the first start; items per member %s; "
                    + "topology items %d; frame of the whole state %d bytes, of one member's items %d bytes%n",
                    (System.nanoTime() - t0) / 1_000_000, itemsPerMember(c), state.itemCount(),
                    wire.encode(new WireMessage.GroupStateMessage(state)).length,
                    wire.encode(new WireMessage.GroupDeltaMessage(one)).length);
        }
    }

    /** Waits until every node routes a sample of keys to R members (or all) in chain order, as its ring says. */
    static void awaitChains(PlacementCluster c, int members, int replicas) {
        long[] keys = new Random(6).longs(500, 0, Item.MAX_KEY + 1).toArray();
        int r = Math.min(replicas, members);
        await().atMost(WAIT).untilAsserted(() -> {
            for (Node n : c.nodes) {
                PlacementDriver.Snapshot s = n.placement(PlacementCluster.GROUP).snapshot();
                assertThat(s.settled()).isTrue();
                assertThat(s.ring().members()).hasSize(members);
                for (long key : keys) {
                    List<Item> route = n.groups().route(PlacementCluster.GROUP, key).stream()
                            .filter(it -> it.priority() > 0).toList();
                    assertThat(route).extracting(Item::priority).as("key %d", key)
                            .containsExactlyElementsOf(descending(r));
                    assertThat(route).extracting(Item::member).as("key %d", key)
                            .containsExactlyElementsOf(s.ring().chain(key)).doesNotHaveDuplicates();
                    List<ChainResolver.Member> chain = n.chains().chain("k", key);
                    List<NetId> ids = new ArrayList<>();
                    for (ChainResolver.Member m : chain) {
                        ids.add(c.nodeAt(m.address()).groups().myId());
                        assertThat(m.is(TopologyChainResolver.idOf(c.nodeAt(m.address()).groups().myId()))).isTrue();
                    }
                    assertThat(ids).containsExactlyElementsOf(s.ring().chain(key));
                }
            }
            assertThat(digests(c)).hasSize(1);
        });
    }

    private static List<Integer> descending(int r) {
        List<Integer> out = new ArrayList<>();
        for (int p = r; p >= 1; p--) {
            out.add(p);
        }
        return out;
    }

    static Set<Long> digests(PlacementCluster c) {
        Set<Long> out = new HashSet<>();
        for (Node n : c.nodes) {
            out.add(n.groups().state(PlacementCluster.GROUP).digest());
        }
        return out;
    }

    static long writes(PlacementCluster c) {
        long w = 0;
        for (Node n : c.nodes) {
            w += n.placement(PlacementCluster.GROUP).snapshot().writes();
        }
        return w;
    }

    static Map<String, Integer> itemsPerMember(PlacementCluster c) {
        Map<String, Integer> out = new java.util.TreeMap<>();
        for (Node n : c.nodes) {
            PlacementDriver.Snapshot s = n.placement(PlacementCluster.GROUP).snapshot();
            out.put(n.groups().myId().toString(), s.claims() + s.locations());
        }
        return out;
    }

    /** @return a stream name whose key the given predicate accepts (deterministic search) */
    static String streamWhere(java.util.function.LongPredicate p) {
        for (int i = 0; ; i++) {
            String s = "stream-" + i;
            if (p.test(StreamKeys.keyOf(s))) {
                return s;
            }
        }
    }
}
