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
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 on real nodes (loopback, one JVM), R = 3, when membership changes. Joining (the must-show): a
 * fourth node joins a loaded three-node cluster and becomes the head of some streams; producers (disk=2) go on,
 * redirected by NOT_HEAD, and afterwards every acknowledged message of every stream is in its head's log at its
 * acknowledged offset, in order, once, and the chain members hold the same. A crashed chain member of an idle stream
 * is replaced and the new member receives the stream without any producer (R copies restored).
 */
class MembershipChangeClusterTest {
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final int STREAMS = 32;

    @Test
    void aFourthNodeJoiningALoadedClusterTakesStreamsWithoutLosingAnAcknowledgedMessage(@TempDir Path dir)
            throws Exception {
        try (PlacementCluster c = new PlacementCluster(dir)) {
            for (int i = 0; i < 3; i++) {
                c.start(1, 3, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            }
            PlacementClusterTest.awaitChains(c, 3, 3);
            List<InetSocketAddress> seeds = new ArrayList<>();
            c.nodes.forEach(n -> seeds.add(n.data().address()));
            List<StreamProducer> producers = new ArrayList<>();
            List<List<CompletableFuture<Long>>> acks = new ArrayList<>();
            for (int s = 0; s < STREAMS; s++) {
                producers.add(StreamProducer.create(ProducerConfig.of(seeds, stream(s)).withAck(AckMode.disk(2))));
                acks.add(new ArrayList<>());
            }
            AtomicBoolean stop = new AtomicBoolean();
            int[] rounds = new int[1];
            CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
                while (!stop.get()) { // rounds of 10 messages per stream, each round acknowledged before the next
                    List<CompletableFuture<Long>> round = new ArrayList<>();
                    for (int s = 0; s < STREAMS; s++) {
                        for (int k = 0; k < 10; k++) {
                            CompletableFuture<Long> f = producers.get(s).send(payload(s, acks.get(s).size()));
                            acks.get(s).add(f);
                            round.add(f);
                        }
                    }
                    awaitRound(round, producers, acks);
                    rounds[0]++;
                }
            });
            await().atMost(WAIT).until(() -> rounds[0] >= 3 || load.isDone());
            Node joined = c.start(1, 3, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            PlacementClusterTest.awaitChains(c, 4, 3);
            int at = rounds[0];
            await().atMost(WAIT).until(() -> rounds[0] >= at + 5 || load.isDone());
            stop.set(true);
            load.get(90, TimeUnit.SECONDS); // every send of every round acknowledged (or the test fails here)
            for (StreamProducer p : producers) {
                p.close();
            }

            int headedByNew = 0;
            long redirects = 0;
            for (int s = 0; s < STREAMS; s++) {
                String name = stream(s);
                List<ChainResolver.Member> chain = PlacementCluster.chain(c.nodes.get(0), name);
                assertThat(chain).hasSize(3);
                Node head = c.nodeAt(chain.get(0).address());
                headedByNew += head == joined ? 1 : 0;
                List<byte[]> log = read(head.log(), stream(s));
                assertThat(log).as("stream %d at its head", s).hasSameSizeAs(acks.get(s));
                for (int i = 0; i < acks.get(s).size(); i++) {
                    long offset = acks.get(s).get(i).get();
                    assertThat(offset).as("stream %d message %d", s, i).isEqualTo(i); // continuous, in send order
                    assertThat(new String(log.get(i), StandardCharsets.UTF_8)).isEqualTo(text(s, i)); // once
                }
                for (ChainResolver.Member m : chain.subList(1, 3)) {
                    MessageLog other = c.nodeAt(m.address()).log();
                    // Named, so that a stall (it happened once in CI, not reproduced since) says where it was.
                    await().alias("stream " + name + " (chain " + chain + ") on member " + m + ": "
                            + log.size() + " messages at its head").atMost(WAIT)
                            .until(() -> other.endOffset(name) >= log.size());
                    assertThat(read(other, stream(s))).as("stream %d on a chain member", s)
                            .containsExactlyElementsOf(log);
                }
            }
            for (StreamProducer p : producers) {
                redirects += p.redirects();
            }
            System.out.printf("join: %d rounds, %d of %d streams now headed by the new node, %d NOT_HEAD redirects%n",
                    rounds[0], headedByNew, STREAMS, redirects);
            assertThat(headedByNew).as("streams the new node heads").isPositive();
        }
    }

    @Test
    void aCrashedMemberOfAnIdleStreamIsReplacedAndTheNewMemberGetsTheStream(@TempDir Path dir) throws Exception {
        try (PlacementCluster c = new PlacementCluster(dir)) {
            for (int i = 0; i < 4; i++) {
                c.start(1, 3, Ring.DEFAULT_SLICES, FileLogConfig.UNLIMITED);
            }
            PlacementClusterTest.awaitChains(c, 4, 3);
            String s = "idle";
            List<ChainResolver.Member> chain = PlacementCluster.chain(c.nodes.get(0), s);
            List<byte[]> sent = new ArrayList<>();
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(chain.get(0).address(), s)
                    .withAck(AckMode.disk(3)))) {
                List<CompletableFuture<Long>> f = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    sent.add(("idle-" + i).getBytes(StandardCharsets.UTF_8));
                    f.add(p.send(sent.get(i)));
                }
                CompletableFuture.allOf(f.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            }
            Node spare = null;
            Set<Node> members = new HashSet<>();
            chain.forEach(m -> members.add(c.nodeAt(m.address())));
            for (Node n : c.nodes) {
                if (!members.contains(n)) {
                    spare = n;
                }
            }
            assertThat(spare.log().endOffset(s)).isZero();
            c.crash(c.nodeAt(chain.get(2).address())); // the tail; no producer runs any more
            PlacementClusterTest.awaitChains(c, 3, 3);
            List<ChainResolver.Member> after = PlacementCluster.chain(c.nodes.get(0), s);
            assertThat(after).extracting(ChainResolver.Member::address).contains(spare.data().address());
            MessageLog log = spare.log();
            await().atMost(WAIT).until(() -> log.endOffset(s) >= sent.size());
            assertThat(read(log, s)).as("the new member's copy").containsExactlyElementsOf(sent);
        }
    }

    /** Waits for a round's acks; a stall names the streams still waiting and their producers' state. */
    private static void awaitRound(List<CompletableFuture<Long>> round, List<StreamProducer> producers,
            List<List<CompletableFuture<Long>>> acks) {
        try {
            CompletableFuture.allOf(round.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            StringBuilder waiting = new StringBuilder("a round was not acknowledged within 60 s; waiting:");
            for (int s = 0; s < producers.size(); s++) {
                long open = acks.get(s).stream().filter(f -> !f.isDone()).count();
                if (open > 0) {
                    waiting.append("\n  ").append(stream(s)).append(": ").append(open).append(" unacknowledged, ")
                            .append(producers.get(s));
                }
            }
            throw new AssertionError(waiting.toString(), e);
        } catch (InterruptedException | ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    private static String stream(int s) {
        return "join-" + s;
    }

    private static String text(int s, int i) {
        return "s" + s + "-m" + i;
    }

    private static byte[] payload(int s, int i) {
        return text(s, i).getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> read(MessageLog log, String stream) {
        List<byte[]> out = new ArrayList<>();
        try {
            while (out.size() < log.endOffset(stream)) {
                out.addAll(log.read(stream, out.size(), 10_000, 1 << 20).messages());
            }
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return out;
    }
}
