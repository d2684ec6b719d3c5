package io.scalesmall.node.netty;

import static io.scalesmall.node.netty.TestSupport.LOOPBACK;
import static io.scalesmall.node.netty.TestSupport.freeTcpAndUdpPort;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelConfig;
import io.netty.channel.ChannelOption;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Multicast on the loopback interface only: TTL 0 and interface {@code lo}, so no datagram leaves this host.
 * Skipped (with the reason) where the loopback interface cannot carry multicast; the real multicast test runs
 * across network namespaces elsewhere.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NettyMulticastTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    /** Administratively scoped (RFC 2365): never routed beyond an organisation, and TTL 0 keeps it on the host. */
    private static final String GROUP = "239.255.42.99";

    private static NetworkInterface loopbackInterface;
    private final List<NettyPacketTransport> created = new ArrayList<>();

    record Got(InetSocketAddress from, byte[] data, boolean multicast) {
    }

    @BeforeAll
    static void probeLoopbackMulticast() throws IOException {
        TestSupport.quietLogs();
        loopbackInterface = NetworkInterface.getByInetAddress(LOOPBACK);
        Assumptions.assumeTrue(loopbackInterface != null, "no network interface owns 127.0.0.1");
        String why = probe(loopbackInterface);
        Assumptions.assumeTrue(why == null, () -> "multicast over the loopback interface does not work here ("
                + why + "); the multicast tests run in network namespaces instead");
    }

    /** Plain JDK multicast on lo with TTL 0 and loop on: @return null if a datagram came back, else why not */
    private static String probe(NetworkInterface lo) {
        InetSocketAddress group = new InetSocketAddress(address(GROUP), freeTcpAndUdpPort());
        try (DatagramChannel rx = DatagramChannel.open(StandardProtocolFamily.INET);
                DatagramChannel tx = DatagramChannel.open(StandardProtocolFamily.INET);
                Selector selector = Selector.open()) {
            rx.setOption(StandardSocketOptions.SO_REUSEADDR, true).bind(new InetSocketAddress(group.getPort()));
            rx.join(group.getAddress(), lo);
            rx.configureBlocking(false).register(selector, SelectionKey.OP_READ);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 0);
            tx.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
            tx.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), group);
            if (selector.select(1_000) == 0) {
                return "nothing received within 1 s";
            }
            ByteBuffer buf = ByteBuffer.allocate(16);
            rx.receive(buf);
            return buf.position() == 3 ? null : "received " + buf.position() + " bytes, sent 3";
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @AfterEach
    void closeAll() {
        created.forEach(NettyPacketTransport::close);
    }

    /** A transport bound to 127.0.0.1 (so multicast picks lo), multicast TTL 0. */
    private NettyPacketTransport start(InetSocketAddress group, boolean loopback, BlockingQueue<Got> inbox) {
        NettyConfig config = NettyConfig.local(freeTcpAndUdpPort()).withMulticastGroup(group).withMulticastTtl(0)
                .withMulticastLoopback(loopback);
        NettyPacketTransport t = new NettyPacketTransport(config);
        created.add(t);
        try {
            t.start((from, data, multicast) -> inbox.add(new Got(from, data, multicast)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    private static Got next(BlockingQueue<Got> inbox, Duration timeout) throws InterruptedException {
        return inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    void withLoopbackOnNodesOfOneHostHearEachOther() throws InterruptedException {
        InetSocketAddress group = new InetSocketAddress(address(GROUP), freeTcpAndUdpPort());
        BlockingQueue<Got> inA = new LinkedBlockingQueue<>();
        BlockingQueue<Got> inB = new LinkedBlockingQueue<>();
        NettyPacketTransport a = start(group, true, inA);
        start(group, true, inB);
        assertThat(a.multicastEnabled()).isTrue();
        byte[] data = {9, 8, 7, 6, 5};
        a.multicast(data.clone());
        Got got = next(inB, WAIT);
        assertThat(got).as("b hears a's multicast").isNotNull();
        assertThat(got.data()).isEqualTo(data);
        assertThat(got.multicast()).isTrue();
        assertThat(got.from().getAddress()).isEqualTo(LOOPBACK);
        Got own = next(inA, WAIT);
        assertThat(own).as("with loopback on, a hears itself too").isNotNull();
        assertThat(own.multicast()).isTrue();
        assertThat(TestSupport.eventually(() -> a.stats().messagesOut.sum() == 1, WAIT)).isTrue(); // counted on completion
    }

    /**
     * With loopback off the socket carries IP_MULTICAST_LOOP = false, and still hears other hosts. That the sender
     * then does not hear itself cannot be seen here: Linux's {@code lo} device loops every multicast it sends
     * back whatever that option says (checked with plain sockets too), so it needs a real interface.
     */
    @Test
    void withLoopbackOffTheSocketHasLoopDisabledAndStillHearsOthers() throws InterruptedException {
        InetSocketAddress group = new InetSocketAddress(address(GROUP), freeTcpAndUdpPort());
        BlockingQueue<Got> inQuiet = new LinkedBlockingQueue<>();
        BlockingQueue<Got> inLoud = new LinkedBlockingQueue<>();
        NettyPacketTransport quiet = start(group, false, inQuiet);
        NettyPacketTransport loud = start(group, true, inLoud);
        ChannelConfig socket = quiet.multicastChannel().config();
        assertThat(socket.getOption(ChannelOption.IP_MULTICAST_LOOP_DISABLED)).isTrue();
        assertThat(socket.getOption(ChannelOption.IP_MULTICAST_TTL)).isZero();
        assertThat(socket.getOption(ChannelOption.IP_MULTICAST_IF)).isEqualTo(loopbackInterface);
        assertThat(loud.multicastChannel().config().getOption(ChannelOption.IP_MULTICAST_LOOP_DISABLED)).isFalse();

        loud.multicast(new byte[] {1});
        Got got = next(inQuiet, WAIT);
        assertThat(got).as("the loopback-off node receives others' multicast").isNotNull();
        assertThat(got.data()).containsExactly(1);
        assertThat(got.multicast()).isTrue();
    }

    @Test
    void aWildcardBindPicksAnUpNonLoopbackMulticastInterface() throws IOException {
        NettyConfig config = NettyConfig.lan(address("0.0.0.0"), 4000);
        NetworkInterface ni;
        try {
            ni = MulticastInterfaces.choose(config);
        } catch (IOException e) {
            Assumptions.abort("this host has no up, non-loopback, multicast-capable IPv4 interface: " + e.getMessage());
            return;
        }
        assertThat(ni.isUp()).isTrue();
        assertThat(ni.isLoopback()).isFalse();
        assertThat(ni.supportsMulticast()).isTrue();
        assertThat(MulticastInterfaces.choose(NettyConfig.lan(LOOPBACK, 4000)).getName())
                .isEqualTo(loopbackInterface.getName());
        assertThat(MulticastInterfaces.choose(config.withMulticastInterface(loopbackInterface)))
                .isEqualTo(loopbackInterface);
    }
}
