package io.scalesmall.node.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class NettyConfigTest {
    private static final InetAddress ANY = addr("0.0.0.0");

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void lanHasTheDocumentedDefaults() {
        NettyConfig c = NettyConfig.lan(ANY, 4000);
        assertThat(c.multicastGroup()).isEqualTo(new InetSocketAddress(addr("224.1.1.1"), 29_999));
        assertThat(c.multicastTtl()).isEqualTo(4);
        assertThat(c.multicastInterface()).isNull();
        assertThat(c.multicastLoopback()).isFalse();
        assertThat(c.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.closeFlushTimeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.maxFrameBytes()).isEqualTo(16 * 1024 * 1024);
        assertThat(c.maxQueuedFramesPerPeer()).isEqualTo(1_024);
        assertThat(c.maxDatagramBytes()).isEqualTo(65_507);
        assertThat(c.ioThreads()).isEqualTo(1);
        assertThat(c.maxOutboundConnections()).isEqualTo(32);
        assertThat(c.multicastEnabled()).isTrue();
        assertThat(c.bindSocketAddress()).isEqualTo(new InetSocketAddress(ANY, 4000));
    }

    @Test
    void presetsDifferWhereTheySay() {
        assertThat(NettyConfig.wan(ANY, 1).multicastEnabled()).isFalse();
        assertThat(NettyConfig.wan(ANY, 1).connectTimeout()).isEqualTo(Duration.ofSeconds(5));
        NettyConfig local = NettyConfig.local(7);
        assertThat(local.bindAddress()).isEqualTo(addr("127.0.0.1"));
        assertThat(local.multicastEnabled()).isFalse();
        assertThat(local.port()).isEqualTo(7);
    }

    @Test
    void withersChangeOneFieldOnly() {
        NettyConfig c = NettyConfig.local(7);
        assertThat(c.withIdleTimeout(Duration.ofMillis(300))).isEqualTo(new NettyConfig(c.bindAddress(), 7, null,
                c.multicastTtl(), null, false, c.connectTimeout(), Duration.ofMillis(300), c.closeFlushTimeout(),
                c.maxFrameBytes(), c.maxQueuedFramesPerPeer(), c.maxDatagramBytes(), 32, 1));
        assertThat(c.withMaxOutboundConnections(5)).isEqualTo(new NettyConfig(c.bindAddress(), 7, null,
                c.multicastTtl(), null, false, c.connectTimeout(), c.idleTimeout(), c.closeFlushTimeout(),
                c.maxFrameBytes(), c.maxQueuedFramesPerPeer(), c.maxDatagramBytes(), 5, 1));
        assertThat(c.withMulticastLoopback(true).multicastLoopback()).isTrue();
        assertThat(c.withPort(9).port()).isEqualTo(9);
        assertThat(c.withMaxQueuedFramesPerPeer(3).maxQueuedFramesPerPeer()).isEqualTo(3);
    }

    @Test
    void invalidValuesAreRejectedNamingFieldAndValue() {
        NettyConfig c = NettyConfig.local(7);
        assertThatThrownBy(() -> c.withPort(0)).hasMessage("port: 0 is not in 1..65535");
        assertThatThrownBy(() -> c.withPort(65_536)).hasMessage("port: 65536 is not in 1..65535");
        assertThatThrownBy(() -> c.withBindAddress(null)).hasMessage("bindAddress: null");
        assertThatThrownBy(() -> c.withMulticastGroup(new InetSocketAddress(addr("10.0.0.1"), 5)))
                .hasMessage("multicastGroup: /10.0.0.1:5 is not a multicast address");
        assertThatThrownBy(() -> c.withMulticastGroup(new InetSocketAddress(addr("239.1.1.1"), 0)))
                .hasMessageContaining("multicastGroup").hasMessageContaining("port 0");
        assertThatThrownBy(() -> c.withMulticastTtl(256)).hasMessage("multicastTtl: 256 is not in 0..255");
        assertThatThrownBy(() -> c.withConnectTimeout(Duration.ZERO))
                .hasMessage("connectTimeout: PT0S is not in PT0.001S..PT5M");
        assertThatThrownBy(() -> c.withIdleTimeout(null)).hasMessageStartingWith("idleTimeout: null");
        assertThatThrownBy(() -> c.withCloseFlushTimeout(Duration.ofMillis(-1)))
                .hasMessageStartingWith("closeFlushTimeout: PT-0.001S");
        assertThatThrownBy(() -> c.withMaxFrameBytes(63)).hasMessageStartingWith("maxFrameBytes: 63 is not in 64..");
        assertThatThrownBy(() -> c.withMaxQueuedFramesPerPeer(0)).hasMessageStartingWith("maxQueuedFramesPerPeer: 0");
        assertThatThrownBy(() -> c.withMaxDatagramBytes(65_508)).hasMessage("maxDatagramBytes: 65508 is not in 1..65507");
        assertThatThrownBy(() -> c.withIoThreads(0)).hasMessage("ioThreads: 0 is not in 1..16");
        assertThatThrownBy(() -> c.withMaxOutboundConnections(0))
                .hasMessage("maxOutboundConnections: 0 is not in 1..65535");
        assertThatThrownBy(() -> c.withMaxOutboundConnections(65_536))
                .hasMessage("maxOutboundConnections: 65536 is not in 1..65535");
        assertThat(c.withMulticastTtl(0).multicastTtl()).isZero();
        assertThat(c.withCloseFlushTimeout(Duration.ZERO).closeFlushTimeout()).isZero();
    }
}
