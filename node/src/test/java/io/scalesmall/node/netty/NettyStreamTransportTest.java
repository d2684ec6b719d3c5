package io.scalesmall.node.netty;

import static io.scalesmall.node.netty.TestSupport.LOOPBACK;
import static io.scalesmall.node.netty.TestSupport.eventually;
import static io.scalesmall.node.netty.TestSupport.frame;
import static io.scalesmall.node.netty.TestSupport.freeTcpPort;
import static io.scalesmall.node.netty.TestSupport.loopbackId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The contract on real sockets (127.0.0.1 only), plus what is particular to the Netty transport. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyStreamTransportTest extends StreamTransportContract {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeAll
    static void quiet() {
        TestSupport.quietLogs();
    }

    @Override
    protected StreamTransport create(NetId self) {
        return new NettyStreamTransport(NettyConfig.local(self.port()));
    }

    @Override
    protected NetId unusedId() {
        return loopbackId(freeTcpPort());
    }

    private Node startNetty(NettyConfig config) {
        return start(loopbackId(config.port()), new NettyStreamTransport(config));
    }

    private static NettyStreamTransport netty(Node n) {
        return (NettyStreamTransport) n.transport();
    }

    @Test
    void inboundAndOutboundAreSeparateConnections() {
        Node a = start(unusedId());
        Node b = start(unusedId());
        Random random = new Random(5);
        a.transport().send(b.id(), frame(random, 1));
        assertThat(b.next(WAIT)).isNotNull();
        b.transport().send(a.id(), frame(random, 1));
        assertThat(a.next(WAIT)).isNotNull();
        assertThat(eventually(() -> a.transport().openConnections() == 2 && b.transport().openConnections() == 2,
                WAIT)).as("a %d, b %d", a.transport().openConnections(), b.transport().openConnections()).isTrue();
    }

    @Test
    void aFrameAnnouncingMoreThanMaxFrameBytesClosesThatConnectionOnly() throws IOException {
        Node b = startNetty(NettyConfig.local(freeTcpPort()).withMaxFrameBytes(1024));
        Node a = start(unusedId());
        Random random = new Random(6);
        byte[] good = frame(random, 200);
        a.transport().send(b.id(), good);
        assertThat(b.next(WAIT).frame()).isEqualTo(good);

        try (Socket raw = new Socket(LOOPBACK, b.id().port())) {
            raw.setSoTimeout((int) WAIT.toMillis());
            byte[] header = Arrays.copyOf(frame(random, 2_000), 13); // announces 2,013 bytes; only the header is sent
            raw.getOutputStream().write(header);
            raw.getOutputStream().flush();
            assertThat(readUntilClosed(raw.getInputStream())).as("server closed the connection").isTrue();
        }
        assertThat(eventually(() -> netty(b).framingErrors() == 1, WAIT)).isTrue();
        assertThat(b.inbox()).isEmpty();

        byte[] again = frame(random, 300);
        a.transport().send(b.id(), again);
        assertThat(b.next(WAIT).frame()).as("the other connection still serves").isEqualTo(again);

        // The same from a transport: its connection is closed, and its next connection works.
        a.transport().send(b.id(), frame(random, 2_000));
        assertThat(eventually(() -> netty(b).framingErrors() == 2 && a.transport().openConnections() == 0, WAIT)).isTrue();
        byte[] after = frame(random, 100);
        a.transport().send(b.id(), after);
        assertThat(b.next(WAIT).frame()).isEqualTo(after);
    }

    /** @return true if the peer closed (EOF or reset) before the read timed out */
    private static boolean readUntilClosed(InputStream in) {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true; // reset
        }
    }

    @Test
    void garbageStreamsNeverCrashTheServer() throws IOException {
        Node b = startNetty(NettyConfig.local(freeTcpPort()).withMaxFrameBytes(64 * 1024));
        Random random = new Random(7);
        for (int i = 0; i < 20; i++) {
            byte[] junk = new byte[1 + random.nextInt(8_192)];
            random.nextBytes(junk);
            try (Socket raw = new Socket(LOOPBACK, b.id().port())) {
                OutputStream out = raw.getOutputStream();
                out.write(junk);
                out.flush();
            } catch (IOException e) {
                // the server may reset the connection while we write: that is its right
            }
        }
        assertThat(eventually(() -> netty(b).framingErrors() >= 1, WAIT)).isTrue();
        Node a = start(unusedId());
        byte[] good = frame(random, 500);
        a.transport().send(b.id(), good);
        long deadline = System.nanoTime() + WAIT.toNanos();
        boolean found = false;
        while (!found && System.nanoTime() < deadline) {
            Received r = b.next(Duration.ofMillis(100));
            found = r != null && Arrays.equals(r.frame(), good); // junk may have parsed as frames; skip those
        }
        assertThat(found).as("a well-formed peer is served after the garbage").isTrue();
        assertThat(eventually(() -> b.transport().openConnections() == 1, WAIT)).as("junk connections closed").isTrue();
    }

    @Test
    void theQueueIsBoundedWhileConnectingAndDroppedWhenTheConnectFails() throws InterruptedException {
        NettyConfig cfg = NettyConfig.local(freeTcpPort()).withMaxQueuedFramesPerPeer(8).withIoThreads(1);
        Node a = startNetty(cfg);
        NetId refusing = unusedId(); // nothing listens: connection refused
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        netty(a).eventLoops().execute(() -> { // hold the only loop, so nothing drains while we fill the queue
            held.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();
        Random random = new Random(8);
        for (int i = 0; i < 13; i++) {
            a.transport().send(refusing, frame(random, 50));
        }
        assertThat(netty(a).queueFullDrops()).isEqualTo(5);
        assertThat(a.transport().stats().dropped.sum()).isEqualTo(5);
        release.countDown();
        assertThat(eventually(() -> a.transport().stats().dropped.sum() == 13, WAIT)).isTrue();
        assertThat(netty(a).connectFailures()).isEqualTo(1);
        assertThat(netty(a).unsettled.get()).isZero();
    }

    @Test
    void aStalledPeerFillsOnlyItsBoundedQueueAndCloseGivesUpAfterTheFlushTimeout() throws IOException {
        NettyConfig cfg = NettyConfig.local(freeTcpPort()).withMaxQueuedFramesPerPeer(16);
        Node a = startNetty(cfg);
        byte[] big = frame(new Random(14), 64 * 1024);
        int sent = 0;
        try (ServerSocket stalled = new ServerSocket(0, 1, LOOPBACK)) {
            NetId peer = loopbackId(stalled.getLocalPort());
            stalled.setSoTimeout((int) WAIT.toMillis());
            a.transport().send(peer, big);
            sent++;
            try (Socket accepted = stalled.accept()) {
                // Fill the socket buffers of a peer that never reads, one frame at a time, until a frame stays
                // unwritten: the connection is then not writable and further frames wait in the queue.
                boolean stuck = !eventually(() -> netty(a).unsettled.get() == 0, Duration.ofMillis(200));
                while (!stuck && sent < 2_000) {
                    a.transport().send(peer, big);
                    sent++;
                    stuck = !eventually(() -> netty(a).unsettled.get() == 0, Duration.ofMillis(200));
                }
                assertThat(stuck).as("the connection stalled after %d frames", sent).isTrue();
                assertThat(accepted.getInputStream().available()).as("bytes wait unread at the peer").isPositive();
                long drops = netty(a).queueFullDrops();
                for (int i = 0; i < 16 + 5; i++) {
                    a.transport().send(peer, big);
                    sent++;
                }
                assertThat(netty(a).queueFullDrops() - drops).as("dropped beyond the 16 queued").isBetween(1L, 5L);

                long before = System.nanoTime();
                a.transport().close();
                assertThat(Duration.ofNanos(System.nanoTime() - before))
                        .as("close waits closeFlushTimeout (1 s) for the stalled peer, then gives up")
                        .isBetween(cfg.closeFlushTimeout().minusMillis(50), cfg.closeFlushTimeout().plusSeconds(2));
            }
        }
        int total = sent;
        assertThat(eventually(() -> netty(a).unsettled.get() == 0, WAIT)).isTrue();
        assertThat(a.transport().stats().messagesOut.sum() + a.transport().stats().dropped.sum())
                .as("every frame either sent or dropped").isEqualTo(total);
    }

    @Test
    void idleConnectionsAreClosed() {
        Duration idle = Duration.ofMillis(300);
        Node a = startNetty(NettyConfig.local(freeTcpPort()).withIdleTimeout(idle));
        Node b = startNetty(NettyConfig.local(freeTcpPort()).withIdleTimeout(idle));
        long t0 = System.nanoTime();
        a.transport().send(b.id(), frame(new Random(9), 10));
        assertThat(b.next(WAIT)).isNotNull();
        assertThat(eventually(() -> a.transport().openConnections() == 0 && b.transport().openConnections() == 0,
                WAIT)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(idle.minusMillis(50));
        assertThat(netty(a).idleCloses() + netty(b).idleCloses()).isGreaterThanOrEqualTo(1);

        byte[] later = frame(new Random(10), 20); // and the next send reconnects
        a.transport().send(b.id(), later);
        assertThat(b.next(WAIT).frame()).isEqualTo(later);
    }

    @Test
    void bindingATakenPortThrowsNamingAddressAndPort() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, LOOPBACK)) {
            int port = taken.getLocalPort();
            NettyStreamTransport t = track(new NettyStreamTransport(NettyConfig.local(port)));
            assertThatThrownBy(() -> t.start((from, f) -> { }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("port " + port);
            t.close();
            assertThatThrownBy(() -> t.start((from, f) -> { })).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void anArrayThatIsNotOneWholeFrameIsRejected() {
        Node a = start(unusedId());
        NetId b = unusedId();
        byte[] f = frame(new Random(11), 10);
        assertThatThrownBy(() -> a.transport().send(b, Arrays.copyOf(f, f.length - 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("announces 23");
        assertThatThrownBy(() -> a.transport().send(b, new byte[12]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("header");
    }

    @Test
    void aFrameOverMaxFrameBytesIsDroppedBySender() {
        Node a = startNetty(NettyConfig.local(freeTcpPort()).withMaxFrameBytes(100));
        Node b = start(unusedId());
        a.transport().send(b.id(), frame(new Random(12), 88)); // 101 bytes
        assertThat(a.transport().stats().dropped.sum()).isEqualTo(1);
        assertThat(b.next(Duration.ofMillis(200))).isNull();
    }

    @Test
    void aThrowingHandlerLosesOneFrameNotTheConnection() throws IOException {
        NettyStreamTransport b = track(new NettyStreamTransport(NettyConfig.local(freeTcpPort())));
        AtomicInteger calls = new AtomicInteger();
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        b.start((from, f) -> {
            if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("boom");
            }
            got.add(f);
        });
        Node a = start(unusedId());
        Random random = new Random(13);
        NetId bId = loopbackId(b.config.port());
        a.transport().send(bId, frame(random, 5));
        byte[] second = frame(random, 6);
        a.transport().send(bId, second);
        assertThat(eventually(() -> got.size() == 1, WAIT)).isTrue();
        assertThat(got.peek()).isEqualTo(second);
        assertThat(b.handlerFailures()).isEqualTo(1);
        assertThat(b.openConnections()).isEqualTo(1);
    }
}
