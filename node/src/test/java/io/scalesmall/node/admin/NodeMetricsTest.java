package io.scalesmall.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scalesmall.wire.CodecException;
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
