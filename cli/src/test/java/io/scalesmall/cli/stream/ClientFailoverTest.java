package io.scalesmall.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamException;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.client.Subscription;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ErrorCode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cluster-aware client against real {@link io.scalesmall.stream.server.StreamServer}s on loopback with a chain
 * the test changes as placement would: NOT_HEAD redirects, redirect loops, the head killed mid-stream (its former
 * replica becomes the head; every acknowledged message is there once, in order, at the offset acknowledged), and a
 * consumer that moves on when its node dies.
 */
class ClientFailoverTest {
    private LoopbackChain cluster;

    @AfterEach
    void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ProducerConfig config(List<InetSocketAddress> nodes, String stream, AckMode ack) {
        return ProducerConfig.of(nodes, stream).withAck(ack).withBatchBytes(2000)
                .withFailover(Duration.ofMillis(300), 5).withDeliveryTimeout(Duration.ofMinutes(2));
    }

    @Test
    void aProducerAtANonHeadFollowsNotHeadToTheHead() throws Exception {
        // Node 0 is outside the chain: a head replicates to its whole chain, so only an outsider stores nothing.
        cluster = new LoopbackChain(3).chain(1, 2);
        String stream = "redirected";
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        try (StreamProducer p = StreamProducer.create(config(cluster.addresses(0), stream, AckMode.disk(2)))) {
            for (int i = 0; i < 2_000; i++) {
                sent.add("r" + i);
                acks.add(p.send(utf8("r" + i)));
            }
            p.flush().get(30, TimeUnit.SECONDS);
            assertThat(p.redirects()).isOne();
            assertThat(p.node()).isEqualTo(cluster.address(1));
        }
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).get()).isEqualTo(i);
        }
        assertThat(cluster.read(1, stream)).isEqualTo(sent);
        assertThat(cluster.read(2, stream)).isEqualTo(sent);
        assertThat(cluster.read(0, stream)).as("the node first asked stores nothing").isEmpty();
    }

    @Test
    void aRedirectCycleFailsTheProducerWithNotHead() throws Exception {
        cluster = new LoopbackChain(2).chainAt(0, 1).chainAt(1, 0); // each believes the other is the head
        try (StreamProducer p = StreamProducer.create(config(cluster.addresses(0, 1), "cycle", AckMode.disk(1)))) {
            CompletableFuture<Long> f = p.send(utf8("nowhere"));
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> f.get(30, TimeUnit.SECONDS));
            StreamException se = (StreamException) e.getCause();
            assertThat(se.code()).isEqualTo(ErrorCode.NOT_HEAD);
            assertThat(se.getMessage()).contains("no head found").contains("cycle")
                    .contains(cluster.address(0).getPort() + " -> ").contains("stream 'cycle'");
            CompletableFuture<Long> later = p.send(utf8("after"));
            assertThat(later).isCompletedExceptionally(); // refused before it was queued, on this thread
        }
        assertThat(cluster.read(0, "cycle")).isEmpty();
        assertThat(cluster.read(1, "cycle")).isEmpty();
    }

    @Test
    void moreRedirectsThanAllowedIsALoopButFewerAreFollowed() throws Exception {
        cluster = new LoopbackChain(3).chainAt(0, 1).chainAt(1, 2).chainAt(2, 2); // 0 -> 1 -> 2 (head)
        ProducerConfig one = config(cluster.addresses(0), "hops", AckMode.memory(1))
                .withFailover(Duration.ofMillis(200), 1);
        try (StreamProducer p = StreamProducer.create(one)) {
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> p.send(utf8("x")).get(30, TimeUnit.SECONDS));
            assertThat(e.getCause()).hasMessageContaining("more than 1 redirects");
        }
        try (StreamProducer p = StreamProducer.create(one.withFailover(Duration.ofMillis(200), 2))) {
            assertThat(p.send(utf8("y")).get(30, TimeUnit.SECONDS)).isZero();
            assertThat(p.redirects()).isEqualTo(2);
        }
        assertThat(cluster.read(2, "hops")).containsExactly("y");
    }

    /**
     * Kills the head halfway through {@code total} messages and makes its first replica the head (chain
     * {@code after}); the producer, which knows every node, must fail over to it.
     */
    private void headKilledMidStream(int nodes, AckMode ack, int[] before, int[] after) throws Exception {
        cluster = new LoopbackChain(nodes).chain(before);
        String stream = "failover-" + ack;
        int total = 20_000;
        int[] everyNode = new int[nodes];
        for (int i = 0; i < nodes; i++) {
            everyNode[i] = i;
        }
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        List<String> consumed = Collections.synchronizedList(new ArrayList<>());
        long unackedAtKill = 0;
        try (StreamProducer p = StreamProducer.create(config(cluster.addresses(everyNode), stream, ack));
                StreamConsumer c = StreamConsumer.create(cluster.addresses(everyNode))) {
            Subscription s = c.follow(stream, 0, (offset, m) -> consumed.add(offset + ":" + new String(m,
                    StandardCharsets.UTF_8)));
            for (int i = 0; i < total; i++) {
                if (i == total / 4) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> acks.get(total / 4 - 1).isDone());
                }
                if (i == total / 2) {
                    // Right after a burst: batches are on the wire, some stored at the head only.
                    unackedAtKill = acks.stream().filter(f -> !f.isDone()).count();
                    cluster.kill(before[0]);
                    cluster.chain(after);
                }
                String m = "f" + i;
                sent.add(m);
                acks.add(p.send(utf8(m)));
            }
            p.flush().get(60, TimeUnit.SECONDS);
            assertThat(p.failovers()).as(p.toString()).isOne();
            assertThat(unackedAtKill).as("messages in flight when the head died").isPositive();
            assertThat(p.resentBatches()).as(p.toString()).isPositive();
            assertThat(p.node()).isEqualTo(cluster.address(after[0]));
            await().atMost(Duration.ofSeconds(30)).until(() -> consumed.size() >= total);
            s.close();
            assertThat(c.node()).isNotEqualTo(cluster.address(before[0]));
        }
        for (int i = 0; i < total; i++) {
            assertThat(acks.get(i).get()).as("offset of message %d", i).isEqualTo(i);
        }
        // Every surviving member of the new chain holds each message once, in order, at its acknowledged offset.
        for (int n : after) {
            int node = n;
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.logs.get(node).endOffset(stream) >= total);
            assertThat(cluster.read(n, stream)).as("node %d", n).isEqualTo(sent);
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(i + ":" + sent.get(i));
        }
        assertThat(consumed).as("the consumer: no gap, no duplicate").isEqualTo(expected);
    }

    @Test
    void diskTwoHeadKilledMidStreamTheReplicaTakesOver() throws Exception {
        headKilledMidStream(3, AckMode.disk(2), new int[] {0, 1, 2}, new int[] {1, 2});
    }

    @Test
    void diskThreeHeadKilledMidStreamTheReplicaTakesOver() throws Exception {
        headKilledMidStream(4, AckMode.disk(3), new int[] {0, 1, 2, 3}, new int[] {1, 2, 3});
    }
}
