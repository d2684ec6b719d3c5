package io.scalesmall.node.netty;

import static io.scalesmall.node.netty.TestSupport.LOOPBACK;
import static io.scalesmall.node.netty.TestSupport.eventually;
import static io.scalesmall.node.netty.TestSupport.freeTcpAndUdpPort;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
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

/** UDP unicast between transports on 127.0.0.1, multicast off. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyPacketTransportTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    /** A datagram as delivered to a handler. */
    record Got(InetSocketAddress from, byte[] data, boolean multicast) {
    }

    /** A started transport and what it received. */
    record Peer(NettyPacketTransport transport, InetSocketAddress address, BlockingQueue<Got> inbox) {
        Got next(Duration timeout) {
            try {
                return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private final List<NettyPacketTransport> created = new ArrayList<>();

    @BeforeAll
    static void quiet() {
        TestSupport.quietLogs();
    }

    @AfterEach
    void closeAll() {
        created.forEach(NettyPacketTransport::close);
    }

    private Peer start(NettyConfig config) {
        NettyPacketTransport t = new NettyPacketTransport(config);
        created.add(t);
        BlockingQueue<Got> inbox = new LinkedBlockingQueue<>();
        try {
            t.start((from, data, multicast) -> inbox.add(new Got(from, data, multicast)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Peer(t, new InetSocketAddress(LOOPBACK, config.port()), inbox);
    }

    private Peer start() {
        return start(NettyConfig.local(freeTcpAndUdpPort()));
    }

    @Test
    void unicastDatagramsArriveIntactFromTheSendersPort() {
        Peer a = start();
        Peer b = start();
        assertThat(a.transport().multicastEnabled()).isFalse();
        Random random = new Random(21);
        List<Integer> sizes = new ArrayList<>(List.of(0, 1, 13, 100, 1_400, 1_472, 1_473, 9_000, 65_507));
        for (int i = 0; i < 30; i++) {
            sizes.add(random.nextInt(65_508));
        }
        long bytes = 0;
        for (int size : sizes) { // one at a time, so a socket buffer never overflows
            bytes += size;
            exchange(a, b, random, size);
            exchange(b, a, random, size);
        }
        long total = bytes; // a send is counted when it completes, which may be just after the receiver has it
        assertThat(eventually(() -> a.transport().stats().messagesOut.sum() == sizes.size(), WAIT)).isTrue();
        assertThat(eventually(() -> a.transport().stats().bytesOut.sum() == total, WAIT)).isTrue();
        assertThat(b.transport().stats().messagesIn.sum()).isEqualTo(sizes.size());
        assertThat(b.transport().stats().bytesIn.sum()).isEqualTo(bytes);
        assertThat(a.transport().stats().dropped.sum() + b.transport().stats().dropped.sum()).isZero();
    }

    private static void exchange(Peer from, Peer to, Random random, int size) {
        byte[] data = new byte[size];
        random.nextBytes(data);
        from.transport().send(to.address(), data.clone());
        Got got = to.next(WAIT);
        assertThat(got).as("a %d-byte datagram", size).isNotNull();
        assertThat(got.data()).isEqualTo(data);
        assertThat(got.from()).isEqualTo(from.address());
        assertThat(got.multicast()).isFalse();
    }

    @Test
    void oversizedDatagramsAreDroppedAndCountedBothWays() throws IOException {
        Peer a = start(NettyConfig.local(freeTcpAndUdpPort()).withMaxDatagramBytes(1_000));
        Peer b = start(NettyConfig.local(freeTcpAndUdpPort()).withMaxDatagramBytes(1_000));
        a.transport().send(b.address(), new byte[1_001]);
        assertThat(a.transport().stats().dropped.sum()).isEqualTo(1);
        a.transport().send(b.address(), new byte[1_000]);
        assertThat(b.next(WAIT).data()).hasSize(1_000);
        assertThat(eventually(() -> a.transport().stats().messagesOut.sum() == 1, WAIT)).isTrue();

        try (DatagramSocket raw = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            raw.send(new DatagramPacket(new byte[1_500], 1_500, b.address()));
            raw.send(new DatagramPacket(new byte[10], 10, b.address()));
        }
        assertThat(b.next(WAIT).data()).as("the small datagram after the big one").hasSize(10);
        assertThat(b.transport().oversizedReceived()).isEqualTo(1);
        assertThat(b.inbox()).isEmpty();
    }

    @Test
    void multicastIsANoOpWhenOff() {
        Peer a = start();
        assertThatCode(() -> a.transport().multicast(new byte[10])).doesNotThrowAnyException();
        assertThat(a.transport().stats().messagesOut.sum()).isZero();
        assertThat(a.transport().stats().dropped.sum()).isZero();
    }

    @Test
    void bindingATakenPortThrowsNamingAddressAndPort() throws IOException {
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
            int port = taken.getLocalPort();
            NettyPacketTransport t = new NettyPacketTransport(NettyConfig.local(port));
            created.add(t);
            assertThatThrownBy(() -> t.start((from, data, m) -> { }))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("127.0.0.1:" + port)
                    .hasMessageContaining("port " + port);
            assertThatThrownBy(() -> t.start((from, data, m) -> { })).isInstanceOf(IllegalStateException.class);
        }
    }

    @Test
    void closeIsIdempotentAndLaterSendsAreDroppedAndCounted() {
        Peer a = start();
        Peer b = start();
        a.transport().close();
        a.transport().close();
        a.transport().send(b.address(), new byte[5]);
        assertThat(a.transport().stats().dropped.sum()).isEqualTo(1);
        assertThat(b.next(Duration.ofMillis(200))).isNull();
    }

    @Test
    void aThrowingHandlerLosesOneDatagramNotTheSocket() throws IOException {
        NettyPacketTransport b = new NettyPacketTransport(NettyConfig.local(freeTcpAndUdpPort()));
        created.add(b);
        BlockingQueue<byte[]> got = new LinkedBlockingQueue<>();
        b.start((from, data, m) -> {
            if (data.length == 1) {
                throw new IllegalStateException("boom");
            }
            got.add(data);
        });
        Peer a = start();
        a.transport().send(b.localAddress(), new byte[1]);
        assertThat(eventually(() -> b.handlerFailures() == 1, WAIT)).isTrue();
        a.transport().send(b.localAddress(), new byte[2]);
        assertThat(eventually(() -> got.size() == 1, WAIT)).isTrue();
    }
}
