package io.scalesmall.node.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.chatter.transport.TransportStats;
import io.scalesmall.node.netty.NettyStreamTransport;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.CodecException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.ToDoubleFunction;

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
 * scalesmall_tcp_connections_inbound, _outbound                 gauges, one direction each (Netty transport only)
 * scalesmall_tcp_connections_evicted_total                      outbound connections closed by the LRU bound
 * scalesmall_tcp_idle_closes_total                              connections closed after the idle timeout
 * scalesmall_members{state="alive|suspect|dead|left"}           gauge: distinct members of the groups this node
 *                                                               holds, by the failure detector's state (self: alive)
 * scalesmall_member_state_changes_total{to="alive|suspect|dead|left"}   detector verdicts seen (StateChangeCounter)
 * </pre>
 *
 * <p><b>Core snapshots and the core thread.</b> {@link GroupManager#coreStats()} and
 * {@link GroupManager#memberStates} hop to the core thread, so the eight core counters read one cached
 * snapshot, and the four member gauges another ({@link CachedSnapshot}): the first read after a snapshot is older
 * than {@code coreStatsTtl} (default {@value #DEFAULT_CORE_STATS_TTL_MS} ms) refreshes it, the other reads of the
 * same scrape reuse it. A scrape therefore costs at most one core hop for the counters and {@code 1 + groups} for
 * the member gauges, and scrapes faster than the TTL cost none; a value is at most that old. If the core cannot
 * answer (closed, or busy past its call timeout) the last snapshot stays (0 before the first). Transport, decode
 * and state-change counters are plain adders, read directly.
 *
 * <p>Thread-safe. Meters keep the transports and the manager alive only through {@code manager}, which the
 * caller owns; {@link #close()} removes the meters this binder registered. The state-change listener is
 * registered with the manager on construction (the manager has no way to remove it; it only counts).
 */
public final class NodeMetrics implements MeterBinder, AutoCloseable {
    /** Default age after which a core snapshot is refreshed, ms. */
    public static final long DEFAULT_CORE_STATS_TTL_MS = 1000;
    /** The keys of {@link GroupManager#coreStats()} exported, each as {@code scalesmall_core_<key>_total}. */
    static final List<String> CORE_KEYS = List.of("broadcasts", "stream_sends", "multicasts", "duplicates", "merges",
            "changes", "anti_entropy_rounds", "refutations", "swim_probes", "swim_indirect_probes",
            "swim_failed_probes", "swim_suspicions_raised", "swim_deaths_declared", "swim_refutations",
            "swim_nacks_sent", "swim_reconnects");

    private final GroupManager manager;
    private final CachedSnapshot<Map<String, Long>> core;
    private final CachedSnapshot<Map<MemberState, Long>> members;
    private final StateChangeCounter changes = new StateChangeCounter();
    /** Meters registered by {@link #bindTo}, with their registry; guarded by itself. */
    private final List<Map.Entry<MeterRegistry, Meter>> bound = new ArrayList<>();

    /**
     * Binds {@code manager}'s counters, refreshing core snapshots at most once per second.
     *
     * @throws IllegalStateException if the manager is closed (registering the state-change listener fails)
     */
    public NodeMetrics(GroupManager manager) {
        this(manager, Duration.ofMillis(DEFAULT_CORE_STATS_TTL_MS), System::nanoTime);
    }

    /**
     * @param coreStatsTtl how old a core snapshot may grow before a read refreshes it, {@code >= 0}
     * @param nanoTime     the monotonic clock the TTL is measured on
     */
    NodeMetrics(GroupManager manager, Duration coreStatsTtl, LongSupplier nanoTime) {
        if (coreStatsTtl.isNegative()) {
            throw new IllegalArgumentException("coreStatsTtl: " + coreStatsTtl + " is negative");
        }
        this.manager = manager;
        String id = manager.myId().toString();
        this.core = new CachedSnapshot<>(id + " core counters", manager::coreStats, Map.of(), coreStatsTtl.toNanos(),
                nanoTime);
        this.members = new CachedSnapshot<>(id + " member states", () -> countByState(manager), Map.of(),
                coreStatsTtl.toNanos(), nanoTime);
        manager.addListener(changes);
    }

    /**
     * @return distinct members of every group {@code manager} holds, counted by state (a member in several groups
     *         once; the detector's state is per member, not per group)
     */
    static Map<MemberState, Long> countByState(GroupManager manager) {
        Map<NetId, MemberState> all = new HashMap<>();
        for (String g : manager.groups()) {
            all.putAll(manager.memberStates(g));
        }
        Map<MemberState, Long> out = new EnumMap<>(MemberState.class);
        all.values().forEach(s -> out.merge(s, 1L, Long::sum));
        return out;
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
            CachedSnapshot<Map<String, Long>> c = core;
            keep(registry, FunctionCounter.builder("scalesmall.core." + key, manager, m -> c.get().getOrDefault(key, 0L))
                    .description("Protocol core counter '" + key + "' (snapshot at most "
                            + c.ttlNanos / 1_000_000 + " ms old)")
                    .register(registry));
        }
        for (MemberState state : MemberState.values()) {
            String tag = state.name().toLowerCase(Locale.ROOT);
            CachedSnapshot<Map<MemberState, Long>> m = members;
            keep(registry, Gauge.builder("scalesmall.members", m, s -> s.get().getOrDefault(state, 0L))
                    .tag("state", tag)
                    .description("Distinct members of the groups this node holds, by failure-detector state "
                            + "(snapshot at most " + m.ttlNanos / 1_000_000 + " ms old)")
                    .strongReference(true)
                    .register(registry));
            keep(registry, FunctionCounter.builder("scalesmall.member.state.changes", changes, c -> c.count(state))
                    .tag("to", tag)
                    .description("Members this node came to hold in this state (learned or decided)")
                    .register(registry));
        }
        connections(registry);
    }

    private void connections(MeterRegistry registry) {
        keep(registry, Gauge.builder("scalesmall.tcp.connections.open", manager.streams(),
                        StreamTransport::openConnections)
                .description("Open TCP connections, inbound and outbound")
                .strongReference(true)
                .register(registry));
        if (!(manager.streams() instanceof NettyStreamTransport t)) {
            return;
        }
        keep(registry, Gauge.builder("scalesmall.tcp.connections.inbound", t, NettyStreamTransport::inboundConnections)
                .description("Open TCP connections accepted from peers")
                .strongReference(true)
                .register(registry));
        keep(registry, Gauge.builder("scalesmall.tcp.connections.outbound", t,
                        NettyStreamTransport::outboundConnections)
                .description("Open or opening TCP connections to peers (bounded by maxOutboundConnections)")
                .strongReference(true)
                .register(registry));
        keep(registry, FunctionCounter.builder("scalesmall.tcp.connections.evicted", t, NettyStreamTransport::evictions)
                .description("Outbound connections closed to stay within maxOutboundConnections (least recently used)")
                .register(registry));
        keep(registry, FunctionCounter.builder("scalesmall.tcp.idle.closes", t, NettyStreamTransport::idleCloses)
                .description("TCP connections closed after the idle timeout")
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

    /** @return how many times the core counters were fetched (for tests) */
    long coreFetches() {
        return core.fetches();
    }

    /** @return how many times the member states were fetched (for tests) */
    long memberFetches() {
        return members.fetches();
    }
}
