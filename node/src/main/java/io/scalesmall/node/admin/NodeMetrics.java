package io.scalesmall.node.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.chatter.transport.TransportStats;
import io.scalesmall.wire.CodecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Binds a node's counters to Micrometer. As Prometheus names (every meter starts with {@code scalesmall_}):
 *
 * <pre>
 * scalesmall_transport_messages_total{transport="udp|tcp", direction="in|out"}
 * scalesmall_transport_bytes_total{transport="udp|tcp", direction="in|out"}
 * scalesmall_transport_dropped_total{transport="udp|tcp"}      sends dropped
 * scalesmall_decode_errors_total{reason="BAD_MAGIC|..."}        frames refused, one series per CodecException.Reason
 * scalesmall_core_{broadcasts,stream_sends,multicasts,duplicates,merges,changes,anti_entropy_rounds,refutations}_total
 * scalesmall_tcp_connections_open                               gauge, inbound and outbound
 * </pre>
 *
 * <p><b>Core counters and the core thread.</b> {@link GroupManager#coreStats()} hops to the core thread, so
 * the eight core counters read one cached snapshot: the first counter read after the snapshot is older than
 * {@code coreStatsTtl} (default {@value #DEFAULT_CORE_STATS_TTL_MS} ms) refreshes it with one call, and the
 * others of the same scrape reuse it. A scrape therefore costs at most one core hop, and scrapes faster than
 * the TTL cost none; a value is at most that old. A lazy cache was chosen over a scheduled refresher so an
 * unscraped node does no work and needs no thread. If the core cannot answer (closed, or busy past its call
 * timeout) the last snapshot stays (0 before the first); the refresh is retried after the TTL, not on every
 * read. Transport and decode counters are plain adders, read directly.
 *
 * <p>Thread-safe. Meters keep the transports and the manager alive only through {@code manager}, which the
 * caller owns; {@link #close()} removes the meters this binder registered.
 */
public final class NodeMetrics implements MeterBinder, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeMetrics.class);
    /** Default age after which the core counters' snapshot is refreshed, ms. */
    public static final long DEFAULT_CORE_STATS_TTL_MS = 1000;
    /** The keys of {@link GroupManager#coreStats()} exported, each as {@code scalesmall_core_<key>_total}. */
    static final List<String> CORE_KEYS = List.of("broadcasts", "stream_sends", "multicasts", "duplicates", "merges",
            "changes", "anti_entropy_rounds", "refutations");

    private final GroupManager manager;
    private final CoreStatsCache core;
    /** Meters registered by {@link #bindTo}, with their registry; guarded by itself. */
    private final List<Map.Entry<MeterRegistry, Meter>> bound = new ArrayList<>();

    /** Binds {@code manager}'s counters, refreshing core counters at most once per second. */
    public NodeMetrics(GroupManager manager) {
        this(manager, Duration.ofMillis(DEFAULT_CORE_STATS_TTL_MS), System::nanoTime);
    }

    /**
     * @param coreStatsTtl how old the core counters' snapshot may grow before a read refreshes it, {@code >= 0}
     * @param nanoTime     the monotonic clock the TTL is measured on
     */
    NodeMetrics(GroupManager manager, Duration coreStatsTtl, LongSupplier nanoTime) {
        if (coreStatsTtl.isNegative()) {
            throw new IllegalArgumentException("coreStatsTtl: " + coreStatsTtl + " is negative");
        }
        this.manager = manager;
        this.core = new CoreStatsCache(manager, coreStatsTtl.toNanos(), nanoTime);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        transport(registry, "udp", manager.packets().stats());
        transport(registry, "tcp", manager.streams().stats());
        for (CodecException.Reason reason : CodecException.Reason.values()) {
            keep(registry, FunctionCounter.builder("scalesmall.decode.errors", manager,
                            m -> m.decodeErrors().getOrDefault(reason, 0L))
                    .tag("reason", reason.name())
                    .description("Frames refused by the decoder, by reason")
                    .register(registry));
        }
        for (String key : CORE_KEYS) {
            CoreStatsCache c = core;
            keep(registry, FunctionCounter.builder("scalesmall.core." + key, manager, m -> c.get(key))
                    .description("Protocol core counter '" + key + "' (snapshot at most "
                            + c.ttlNanos / 1_000_000 + " ms old)")
                    .register(registry));
        }
        keep(registry, Gauge.builder("scalesmall.tcp.connections.open", manager.streams(),
                        StreamTransport::openConnections)
                .description("Open TCP connections, inbound and outbound")
                .strongReference(true)
                .register(registry));
    }

    private void transport(MeterRegistry registry, String transport, TransportStats s) {
        counter(registry, "scalesmall.transport.messages", transport, "in", s.messagesIn, null, "Messages received");
        counter(registry, "scalesmall.transport.messages", transport, "out", s.messagesOut, null, "Messages sent");
        counter(registry, "scalesmall.transport.bytes", transport, "in", s.bytesIn, BaseUnits.BYTES, "Bytes received");
        counter(registry, "scalesmall.transport.bytes", transport, "out", s.bytesOut, BaseUnits.BYTES, "Bytes sent");
        keep(registry, FunctionCounter.builder("scalesmall.transport.dropped", s.dropped, LongAdder::doubleValue)
                .tag("transport", transport)
                .description("Sends dropped: unreachable peer, full queue, oversized datagram, socket error")
                .register(registry));
    }

    private void counter(MeterRegistry registry, String name, String transport, String direction, LongAdder adder,
            String unit, String description) {
        ToDoubleFunction<LongAdder> f = LongAdder::doubleValue;
        keep(registry, FunctionCounter.builder(name, adder, f).tags("transport", transport, "direction", direction)
                .baseUnit(unit).description(description).register(registry));
    }

    private void keep(MeterRegistry registry, Meter meter) {
        synchronized (bound) {
            bound.add(Map.entry(registry, meter));
        }
    }

    /** Removes every meter this binder registered. Idempotent. */
    @Override
    public void close() {
        synchronized (bound) {
            for (Map.Entry<MeterRegistry, Meter> e : bound) {
                e.getKey().remove(e.getValue());
            }
            bound.clear();
        }
    }

    /** The core counters, fetched at most once per TTL. Thread-safe (synchronized). */
    static final class CoreStatsCache {
        private final GroupManager manager;
        private final long ttlNanos;
        private final LongSupplier nanoTime;
        /** The last snapshot fetched; empty before the first success. Guarded by this. */
        private Map<String, Long> snapshot = Map.of();
        /** When the last fetch was tried, per {@link #nanoTime}; guarded by this. */
        private long fetchedAt;
        private boolean fetched;
        /** Number of calls made to {@link GroupManager#coreStats()}; guarded by this. */
        private long fetches;

        CoreStatsCache(GroupManager manager, long ttlNanos, LongSupplier nanoTime) {
            this.manager = manager;
            this.ttlNanos = ttlNanos;
            this.nanoTime = nanoTime;
        }

        synchronized double get(String key) {
            long now = nanoTime.getAsLong();
            if (!fetched || now - fetchedAt > ttlNanos) {
                fetched = true;
                fetchedAt = now;
                fetches++;
                try {
                    snapshot = manager.coreStats();
                } catch (RuntimeException e) {
                    LOG.debug("{} core counters unavailable, keeping the last snapshot: {}", manager.myId(),
                            e.getMessage());
                }
            }
            return snapshot.getOrDefault(key, 0L);
        }

        synchronized long fetches() {
            return fetches;
        }
    }

    /** @return how many times the core counters were fetched (for tests) */
    long coreFetches() {
        return core.fetches();
    }
}
