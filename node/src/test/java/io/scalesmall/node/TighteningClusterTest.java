package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.placement.Ring;
import io.scalesmall.placement.Tightening;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.StreamKeys;
import io.scalesmall.topology.TimedItem;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6, tightening, on three real nodes (R = 2): a node whose log nears its tiny disk budget goes to weight 0,
 * keeps a priority-0 location item where its stream's data is (and releases the rest), leaves every chain for new
 * data, and still serves what it holds.
 */
class TighteningClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final long BUDGET = 64 << 10;

    @Test
    void aFullNodeTightensKeepsItsDataLocatableAndReadable(@TempDir Path dir) throws Exception {
        try (PlacementCluster c = new PlacementCluster(dir)) {
            Node tiny = c.start(1, 2, Ring.DEFAULT_SLICES, BUDGET);
            c.start(1, 2, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            c.start(1, 2, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            PlacementClusterTest.awaitChains(c, 3, 2);
            NetId tinyId = tiny.groups().myId();
            byte[] tinyChainId = TopologyChainResolver.idOf(tinyId);
            String stream = PlacementClusterTest.streamWhere(
                    k -> tiny.placement(PlacementCluster.GROUP).snapshot().ring().chain(k).get(0).equals(tinyId));
            List<ChainResolver.Member> chain = PlacementCluster.chain(tiny, stream);
            assertThat(chain.get(0).is(tinyChainId)).isTrue();

            List<byte[]> sent = new ArrayList<>();
            Random random = new Random(61);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(chain.get(0).address(), stream)
                    .withAck(AckMode.disk(2)))) {
                while (tiny.logDiskBytes() < Tightening.DEFAULT_HIGH * BUDGET) {
                    List<CompletableFuture<Long>> acks = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        byte[] m = new byte[100];
                        random.nextBytes(m);
                        sent.add(m);
                        acks.add(p.send(m));
                    }
                    for (CompletableFuture<Long> a : acks) {
                        a.get(20, TimeUnit.SECONDS);
                    }
                }
            }
            long key = StreamKeys.keyOf(stream);
            long[] sample = new Random(7).longs(300, 0, Item.MAX_KEY + 1).toArray();
            await().atMost(WAIT).untilAsserted(() -> {
                PlacementDriver.Snapshot s = tiny.placement(PlacementCluster.GROUP).snapshot();
                assertThat(s.tight()).isTrue();
                assertThat(s.weight()).isZero();
                for (Node n : c.nodes) {
                    GroupState state = n.groups().state(PlacementCluster.GROUP);
                    assertThat(state.itemsOf(tinyId).get(Item.get(tinyId)).item().priority()).isZero();
                    List<Item> tinyItems = new ArrayList<>();
                    for (TimedItem t : state.itemsOf(tinyId).items(Op.ADD)) {
                        tinyItems.add(t.item());
                    }
                    assertThat(tinyItems).as("only a location item where its stream is").hasSize(1);
                    assertThat(tinyItems.get(0).priority()).isZero();
                    assertThat(tinyItems.get(0).start()).isLessThanOrEqualTo(key);
                    assertThat(tinyItems.get(0).end()).isGreaterThanOrEqualTo(key);
                    assertThat(n.groups().route(PlacementCluster.GROUP, key)).extracting(Item::member)
                            .as("the data stays locatable").contains(tinyId);
                    for (long k : sample) {
                        assertThat(n.chains().chain("x", k)).hasSize(2).noneMatch(m -> m.is(tinyChainId));
                    }
                    assertThat(PlacementCluster.chain(n, stream)).hasSize(2).noneMatch(m -> m.is(tinyChainId));
                }
            });

            try (StreamConsumer consumer = StreamConsumer.create(tiny.data().address())) {
                List<byte[]> got = new ArrayList<>();
                while (got.size() < sent.size()) {
                    got.addAll(consumer.fetch(stream, got.size(), 1000, 1 << 20, Duration.ZERO)
                            .get(10, TimeUnit.SECONDS).messages());
                }
                assertThat(got).containsExactlyElementsOf(sent);
            }
            ChainResolver.Member newHead = PlacementCluster.chain(tiny, stream).get(0);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(newHead.address(), stream)
                    .withAck(AckMode.disk(2)))) {
                assertThat(p.send(new byte[] {1}).get(20, TimeUnit.SECONDS)).isEqualTo(sent.size());
            }
            assertThat(tiny.log().endOffset(stream)).as("no new data on the tight node").isEqualTo(sent.size());
        }
    }
}
