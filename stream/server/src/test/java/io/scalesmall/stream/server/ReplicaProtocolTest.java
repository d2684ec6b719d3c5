package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ChainAckFrame;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import io.scalesmall.stream.protocol.ReplicateFrame;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The chain's frames and rules on the wire, with a raw socket playing the client or the upstream node: the head
 * check and its redirect, a replica storing at the head's offsets (resends idempotent, gaps refused), CHAIN_ACK
 * watermarks, and the new frames where they do not belong.
 */
class ReplicaProtocolTest {
    private ChainCluster cluster;

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<byte[]> msgs(String... s) {
        return Arrays.stream(s).map(ReplicaProtocolTest::utf8).toList();
    }

    @Test
    void aClientInitAtANonHeadIsRedirectedToTheHead() throws Exception {
        cluster = new ChainCluster(2, i -> new MemoryMessageLog());
        cluster.chain(0, 1);
        try (RawConnection c = new RawConnection(cluster.address(1))) {
            c.send(new InitFrame(7, AckMode.disk(2), 2, 0, "s", List.of()));
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.NOT_HEAD);
                assertThat(e.text()).isEqualTo("127.0.0.1:" + cluster.address(0).getPort());
                assertThat(e.detail()).isEqualTo(cluster.address(0).getPort());
            });
            c.send(new OffsetsFrame(3, "s")); // not fatal: the connection still serves reads
            assertThat(c.read()).isEqualTo(new OffsetsReplyFrame(3, 0, 0));
        }
        try (RawConnection c = new RawConnection(cluster.address(0))) {
            c.send(new InitFrame(7, AckMode.disk(3), 3, 0, "s", List.of())); // 3 copies, a chain of 2
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.REDUNDANCY_UNAVAILABLE));
            assertThat(c.closedByNode()).isTrue();
        }
        try (RawConnection c = new RawConnection(cluster.address(0))) {
            c.send(new InitFrame(7, AckMode.disk(2), 2, 0, "s", List.of()));
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
        }
        assertThat(cluster.servers.get(1).stats().errors(ErrorCode.NOT_HEAD)).isEqualTo(1);
    }

    /** Starts a one-node cluster and connects to it as the upstream of {@code stream}, past INIT_OK. */
    private RawConnection upstreamOf(String stream) throws Exception {
        cluster = new ChainCluster(1, i -> new MemoryMessageLog());
        RawConnection c = new RawConnection(cluster.address(0));
        try {
            c.send(new InitFrame(0, AckMode.disk(1), 1, 1, stream, List.of(utf8("up"))));
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            return c;
        } catch (Exception | AssertionError e) {
            c.close();
            throw e;
        }
    }

    /** Reads past CHAIN_ACKs; returns the first other frame. */
    private static Frame afterAcks(RawConnection c) throws Exception {
        Frame f;
        do {
            f = c.read();
        } while (f instanceof ChainAckFrame);
        return f;
    }

    /** Reads frames until a CHAIN_ACK whose first delivered watermark is {@code end}. */
    private static ChainAckFrame ackAt(RawConnection c, long end) throws Exception {
        while (true) {
            Frame f = c.read();
            assertThat(f).isInstanceOf(ChainAckFrame.class);
            ChainAckFrame a = (ChainAckFrame) f;
            if (a.delivered()[0] == end) {
                return a;
            }
        }
    }

    @Test
    void aReplicaStoresAtTheHeadsOffsetsOnceAndRefusesGaps() throws Exception {
        try (RawConnection c = upstreamOf("r")) {
            ChainAckFrame first = (ChainAckFrame) c.read(); // this node alone: where the upstream starts
            assertThat(first.delivered()).containsExactly(0);
            assertThat(first.processed()).containsExactly(0);
            c.send(new ReplicateFrame(0, 42, 0, msgs("a", "b")));
            ackAt(c, 2);
            c.send(new ReplicateFrame(0, 0, 0, msgs("a", "b", "c"))); // a resend overlapping what is held
            ackAt(c, 3);
            c.send(new ReplicateFrame(1, 0, 0, msgs("b"))); // wholly held: nothing changes
            c.send(new ReplicateFrame(3, 42, 2, msgs("d")));
            ChainAckFrame a = ackAt(c, 4);
            assertThat(a.copies()).isEqualTo(1);
            assertThat(cluster.read(0, "r")).extracting(String::new).containsExactly("a", "b", "c", "d");
            c.send(new ReplicateFrame(9, 0, 0, msgs("z"))); // offsets 4..8 missing
            assertThat(afterAcks(c)).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_GAP);
                assertThat(e.detail()).isEqualTo(4);
            });
            assertThat(c.closedByNode()).isTrue();
        }
        assertThat(cluster.end(0, "r")).isEqualTo(4);
        assertThat(cluster.servers.get(0).stats().replicaMessagesIn.sum()).isEqualTo(4);
    }

    /**
     * A resend whose already-held part holds other bytes here (two heads gave out one offset: a split brain) is not
     * taken as a match: the replica refuses it, stores nothing of it, and says so.
     */
    @Test
    void aResendThatDisagreesWithWhatIsHeldIsRefusedAsDivergence() throws Exception {
        try (RawConnection c = upstreamOf("d")) {
            c.send(new ReplicateFrame(0, 0, 0, msgs("a", "b")));
            ackAt(c, 2);
            c.send(new ReplicateFrame(0, 0, 0, msgs("a", "b")));
            c.send(new ReplicateFrame(1, 0, 0, msgs("x", "c"))); // offset 1 holds "b" here
            assertThat(afterAcks(c)).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.STORAGE_ERROR);
                assertThat(e.text()).contains("replica diverged").contains("offset 1 holds other bytes");
            });
            assertThat(c.closedByNode()).isTrue();
        }
        assertThat(cluster.read(0, "d")).extracting(String::new).containsExactly("a", "b");
    }

    @Test
    void theReplicasProducerStateFollowsTheHeads() throws Exception {
        try (RawConnection c = upstreamOf("p")) {
            c.send(new ReplicateFrame(0, 42, 0, msgs("a", "b")));
            ackAt(c, 2);
        }
        // Were this replica to become the head, the producer's resend is recognised, not stored twice.
        assertThat(cluster.logs.get(0).append("p", 42, 0, msgs("a", "b")).duplicates()).isEqualTo(2);
        assertThat(cluster.end(0, "p")).isEqualTo(2);
    }

    private void expectClose(Frame init, Frame bad, ErrorCode code) throws Exception {
        try (RawConnection c = new RawConnection(cluster.address(0))) {
            if (init != null) {
                c.send(init);
                assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            }
            c.send(bad);
            assertThat(afterAcks(c)).isInstanceOfSatisfying(ErrorFrame.class, e -> assertThat(e.errorCode()).isEqualTo(code));
            assertThat(c.closedByNode()).isTrue();
        }
    }

    @Test
    void theChainsFramesWhereTheyDoNotBelongCloseTheConnection() throws Exception {
        cluster = new ChainCluster(1, i -> new MemoryMessageLog());
        InitFrame client = new InitFrame(7, AckMode.memory(1), 1, 0, "x", List.of());
        InitFrame replica = new InitFrame(0, AckMode.disk(1), 1, 1, "x", List.of(utf8("up")));
        expectClose(client, new ReplicateFrame(0, 0, 0, msgs("a")), ErrorCode.NOT_INITIALIZED);
        expectClose(null, new ReplicateFrame(0, 0, 0, msgs("a")), ErrorCode.NOT_INITIALIZED);
        expectClose(replica, new DataFrame(0, msgs("a")), ErrorCode.NOT_INITIALIZED);
        expectClose(replica, new ChainAckFrame(new long[] {1}, new long[] {1}), ErrorCode.UNKNOWN_TYPE);
        try (RawConnection c = new RawConnection(cluster.address(0))) { // REPLICATE whose count overruns its body
            c.sendBytes(ByteBufUtil.decodeHexDump(("01 0a 00000022 0000000000000000 0000000000000000"
                    + " 0000000000000000 00000009 00000002 6869").replace(" ", "")));
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED));
            assertThat(c.closedByNode()).isTrue();
        }
        assertThat(cluster.end(0, "x")).isZero();
        assertThat(cluster.servers.get(0).stats().hostileCloses.sum()).isEqualTo(5);
    }
}
