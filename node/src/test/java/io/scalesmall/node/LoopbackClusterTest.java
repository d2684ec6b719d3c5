package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 3: eight real nodes, real sockets on loopback, one JVM: they agree after joins, item changes and leaves. */
class LoopbackClusterTest {
    private static final int N = 8;
    private final List<Node> nodes = new ArrayList<>();

    @AfterEach
    void stop() {
        nodes.forEach(Node::close);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A node in group "g" with placement off: this test writes its own items and checks routes exactly. */
    static NodeConfig config(int port, List<NetId> seeds, Path dataDir) {
        NodeConfig c = new NodeConfig(InetAddress.getLoopbackAddress(), port, null, 0, seeds, List.of("g"), null,
                "loopback-test", dataDir, null);
        return c.withPlacement(c.placement().withEnabled(false));
    }

    @Test
    void eightNodesAgreeAfterJoinsItemChangesAndLeaves(@TempDir Path dir) throws IOException {
        List<NetId> ids = new ArrayList<>();
        for (int i = 0; i < N; i++) {
            int port = freePort();
            NetId id = NetId.parse("127.0.0.1:" + port);
            nodes.add(Node.start(config(port, ids.isEmpty() ? List.of() : List.of(ids.get(0)), dir.resolve("n" + i)), "test"));
            ids.add(id);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node n : nodes) {
                assertThat(n.groups().members("g")).containsExactlyElementsOf(new java.util.TreeSet<>(ids));
            }
        });

        for (int i = 0; i < N; i++) {
            nodes.get(i).groups().addItem("g", i * 100L, i * 100L + 99, 7000 + i, i);
        }
        nodes.get(3).groups().removeItem("g", 300, 399);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node n : nodes) {
                assertThat(n.groups().route("g", 250)).extracting(Item::member).containsExactly(ids.get(2));
                assertThat(n.groups().route("g", 350)).isEmpty();
            }
            assertThat(digests()).hasSize(1);
        });

        Node leaving = nodes.remove(N - 1);
        leaving.close();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (Node n : nodes) {
                assertThat(n.groups().members("g")).hasSize(N - 1).doesNotContain(ids.get(N - 1));
                assertThat(n.groups().route("g", 750)).isEmpty();
            }
            assertThat(digests()).hasSize(1);
        });
    }

    private Set<Long> digests() {
        Set<Long> out = new HashSet<>();
        for (Node n : nodes) {
            out.add(n.groups().state("g").digest());
        }
        return out;
    }
}
