package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.MessageLog;
import io.scalesmall.placement.Ring;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.server.ChainResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 end to end on five real nodes (loopback, one JVM), R = 3: a stream produced with disk=3 through the head
 * its route names is stored identically on its three chain members; when the head crashes (no leave), the failure
 * detector declares it dead, the ring re-forms after the hold-down, every route shows three live members again, and
 * a new producer session through the new head continues the stream on all three.
 */
class ChainReplicationClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String STREAM = "orders";

    @Test
    void aStreamIsReplicatedOnItsChainAndSurvivesItsHeadCrashing(@TempDir Path dir) throws Exception {
        try (PlacementCluster c = new PlacementCluster(dir)) {
            for (int i = 0; i < 5; i++) {
                c.start(1, 3, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            }
            PlacementClusterTest.awaitChains(c, 5, 3);
            List<ChainResolver.Member> chain = PlacementCluster.chain(c.nodes.get(0), STREAM);
            assertThat(chain).hasSize(3);
            List<Node> members = new ArrayList<>();
            chain.forEach(m -> members.add(c.nodeAt(m.address())));

            List<byte[]> sent = messages("first", 200);
            produce(chain.get(0), sent, 0);
            for (Node n : members) {
                assertThat(read(n.log(), sent.size())).as("log of %s", n.groups().myId())
                        .containsExactlyElementsOf(sent);
            }
            for (Node n : c.nodes) {
                if (!members.contains(n)) {
                    assertThat(n.log().endOffset(STREAM)).as("not in the chain: %s", n.groups().myId()).isZero();
                }
            }

            Node head = members.get(0);
            long crashed = System.nanoTime();
            c.crash(head);
            PlacementClusterTest.awaitChains(c, 4, 3);
            System.out.printf("head crashed: routes show 3 live members again on every node after %d ms%n",
                    (System.nanoTime() - crashed) / 1_000_000);
            List<ChainResolver.Member> after = PlacementCluster.chain(c.nodes.get(0), STREAM);
            Set<ChainResolver.Member> distinct = new HashSet<>(after);
            assertThat(distinct).hasSize(3);
            for (ChainResolver.Member m : after) {
                assertThat(c.nodes).contains(c.nodeAt(m.address()));
            }
            // rendezvous keeps the survivors' order: the old second member heads the chain now
            assertThat(after.get(0).address()).isEqualTo(chain.get(1).address());

            List<byte[]> more = messages("second", 100);
            produce(after.get(0), more, sent.size());
            List<byte[]> all = new ArrayList<>(sent);
            all.addAll(more);
            assertThat(read(c.nodeAt(after.get(0).address()).log(), all.size())).containsExactlyElementsOf(all);
            assertThat(read(c.nodeAt(after.get(1).address()).log(), all.size())).containsExactlyElementsOf(all);
            // the member that entered the chain caught up with what it missed before it counted as a copy
            assertThat(read(c.nodeAt(after.get(2).address()).log(), all.size())).containsExactlyElementsOf(all);
        }
    }

    static List<byte[]> messages(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + "-" + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Sends through the head with disk=3 and checks every message's offset. */
    static void produce(ChainResolver.Member head, List<byte[]> messages, long firstOffset) throws Exception {
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(head.address(), STREAM)
                .withAck(AckMode.disk(3)))) {
            List<CompletableFuture<Long>> acks = new ArrayList<>();
            for (byte[] m : messages) {
                acks.add(p.send(m));
            }
            for (int i = 0; i < acks.size(); i++) {
                assertThat(acks.get(i).get(20, TimeUnit.SECONDS)).isEqualTo(firstOffset + i);
            }
        }
    }

    /** Reads the first {@code n} messages of {@link #STREAM} from a node's log (waits until it holds them). */
    static List<byte[]> read(MessageLog log, int n) {
        await().atMost(WAIT).until(() -> log.endOffset(STREAM) >= n);
        List<byte[]> out = new ArrayList<>();
        try {
            while (out.size() < n) {
                out.addAll(log.read(STREAM, out.size(), n - out.size(), 1 << 20).messages());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
