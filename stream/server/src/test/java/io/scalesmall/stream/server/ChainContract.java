package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chain replication end to end on loopback: 3-4 {@link StreamServer}s in one JVM with a fixed chain, the real client
 * at the head. Run once per {@link MessageLog} implementation by a short subclass.
 */
abstract class ChainContract {
    @TempDir
    Path dir;
    ChainCluster cluster;

    /** A fresh, empty log in {@code dir}. */
    abstract MessageLog newLog(Path dir) throws IOException;

    ChainCluster cluster(int n) throws IOException {
        cluster = new ChainCluster(n, i -> newLog(dir.resolve("node" + i)));
        return cluster;
    }

    @AfterEach
    void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String str(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    StreamProducer producer(int node, String stream, AckMode ack) {
        return StreamProducer.create(ProducerConfig.of(cluster.address(node), stream).withAck(ack).withBatchBytes(2000)
                .withDeliveryTimeout(Duration.ofMinutes(2)));
    }

    /** Every node listed holds exactly {@code expected}, at offsets 0.., byte for byte. */
    void assertReplicas(String stream, List<String> expected, int... nodes) throws IOException {
        for (int n : nodes) {
            List<byte[]> got = cluster.read(n, stream);
            assertThat(cluster.logs.get(n).firstOffset(stream)).as("node %d first offset", n).isZero();
            assertThat(got).as("node %d of %s", n, stream).hasSize(expected.size());
            for (int i = 0; i < got.size(); i++) {
                assertThat(str(got.get(i))).as("node %d offset %d", n, i).isEqualTo(expected.get(i));
            }
        }
    }

    /** How many nodes' logs hold offset {@code offset} of the stream. */
    int copies(String stream, long offset) {
        int n = 0;
        for (int i = 0; i < cluster.logs.size(); i++) {
            n += cluster.end(i, stream) > offset ? 1 : 0;
        }
        return n;
    }

    private void replicatesToThree(AckMode ack) throws Exception {
        cluster(3).chain(0, 1, 2);
        String stream = "three-" + ack.level();
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        try (StreamProducer p = producer(0, stream, ack)) {
            for (int i = 0; i < 3_000; i++) {
                String m = "m" + i + "-" + "x".repeat(i % 50);
                sent.add(m);
                CompletableFuture<Long> f = p.send(utf8(m));
                f.thenAccept(off -> {
                    if (copies(stream, off) < 3) { // logs only grow: fewer now means fewer when acknowledged
                        early.add(m + "@" + off);
                    }
                });
                acks.add(f);
            }
            p.flush().get(60, TimeUnit.SECONDS);
        }
        for (int i = 0; i < acks.size(); i++) {
            assertThat(acks.get(i).get(30, TimeUnit.SECONDS)).as("offset of message %d", i).isEqualTo((long) i);
        }
        assertThat(early).as("acknowledged before 3 copies held it").isEmpty();
        assertReplicas(stream, sent, 0, 1, 2);
        assertThat(cluster.servers.get(1).stats().replicaMessagesIn.sum()).isEqualTo(3_000);
        assertThat(cluster.servers.get(2).stats().replicaMessagesIn.sum()).isEqualTo(3_000);
    }

    @Test
    void memoryThreeReplicatesWithIdenticalOffsets() throws Exception {
        replicatesToThree(AckMode.memory(3));
    }

    @Test
    void diskThreeReplicatesWithIdenticalOffsets() throws Exception {
        replicatesToThree(AckMode.disk(3));
    }

    private void waitsForTheLastCopy(AckMode ack) throws Exception {
        cluster(4);
        cluster.kill(3); // node 3's port is closed: the chain's third member is unreachable
        cluster.chain(0, 1, 3);
        String stream = "wait-" + ack.level();
        try (StreamProducer p = producer(0, stream, ack); StreamProducer two = producer(0, stream + "-2",
                new AckMode(ack.level(), 2))) {
            CompletableFuture<Long> f = p.send(utf8("needs three"));
            CompletableFuture<Long> f2 = two.send(utf8("needs two"));
            assertThat(f2.get(30, TimeUnit.SECONDS)).isZero(); // two copies exist: head and node 1
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> !f.isDone());
            assertThat(cluster.end(1, stream)).isEqualTo(1);
            cluster.chain(0, 1, 2); // placement names a live third member
            assertThat(f.get(30, TimeUnit.SECONDS)).isZero();
            assertThat(copies(stream, 0)).isEqualTo(3);
            assertReplicas(stream, List.of("needs three"), 0, 1, 2);
        }
    }

    @Test
    void memoryThreeAcksOnlyOnceTheThirdCopyExists() throws Exception {
        waitsForTheLastCopy(AckMode.memory(3));
    }

    @Test
    void diskThreeAcksOnlyOnceTheThirdCopyExists() throws Exception {
        waitsForTheLastCopy(AckMode.disk(3));
    }

