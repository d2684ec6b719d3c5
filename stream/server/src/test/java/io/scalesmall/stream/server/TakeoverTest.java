package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.HostPort;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.MessagesFrame;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import io.scalesmall.stream.protocol.ProtocolException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stream changing heads (docs/wire-format.md §S10): a new head catches up (PULL) before its first INIT_OK and keeps
 * the producers' idempotence state, so a resend is not stored twice; a demoted head answers NOT_HEAD; re-replication
 * without a producer; FETCH and OFFSETS at a head stop at what every chain member holds. File logs (the read path
 * that keeps producer ids), two or three servers on loopback.
 */
class TakeoverTest {
    private static final long PRODUCER = 0x77;
    @TempDir
    Path dir;
    private ChainCluster cluster;

    private ChainCluster cluster(int n) throws IOException {
        cluster = new ChainCluster(n, i -> FileMessageLog.open(dir.resolve("n" + i),
                FileLogConfig.DEFAULT.withSegmentBytes(1 << 20)));
        return cluster;
    }

    @AfterEach
    void close() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static List<byte[]> msgs(String prefix, int n) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add((prefix + i).getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    private static RawConnection session(ChainCluster c, int node, String stream) throws Exception {
        return session(c, node, stream, PRODUCER);
    }

    private static RawConnection session(ChainCluster c, int node, String stream, long producer) throws Exception {
        RawConnection r = new RawConnection(c.address(node));
        r.send(new InitFrame(producer, AckMode.memory(1), 1, 0, stream, List.of()));
        assertThat(r.read()).isInstanceOf(InitOkFrame.class);
        return r;
    }

    private static AckFrame ack(RawConnection r) throws IOException, ProtocolException {
        Frame f = r.read();
        assertThat(f).isInstanceOf(AckFrame.class);
        return (AckFrame) f;
    }

    @Test
    void aReplicaFilledByCatchUpThenMadeHeadDropsAResendAndTheOldHeadAnswersNotHead() throws Exception {
        ChainCluster c = cluster(2);
        String s = "takeover";
        c.chain(0); // node 0 alone: nothing is replicated live
        RawConnection old = session(c, 0, s);
        old.send(new DataFrame(0, msgs("m", 10)));
        assertThat(ack(old).runs().get(0).firstOffset()).isZero();

        c.chain(0, 1); // node 1 joins the chain: re-replication fills it without a producer (link catch-up)
        assertThat(c.servers.get(0).ensureReplicated(s).get(30, TimeUnit.SECONDS)).isTrue();
        assertThat(c.end(1, s)).isEqualTo(10);

        c.chain(1, 0); // node 1 heads the stream now
        old.send(new DataFrame(10, msgs("late", 1)));
        Frame refused = old.read();
        assertThat(refused).isInstanceOf(ErrorFrame.class);
        assertThat(((ErrorFrame) refused).errorCode()).isEqualTo(ErrorCode.NOT_HEAD);
        assertThat(((ErrorFrame) refused).text()).isEqualTo(HostPort.of(c.address(1)));
        assertThat(((ErrorFrame) refused).count()).isZero(); // the whole session moves
        assertThat(c.end(0, s)).isEqualTo(10);

        try (RawConnection now = session(c, 1, s)) {
            now.send(new DataFrame(0, msgs("m", 10))); // the producer resends its unacknowledged batch
            AckFrame a = ack(now);
            assertThat(a.lastSequence()).isEqualTo(9);
            assertThat(a.runs().get(0).firstOffset()).as("acknowledged at its original offset").isZero();
            assertThat(c.end(1, s)).as("not stored twice").isEqualTo(10);
            now.send(new DataFrame(10, msgs("n", 1)));
            assertThat(ack(now).runs().get(0).firstOffset()).isEqualTo(10);
        }
        old.close();
    }

    @Test
    void aHeadWhoseLaggingViewDoesNotListTheNodeThatFencedItPullsFromThatNodeBeforeWritingAgain() throws Exception {
        ChainCluster c = cluster(3);
        String s = "lagging";
        c.chain(0, 1);
        try (RawConnection first = session(c, 0, s)) {
            first.send(new DataFrame(0, msgs("a", 10)));
            assertThat(ack(first).runs().get(0).firstOffset()).isZero();
        }
        // Node 2 takes the stream over in its own view: its catch-up pulls offsets 0..9 and fences nodes 0 and 1.
        c.view(2, 2, 0, 1);
        session(c, 2, s).close();
        assertThat(c.end(2, s)).isEqualTo(10);
        // Node 0's view lags (it lists nodes 0 and 1 only): it still heads the stream there and admits a session. Its
        // catch-up must pull from (and fence) node 2 too, though its view does not list node 2.
        try (RawConnection stale = session(c, 0, s, PRODUCER + 1)) {
            stale.send(new DataFrame(0, msgs("b", 5)));
            assertThat(ack(stale).runs().get(0).firstOffset()).isEqualTo(10);
        }
        // The views agree on node 2: before it gives out an offset it holds what node 0 acknowledged meanwhile.
        c.chain(2, 0, 1);
        try (RawConnection now = session(c, 2, s, PRODUCER + 2)) {
            now.send(new DataFrame(0, msgs("c", 1)));
            assertThat(ack(now).runs().get(0).firstOffset()).as("not an offset node 0 gave out").isEqualTo(15);
        }
        List<byte[]> expected = new ArrayList<>(msgs("a", 10));
        expected.addAll(msgs("b", 5));
        expected.addAll(msgs("c", 1));
        assertThat(c.read(2, s)).containsExactlyElementsOf(expected);
    }

    @Test
    void aNewHeadPullsWhatItLacksBeforeItsFirstInitOk() throws Exception {
        ChainCluster c = cluster(3);
        String s = "pull";
        c.chain(0);
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(0), s)
                .withAck(AckMode.memory(1)).withProducerId(PRODUCER))) {
            for (byte[] m : msgs("a", 5_000)) {
                p.send(m);
            }
            p.flush().get(30, TimeUnit.SECONDS);
        }
        c.chain(2, 1, 0); // node 2 heads now and holds nothing, node 1 neither; node 0 holds everything
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(2), s)
                .withAck(AckMode.disk(3)))) {
            assertThat(p.send("b".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS)).isEqualTo(5_000);
        }
        assertThat(c.servers.get(2).stats().messagesCaughtUp.sum()).isEqualTo(5_000);
        assertThat(c.servers.get(0).stats().pullsServed.sum()).isPositive();
        List<byte[]> expected = new ArrayList<>(msgs("a", 5_000));
        expected.add("b".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < 3; i++) {
            int n = i;
            await().atMost(Duration.ofSeconds(30)).until(() -> c.end(n, s) == 5_001);
            assertThat(c.read(i, s)).as("node %d", i).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aFetchAtTheHeadNeverReturnsWhatNotEveryMemberHolds() throws Exception {
        ChainCluster c = cluster(2);
        String s = "committed";
        try (CuttingProxy proxy = new CuttingProxy(c.address(1))) {
            ChainResolver.Member viaProxy = new ChainResolver.Member(c.members.get(1).id(), proxy.address());
            c.chainOf(List.of(c.members.get(0), viaProxy));
            try (RawConnection p = session(c, 0, s); RawConnection reader = new RawConnection(c.address(0))) {
                p.send(new DataFrame(0, msgs("x", 5)));
                ack(p);
                await().atMost(Duration.ofSeconds(10)).until(() -> offsets(reader, s) == 5);

                proxy.holdReplies(true); // node 1 stores what comes, but node 0 hears nothing back
                p.send(new DataFrame(5, msgs("y", 5)));
                ack(p); // memory=1: node 0 alone acknowledges
                await().atMost(Duration.ofSeconds(10)).until(() -> c.end(1, s) == 10);
                assertThat(c.end(0, s)).isEqualTo(10);
                assertThat(offsets(reader, s)).as("OFFSETS at the head").isEqualTo(5);
                reader.send(new FetchFrame(9, s, 0, 100, 1 << 20, 300));
                MessagesFrame m = (MessagesFrame) reader.read();
                assertThat(m.messages()).hasSize(5);
                assertThat(m.endOffset()).isEqualTo(5);
                reader.send(new FetchFrame(10, s, 5, 100, 1 << 20, 300)); // waits, then answers empty
                assertThat(((MessagesFrame) reader.read()).messages()).isEmpty();

                proxy.holdReplies(false);
                proxy.cutAll(); // the link reconnects; node 1 reports its end in its first CHAIN_ACK
                reader.send(new FetchFrame(11, s, 5, 100, 1 << 20, 10_000));
                assertThat(((MessagesFrame) reader.read()).messages()).hasSize(5);
            }
        }
    }

    private static long offsets(RawConnection r, String stream) throws IOException, ProtocolException {
        r.send(new OffsetsFrame(1, stream));
        return ((OffsetsReplyFrame) r.read()).endOffset();
    }
}
