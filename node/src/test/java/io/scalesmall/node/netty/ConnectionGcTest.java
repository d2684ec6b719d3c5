package io.scalesmall.node.netty;

import static io.scalesmall.node.netty.TestSupport.eventually;
import static io.scalesmall.node.netty.TestSupport.frame;
import static io.scalesmall.node.netty.TestSupport.freeTcpPort;
import static io.scalesmall.node.netty.TestSupport.loopbackId;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Connection garbage collection in {@link NettyStreamTransport}, on 127.0.0.1: the per-peer table shrinks when
 * connections idle out, close or never open, and the outbound connections stay within
 * {@link NettyConfig#maxOutboundConnections()} by closing the least recently used.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectionGcTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final List<NettyStreamTransport> created = new ArrayList<>();
    private final Random random = new Random(41);

    /** A started transport and the frames it received. */
    private record Peer(NetId id, NettyStreamTransport t, BlockingQueue<byte[]> inbox) {
        byte[] next() {
            try {
                return inbox.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @BeforeAll
    static void quiet() {
        TestSupport.quietLogs();
    }

    @AfterEach
    void closeAll() {
        created.forEach(NettyStreamTransport::close);
    }

    private Peer start(NettyConfig config) {
        NettyStreamTransport t = new NettyStreamTransport(config);
        created.add(t);
        BlockingQueue<byte[]> inbox = new LinkedBlockingQueue<>();
        try {
            t.start((from, f) -> inbox.add(f));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Peer(loopbackId(config.port()), t, inbox);
    }

    private Peer start() {
        return start(NettyConfig.local(freeTcpPort()));
    }

    /** Sends one frame from {@code from} to {@code to} and waits for it to arrive intact. */
    private void deliver(Peer from, Peer to) {
        byte[] f = frame(random, 8);
        from.t().send(to.id(), f);
        assertThat(to.next()).as("frame to %s", to.id()).isEqualTo(f);
    }

    @Test
    void idleConnectionsAreClosedAndTheirEntriesDropped() {
        Peer a = start(NettyConfig.local(freeTcpPort()).withIdleTimeout(Duration.ofMillis(300)));
        List<Peer> others = List.of(start(), start(), start());
        for (Peer p : others) {
            deliver(a, p);
        }
        assertThat(a.t().outboundPeers()).isEqualTo(3);
        assertThat(eventually(() -> a.t().outboundConnections() == 3, WAIT)).isTrue();
        assertThat(eventually(() -> others.stream().allMatch(p -> p.t().inboundConnections() == 1), WAIT)).isTrue();

        assertThat(eventually(() -> a.t().outboundPeers() == 0 && a.t().outboundConnections() == 0, WAIT))
                .as("table %d, outbound %d", a.t().outboundPeers(), a.t().outboundConnections()).isTrue();
        assertThat(eventually(() -> others.stream().allMatch(p -> p.t().inboundConnections() == 0), WAIT)).isTrue();
        assertThat(a.t().idleCloses()).isEqualTo(3);
        assertThat(a.t().openConnections()).isZero();

        deliver(a, others.get(1)); // a dropped entry comes back on the next send
        assertThat(a.t().outboundPeers()).isEqualTo(1);
    }

    @Test
    void anUnreachablePeerLeavesNoEntry() {
        Peer a = start();
        NetId nobody = loopbackId(freeTcpPort());
        a.t().send(nobody, frame(random, 4));
        assertThat(eventually(() -> a.t().connectFailures() == 1 && a.t().outboundPeers() == 0, WAIT))
                .as("failures %d, table %d", a.t().connectFailures(), a.t().outboundPeers()).isTrue();
        assertThat(a.t().outboundConnections()).isZero();
        assertThat(a.t().stats().dropped.sum()).isEqualTo(1);
    }

    @Test
    void aConnectionClosedByThePeerDropsItsEntry() {
        Peer a = start(); // idle timeout 60 s: only the peer's close can end the connection here
        Peer b = start();
        deliver(a, b);
        assertThat(eventually(() -> b.t().inboundConnections() == 1, WAIT)).isTrue();
        b.t().close();
        assertThat(eventually(() -> a.t().outboundPeers() == 0 && a.t().outboundConnections() == 0, WAIT))
                .as("table %d, outbound %d", a.t().outboundPeers(), a.t().outboundConnections()).isTrue();
        assertThat(a.t().idleCloses()).isZero();
    }

    @Test
    void theBoundClosesTheLeastRecentlyUsedConnection() {
        Peer a = start(NettyConfig.local(freeTcpPort()).withMaxOutboundConnections(2));
        Peer b = start();
        Peer c = start();
        Peer d = start();
        deliver(a, b);
        deliver(a, c);
        deliver(a, b); // b is now more recent than c
        assertThat(a.t().evictions()).isZero();

        deliver(a, d);
        assertThat(eventually(() -> c.t().inboundConnections() == 0 && a.t().outboundConnections() == 2, WAIT))
                .as("c, the least recently used, lost its connection").isTrue();
        assertThat(a.t().evictions()).isEqualTo(1);
        assertThat(b.t().inboundConnections()).isEqualTo(1);
        assertThat(d.t().inboundConnections()).isEqualTo(1);
        assertThat(eventually(() -> a.t().outboundPeers() == 2, WAIT)).as("c's entry is dropped").isTrue();

        deliver(a, c); // now b is the least recently used
        assertThat(eventually(() -> b.t().inboundConnections() == 0 && a.t().outboundConnections() == 2, WAIT))
                .isTrue();
        assertThat(a.t().evictions()).isEqualTo(2);
        assertThat(a.t().stats().dropped.sum()).as("eviction loses no frame").isZero();
    }

    @Test
    void manyPeersStayWithinTheBoundAndEveryFrameArrives() {
        int bound = 4;
        Peer a = start(NettyConfig.local(freeTcpPort()).withMaxOutboundConnections(bound));
        List<Peer> peers = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            peers.add(start());
        }
        int most = 0;
        for (int round = 0; round < 3; round++) {
            for (Peer p : peers) {
                deliver(a, p);
                most = Math.max(most, a.t().outboundConnections());
            }
        }
        System.out.printf("ConnectionGcTest: 12 peers, bound %d: most outbound seen %d, evictions %d%n", bound, most,
                a.t().evictions());
        assertThat(most).as("outbound connections seen after each delivery").isLessThanOrEqualTo(bound + 1);
        assertThat(eventually(() -> a.t().outboundConnections() <= bound && a.t().outboundPeers() <= bound
                && peers.stream().mapToInt(p -> p.t().inboundConnections()).sum() <= bound, WAIT))
                .as("outbound %d, table %d", a.t().outboundConnections(), a.t().outboundPeers()).isTrue();
        assertThat(a.t().evictions()).as("36 connects, at most 4 kept").isGreaterThanOrEqualTo(36 - bound);
        assertThat(a.t().stats().messagesOut.sum()).isEqualTo(36);
        assertThat(a.t().stats().dropped.sum()).isZero();
    }
}