    @Test
    void aReplicaBehindCatchesUpBeforeItCounts() throws Exception {
        cluster(2).chain(0); // node 0 alone first (the head replicates every stream to its whole chain)
        String stream = "behind";
        List<String> sent = new ArrayList<>();
        try (StreamProducer one = producer(0, stream, AckMode.memory(1))) { // one copy: nothing replicated
            for (int i = 0; i < 2_000; i++) {
                sent.add("old" + i);
                one.send(utf8("old" + i));
            }
            one.flush().get(30, TimeUnit.SECONDS);
        }
        assertThat(cluster.end(1, stream)).isZero();
        cluster.chain(0, 1); // node 1 joins the chain, 2,000 messages behind
        try (StreamProducer two = producer(0, stream, AckMode.disk(2))) {
            sent.add("new");
            CompletableFuture<Long> f = two.send(utf8("new"));
            long off = f.get(30, TimeUnit.SECONDS);
            assertThat(off).isEqualTo(2_000);
            assertThat(cluster.end(1, stream)).as("node 1 caught up before the ack").isEqualTo(2_001);
        }
        assertReplicas(stream, sent, 0, 1);
    }

    @Test
    void killingTheMiddleNodeReformsTheChainWithoutLossOrDuplicates() throws Exception {
        cluster(4).chain(0, 1, 2, 3); // disk=3: 0 -> 1 -> 2; node 3 is the spare that replaces 1
        String stream = "failover";
        int total = 20_000;
        List<String> sent = new ArrayList<>();
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        ConcurrentLinkedQueue<String> early = new ConcurrentLinkedQueue<>();
        try (StreamProducer p = producer(0, stream, AckMode.disk(3))) {
            for (int i = 0; i < total; i++) {
                if (i == total / 2) {
                    int sofar = i;
                    await().atMost(Duration.ofSeconds(30)).until(() -> acks.get(sofar / 2).isDone());
                    cluster.kill(1);
                }
                String m = "f" + i;
                sent.add(m);
                CompletableFuture<Long> f = p.send(utf8(m));
                f.thenAccept(off -> {
                    if (copies(stream, off) < 3) {
                        early.add(m + "@" + off);
                    }
                });
                acks.add(f);
            }
            p.flush().get(60, TimeUnit.SECONDS);
        }
        for (int i = 0; i < total; i++) {
            assertThat(acks.get(i).get(30, TimeUnit.SECONDS)).as("offset of message %d", i).isEqualTo((long) i);
        }
        assertThat(early).as("acknowledged before 3 copies held it").isEmpty();
        // Every surviving replica identical: the head, node 2, and node 3, which caught up from node 2.
        await().atMost(Duration.ofSeconds(30)).until(() -> cluster.end(3, stream) == total);
        assertReplicas(stream, sent, 0, 2, 3);
        List<byte[]> dead = cluster.read(1, stream);
        for (int i = 0; i < dead.size(); i++) {
            assertThat(str(dead.get(i))).as("the dead node's prefix, offset %d", i).isEqualTo(sent.get(i));
        }
        assertThat(cluster.servers.get(0).stats().linkFailures.sum()).isPositive();
    }

    /**
     * Sends {@code n} messages {@code prefix + i} (appended to {@code sent}) and waits until all are acknowledged.
     *
     * @return their acks, in send order
     */
    static List<CompletableFuture<Long>> sendAll(StreamProducer p, List<String> sent, String prefix, int n)
            throws Exception {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String m = prefix + i;
            sent.add(m);
            acks.add(p.send(utf8(m)));
        }
        p.flush().get(30, TimeUnit.SECONDS);
        return acks;
    }

    /**
     * A chain re-formed in another order, the old head now its tail: the middle node's link no longer excludes the
     * old head once the old head's session ended, so disk=3 at the new head completes and the old head gets the new
     * messages. (Exclusions that only grew kept it out for ever, and disk=3 never completed.)
     */
    @Test
    void aChainReorderedWithTheOldHeadLastStillGivesThreeCopies() throws Exception {
        cluster(3).chain(0, 1, 2);
        String stream = "reordered";
        List<String> sent = new ArrayList<>();
        try (StreamProducer p = producer(0, stream, AckMode.disk(3))) {
            sendAll(p, sent, "a", 200);
        }
        cluster.chain(1, 2, 0);
        try (StreamProducer p = producer(1, stream, AckMode.disk(3))) {
            List<CompletableFuture<Long>> acks = sendAll(p, sent, "b", 200);
            for (int i = 0; i < acks.size(); i++) {
                assertThat(acks.get(i).get()).as("offset of message %d", 200 + i).isEqualTo(200L + i);
            }
        }
        assertReplicas(stream, sent, 0, 1, 2);
    }

    /**
     * As above, but the old head's producer stays connected and idle: its session cannot write any more, so the old
     * head closes its link, and the chain gets its third copy (the idle session kept the old head excluded).
     */
    @Test
    void anIdleProducerAtADemotedHeadDoesNotKeepItOutOfTheChain() throws Exception {
        cluster(3).chain(0, 1, 2);
        String stream = "demoted";
        List<String> sent = new ArrayList<>();
        try (StreamProducer idle = producer(0, stream, AckMode.disk(3))) {
            sendAll(idle, sent, "a", 100);
            cluster.chain(1, 2, 0);
            try (StreamProducer p = producer(1, stream, AckMode.disk(3))) {
                sendAll(p, sent, "b", 100);
            }
            assertReplicas(stream, sent, 0, 1, 2);
        }
    }
}
