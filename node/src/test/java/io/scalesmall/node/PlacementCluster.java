package io.scalesmall.node;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.StreamKeys;
import io.scalesmall.topology.TimedItem;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Test fixture: real nodes on loopback in one JVM, all in group {@value #GROUP} with placement on. */
final class PlacementCluster implements AutoCloseable {
    static final String GROUP = "d";
    /** Fast timings for tests: settle 300 ms, tick 100 ms. */
    static final Duration SETTLE = Duration.ofMillis(300);
    static final Duration TICK = Duration.ofMillis(100);

    final List<Node> nodes = new ArrayList<>();
    final List<NetId> ids = new ArrayList<>();
    private final Path dir;

    PlacementCluster(Path dir) {
        this.dir = dir;
    }

    /** Starts a node with this weight, R, S and log disk budget (bytes, {@link FileLogConfig#UNLIMITED} for none). */
    Node start(int weight, int replicas, int slices, long maxDiskBytes) throws IOException {
        int port = LoopbackClusterTest.freePort();
        Path d = dir.resolve("n" + nodes.size());
        List<NetId> seeds = ids.isEmpty() ? List.of() : List.of(ids.get(0));
        // the first node serves the admin endpoint on a free port (loopback)
        InetSocketAddress http = nodes.isEmpty() ? new InetSocketAddress(InetAddress.getLoopbackAddress(), 0) : null;
        NodeConfig base = new NodeConfig(InetAddress.getLoopbackAddress(), port, null, 0, seeds, List.of(GROUP), null,
                "placement-test", d, http);
        DataConfig data = new DataConfig(0, d.resolve("log"), maxDiskBytes, FileLogConfig.UNLIMITED, null, 8 << 20,
                false, false, FileLogConfig.DEFAULT.writeBehindBytes(), 0);
        PlacementConfig p = PlacementConfig.defaults().withWeight(weight).withReplicas(replicas).withSlices(slices)
                .withTimings(SETTLE, TICK);
        Node n = Node.start(base.withData(data).withPlacement(p), "test");
        nodes.add(n);
        ids.add(n.groups().myId());
        return n;
    }

    /** @return the node with this id */
    Node node(NetId id) {
        return nodes.get(ids.indexOf(id));
    }

    /** @return the node serving data on this address */
    Node nodeAt(InetSocketAddress data) {
        for (Node n : nodes) {
            if (n.data().address().equals(data)) {
                return n;
            }
        }
        throw new IllegalArgumentException("no node serves " + data);
    }

    /** @return the chain members of a stream as {@code n}'s resolver sees it, head first */
    static List<ChainResolver.Member> chain(Node n, String stream) {
        return n.chains().chain(stream, StreamKeys.keyOf(stream));
    }

    /** @return member -> keys it claims with priority > 0 (sum of its claim items' sizes) in {@code state} */
    static Map<NetId, Long> claimedKeys(GroupState state) {
        Map<NetId, Long> out = new HashMap<>();
        for (TimedItem t : state.items(io.scalesmall.topology.Op.ADD)) {
            Item it = t.item();
            if (it.priority() > 0) {
                out.merge(it.member(), it.end() - it.start() + 1, Long::sum);
            }
        }
        return out;
    }

    /** Crashes one node (no leave: the others must detect it) and forgets it. */
    void crash(Node n) {
        int i = nodes.indexOf(n);
        nodes.remove(i);
        ids.remove(i);
        n.halt();
    }

    /** Stops one node (it leaves the group) and forgets it. */
    void stop(Node n) {
        int i = nodes.indexOf(n);
        nodes.remove(i);
        ids.remove(i);
        n.close();
    }

    @Override
    public void close() {
        nodes.forEach(Node::close);
    }
}
