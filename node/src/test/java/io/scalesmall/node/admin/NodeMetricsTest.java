package io.scalesmall.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.node.netty.NettyConfig;
import io.scalesmall.node.netty.NettyStreamTransport;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.SwimMessage;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
    private final InProcessNode node = new InProcessNode(29011);
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @AfterEach
    void close() {
        node.close();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).functionCounter().count();
    }

    @Test
    void transportCountersReadTheTransportsStats() {
        NodeMetrics m = new NodeMetrics(node.manager);
        m.bindTo(registry);
        node.packets.deliver(new byte[20]);
        node.packets.deliver(new byte[30]);
        node.streams.stats.dropped.add(3);
        node.streams.stats.bytesOut.add(7);

        assertThat(counter("scalesmall.transport.messages", "transport", "udp", "direction", "in")).isEqualTo(2);
        assertThat(counter("scalesmall.transport.bytes", "transport", "udp", "direction", "in")).isEqualTo(50);
        assertThat(counter("scalesmall.transport.messages", "transport", "udp", "direction", "out")).isZero();
        assertThat(counter("scalesmall.transport.bytes", "transport", "tcp", "direction", "out")).isEqualTo(7);
        assertThat(counter("scalesmall.transport.dropped", "transport", "tcp")).isEqualTo(3);
        assertThat(counter("scalesmall.transport.dropped", "transport", "udp")).isZero();
        assertThat(registry.get("scalesmall.tcp.connections.open").gauge().value()).isZero();
    }

    @Test
    void decodeErrorsHaveOneSeriesPerReason() {
        new NodeMetrics(node.manager).bindTo(registry);
        node.packets.deliver(new byte[20]);
        node.packets.deliver(new byte[3]);
        assertThat(registry.get("scalesmall.decode.errors").functionCounters())
                .hasSize(CodecException.Reason.values().length);
        assertThat(counter("scalesmall.decode.errors", "reason", "BAD_MAGIC")).isEqualTo(1);
        assertThat(counter("scalesmall.decode.errors", "reason", "TRUNCATED")).isEqualTo(1);
        assertThat(counter("scalesmall.decode.errors", "reason", "MALFORMED")).isZero();
    }

    @Test
    void coreCountersCostOneCoreCallPerTtl() {
        AtomicLong nanos = new AtomicLong(1_000);
        NodeMetrics m = new NodeMetrics(node.manager, Duration.ofMillis(500), nanos::get);
        m.bindTo(registry);
        for (String key : NodeMetrics.CORE_KEYS) {
            assertThat(counter("scalesmall.core." + key)).isGreaterThanOrEqualTo(0);
        }
        assertThat(m.coreFetches()).as("one snapshot serves the whole scrape").isEqualTo(1);
        double broadcasts = counter("scalesmall.core.broadcasts");

        node.manager.join("orders");
        node.manager.addItem("orders", 0, 9, 80);
        nanos.addAndGet(Duration.ofMillis(500).toNanos());
        assertThat(counter("scalesmall.core.broadcasts")).as("not older than the TTL yet").isEqualTo(broadcasts);
        assertThat(m.coreFetches()).isEqualTo(1);

        nanos.addAndGet(1);
        assertThat(counter("scalesmall.core.broadcasts")).isEqualTo(broadcasts + 2);
        assertThat(m.coreFetches()).isEqualTo(2);
    }

    @Test
    void coreCountersKeepTheLastSnapshotWhenTheCoreIsGone() {
        AtomicLong nanos = new AtomicLong();
        NodeMetrics m = new NodeMetrics(node.manager, Duration.ZERO, nanos::get);
        m.bindTo(registry);
        node.manager.join("orders");
        nanos.incrementAndGet();
        double broadcasts = counter("scalesmall.core.broadcasts");
        assertThat(broadcasts).isPositive();

        node.manager.close();
        nanos.incrementAndGet();
        assertThat(counter("scalesmall.core.broadcasts")).isEqualTo(broadcasts);
    }

    private double gauge(String name, String... tags) {
        return registry.get(name).tags(tags).gauge().value();
    }

    /** Self alive in two groups, p dead in both (counted once), q left; then p restarts. */
    @Test
    void memberGaugesCountDistinctMembersByStateAndVerdictsAreCountedOnce() {
        NodeMetrics m = new NodeMetrics(node.manager, Duration.ZERO, System::nanoTime);
        m.bindTo(registry);
        NetId p = NetId.parse("127.0.0.1:29012");
        NetId q = NetId.parse("127.0.0.1:29013");
        NetId r = NetId.parse("127.0.0.1:29014");
        node.manager.join("a");
        node.manager.join("b");
        node.deliverJoin("a", p, 5);
        node.deliverJoin("b", p, 5);
        node.deliverJoin("b", q, 5);
        node.deliverSwim(r, new SwimMessage.Dead(p, 5, r));
        node.deliverSwim(q, new SwimMessage.Dead(q, 5, q));

        assertThat(gauge("scalesmall.members", "state", "alive")).isEqualTo(1);
        assertThat(gauge("scalesmall.members", "state", "suspect")).isZero();
        assertThat(gauge("scalesmall.members", "state", "dead")).isEqualTo(1);
        assertThat(gauge("scalesmall.members", "state", "left")).isEqualTo(1);
        assertThat(counter("scalesmall.member.state.changes", "to", "dead")).as("p is in two groups").isEqualTo(1);
        assertThat(counter("scalesmall.member.state.changes", "to", "left")).isEqualTo(1);
        assertThat(counter("scalesmall.member.state.changes", "to", "alive")).as("first sightings are no change")
                .isZero();

        node.deliverJoin("a", p, 6);
        assertThat(gauge("scalesmall.members", "state", "alive")).isEqualTo(2);
        assertThat(gauge("scalesmall.members", "state", "dead")).isZero();
        assertThat(counter("scalesmall.member.state.changes", "to", "alive")).isEqualTo(1);
        assertThat(m.memberFetches()).as("TTL 0: every read fetches").isGreaterThanOrEqualTo(6);
    }

    @Test
    void memberGaugesShareOneSnapshotPerTtl() {
        AtomicLong nanos = new AtomicLong(1_000);
        NodeMetrics m = new NodeMetrics(node.manager, Duration.ofMillis(500), nanos::get);
        m.bindTo(registry);
        node.manager.join("a");
        for (String s : new String[] {"alive", "suspect", "dead", "left"}) {
            gauge("scalesmall.members", "state", s);
        }
        assertThat(m.memberFetches()).isEqualTo(1);
        assertThat(gauge("scalesmall.members", "state", "alive")).as("snapshot taken after the join").isEqualTo(1);
        node.manager.leave("a");
        assertThat(gauge("scalesmall.members", "state", "alive")).as("not older than the TTL yet").isEqualTo(1);
        nanos.addAndGet(Duration.ofMillis(500).toNanos() + 1);
        assertThat(gauge("scalesmall.members", "state", "alive")).isZero();
        assertThat(m.memberFetches()).isEqualTo(2);
    }

    @Test
    void connectionGaugesByDirectionNeedTheNettyTransport() {
        new NodeMetrics(node.manager).bindTo(registry);
        assertThat(registry.find("scalesmall.tcp.connections.open").gauge()).isNotNull();
        assertThat(registry.find("scalesmall.tcp.connections.inbound").gauge()).isNull();
        assertThat(registry.find("scalesmall.tcp.connections.evicted").functionCounter()).isNull();
    }

    @Test
    void connectionGaugesByDirectionReadTheNettyTransport() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        NettyStreamTransport streams = new NettyStreamTransport(NettyConfig.local(port));
        GroupManager g = new GroupManager(NetId.parse("127.0.0.1:" + port), 1L, ChatterConfig.local(), node.wire,
                new InProcessNode.RecordingPackets(), streams, 20);
        try (Socket client = new Socket()) {
            g.start();
            new NodeMetrics(g).bindTo(registry);
            assertThat(gauge("scalesmall.tcp.connections.inbound")).isZero();
            client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2_000);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(gauge("scalesmall.tcp.connections.inbound")).isEqualTo(1);
                assertThat(gauge("scalesmall.tcp.connections.open")).isEqualTo(1);
            });
            assertThat(gauge("scalesmall.tcp.connections.outbound")).isZero();
            assertThat(counter("scalesmall.tcp.connections.evicted")).isZero();
            assertThat(counter("scalesmall.tcp.idle.closes")).isZero();
        } finally {
            g.close();
        }
    }

    @Test
    void closeRemovesTheMeters() {
        NodeMetrics m = new NodeMetrics(node.manager);
        m.bindTo(registry);
        assertThat(registry.getMeters()).isNotEmpty();
        assertThat(registry.getMeters()).allMatch(x -> x.getId().getName().startsWith("scalesmall."));
        m.close();
        m.close();
        assertThat(registry.getMeters()).isEmpty();
    }
}
