package io.scalesmall.node.admin;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.transport.PacketTransport;
import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.chatter.transport.TransportStats;
import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.SwimPacket;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real {@link GroupManager} over in-memory transports that only record what is sent (no sockets), with an
 * {@link AdminServer} on 127.0.0.1:0 and {@link NodeMetrics} bound to its registry. Shared with other modules
 * through this module's test jar.
 */
public final class InProcessNode implements AutoCloseable {
    static final Instant STARTED = Instant.ofEpochMilli(1_700_000_000_000L);
    static final Clock CLOCK = Clock.fixed(STARTED.plusMillis(4_321), ZoneOffset.UTC);

    public final RecordingPackets packets = new RecordingPackets();
    public final RecordingStreams streams = new RecordingStreams();
    public final NetId id;
    /** The codec the node decodes with (label "test", the all-zero key): tests encode what they deliver with it. */
    public final Wire wire = new Wire(FrameConfig.of("test", Keyring.of(new byte[32])));
    public final GroupManager manager;
    public final PrometheusMeterRegistry registry;
    public final NodeMetrics metrics;
    public final AdminServer admin;
    private final AtomicLong broadcasts = new AtomicLong();

    public InProcessNode(int idPort) {
        this(idPort, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
    }

    public InProcessNode(int idPort, PrometheusMeterRegistry registry) {
        id = NetId.parse("127.0.0.1:" + idPort);
        manager = new GroupManager(id, 1L, ChatterConfig.local(), wire, packets, streams, 20);
        this.registry = registry;
        metrics = new NodeMetrics(manager);
        metrics.bindTo(registry);
        admin = new AdminServer(manager, registry, "1.2.3-test", STARTED, new InetSocketAddress("127.0.0.1", 0), CLOCK);
        try {
            manager.start();
            admin.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return http://127.0.0.1:PORT of the admin endpoint */
    public String baseUrl() {
        return "http://127.0.0.1:" + admin.address().getPort();
    }

    /**
     * Delivers, as if by UDP, {@code peer}'s join of {@code group} in its life {@code incarnation} (a gossip
     * carrying its GET item): the node learns of the member and its failure detector starts probing it (the
     * probes go nowhere, so left alone it is suspected after about a protocol period, 1 s with the LOCAL
     * config). Processed on the core thread after this returns, before any later manager call.
     */
    public void deliverJoin(String group, NetId peer, long incarnation) {
        GroupState delta = new LocalMember(peer, incarnation, () -> STARTED.toEpochMilli())
                .join(GroupState.empty(group)).delta();
        packets.deliver(wire.encode(new Gossip(new BroadcastId(peer, broadcasts.incrementAndGet()), List.of(),
                List.of(), new GroupDeltaMessage(delta))));
    }

    /** Delivers, as if by UDP, a failure-detector packet from {@code from} (e.g. a {@code Dead} about a member). */
    public void deliverSwim(NetId from, SwimMessage... messages) {
        packets.deliver(wire.encode(new SwimPacket(from, List.of(messages))));
    }

    @Override
    public void close() {
        admin.close();
        metrics.close();
        manager.close();
    }

    /** Packets that go nowhere: sends are counted; {@link #deliver} feeds the receive handler. */
    public static final class RecordingPackets implements PacketTransport {
        public final TransportStats stats = new TransportStats();
        private volatile Handler handler;

        @Override
        public void start(Handler h) {
            handler = h;
        }

        @Override
        public void send(InetSocketAddress to, byte[] data) {
            stats.messagesOut.increment();
            stats.bytesOut.add(data.length);
        }

        @Override
        public void multicast(byte[] data) {
        }

        /** Hands {@code data} to the manager as if it had arrived by UDP unicast. */
        public void deliver(byte[] data) {
            stats.messagesIn.increment();
            stats.bytesIn.add(data.length);
            handler.onPacket(new InetSocketAddress("127.0.0.1", 9), data, false);
        }

        @Override
        public TransportStats stats() {
            return stats;
        }

        @Override
        public boolean multicastEnabled() {
            return false;
        }

        @Override
        public void close() {
        }
    }

    /** A stream transport that records every frame sent and reaches nobody. */
    public static final class RecordingStreams implements StreamTransport {
        public final TransportStats stats = new TransportStats();
        public final List<Map.Entry<NetId, byte[]>> sent = new CopyOnWriteArrayList<>();

        @Override
        public void start(Handler h) {
        }

        @Override
        public void send(NetId to, byte[] frame) {
            sent.add(Map.entry(to, frame));
            stats.messagesOut.increment();
            stats.bytesOut.add(frame.length);
        }

        @Override
        public TransportStats stats() {
            return stats;
        }

        @Override
        public int openConnections() {
            return 0;
        }

        @Override
        public void close() {
        }
    }
}
