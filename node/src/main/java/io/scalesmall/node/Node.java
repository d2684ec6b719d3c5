package io.scalesmall.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.node.admin.AdminServer;
import io.scalesmall.log.MessageLog;
import io.scalesmall.node.admin.NodeMetrics;
import io.scalesmall.node.admin.LogMetrics;
import io.scalesmall.node.admin.StreamMetrics;
import io.scalesmall.node.netty.NettyConfig;
import io.scalesmall.node.netty.NettyPacketTransport;
import io.scalesmall.node.netty.NettyStreamTransport;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scalesmall node: transports, the {@link GroupManager}, metrics and the admin endpoint, wired from
 * a {@link NodeConfig}. With placement on (the default), a {@link PlacementDriver} per group joined at start
 * claims the node's share of that group's key space, and the data group's {@link TopologyChainResolver} gives the
 * stream server its chains (groups joined later through the admin endpoint get no driver). {@link #close()} stops
 * placement and leaves every group first, so peers learn of the departure at once. Thread-safe.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** The key used without {@code --key-file}: public, so it authenticates frames but protects nothing. */
    static final byte[] PUBLIC_DEFAULT_KEY = new byte[32];

    private final GroupManager groups;
    private final NodeMetrics metrics;
    private final AdminServer admin;
    /** The message log and the stream protocol server over it (issue 5). */
    private final TrackedLog log;
    private final StreamServer data;
    /** Placement (issue 6): one driver per group joined at start, by group; empty when placement is off. */
    private final Map<String, PlacementDriver> drivers;
    /** The data group's chains, or null when the node serves every stream alone. */
    private final TopologyChainResolver resolver;
    /** Restores R copies of held streams when their chains change; null when the node serves alone. */
    private final ReReplicator reReplicator;

    private Node(GroupManager groups, NodeMetrics metrics, AdminServer admin, TrackedLog log, StreamServer data,
            Map<String, PlacementDriver> drivers, TopologyChainResolver resolver, ReReplicator reReplicator) {
        this.reReplicator = reReplicator;
        this.groups = groups;
        this.metrics = metrics;
        this.admin = admin;
        this.log = log;
        this.data = data;
        this.drivers = drivers;
        this.resolver = resolver;
    }

    /**
     * Starts a node and joins the configured groups.
     *
     * @throws IOException              if a port is taken, the data dir or key file cannot be used (the
     *                                  message names which)
     * @throws IllegalArgumentException if the key file is malformed
     */
    public static Node start(NodeConfig c, String version) throws IOException {
        Keyring keys;
        if (c.keyFile() == null) {
            LOG.warn("{} has no --key-file: frames are sealed with the public default key, so anyone on the network "
                    + "can read and join this cluster; create one with 'scalesmall keygen'", c.id());
            keys = Keyring.of(PUBLIC_DEFAULT_KEY);
        } else {
            String text;
            try {
                text = Files.readString(c.keyFile(), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IOException("key-file " + c.keyFile() + ": cannot read (" + e.getMessage() + ")", e);
            }
            keys = Keyring.parse(text);
        }
        long incarnation;
        try {
            incarnation = IncarnationStore.next(c.dataDir(), System.currentTimeMillis());
        } catch (IOException e) {
            throw new IOException("data-dir " + c.dataDir() + ": " + e.getMessage(), e);
        }
        NettyConfig net = NettyConfig.lan(c.bind(), c.port()).withMulticastGroup(c.multicast())
                .withMulticastTtl(c.multicastTtl());
        Wire wire = new Wire(FrameConfig.of(c.label(), keys));
        NettyPacketTransport packets = new NettyPacketTransport(net);
        NettyStreamTransport streams = new NettyStreamTransport(net);
        GroupManager groups = new GroupManager(c.id(), incarnation, ChatterConfig.lan(), wire, packets, streams, 50);
        NodeMetrics metrics = null;
        AdminServer admin = null;
        TrackedLog log = null;
        StreamServer data = null;
        Map<String, PlacementDriver> drivers = new LinkedHashMap<>();
        PlacementConfig pc = c.placement();
        String dataGroup = pc.enabled() ? c.dataGroup() : null;
        TopologyChainResolver resolver = dataGroup == null ? null
                : new TopologyChainResolver(c.id(), dataGroup, pc.replicas());
        ReReplicator reReplicator = null;
        try {
            log = new TrackedLog(DataPath.openLog(c));
            data = DataPath.serve(c, log, resolver == null ? ChainResolver.single() : resolver);
            groups.start();
            if (pc.enabled()) {
                for (String g : c.groups()) {
                    drivers.put(g, new PlacementDriver(groups, g, data.address().getPort(), pc, log,
                            c.data().logDir(), c.data().maxDiskBytes(), g.equals(dataGroup) ? resolver : null));
                }
            }
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = new NodeMetrics(groups);
            metrics.bindTo(registry);
            new StreamMetrics(data).bindTo(registry);
            new LogMetrics(log.file()).bindTo(registry);
            new PlacementMetrics(drivers.values()).bindTo(registry);
            if (c.http() != null) {
                Map<String, PlacementDriver> byGroup = Map.copyOf(drivers);
                admin = new AdminServer(groups, registry, version, Instant.now(), c.http(), g -> {
                    PlacementDriver d = byGroup.get(g);
                    return d == null ? null : RingJson.of(g, d.snapshot());
                });
                admin.start();
            }
            for (String g : c.groups()) {
                PlacementDriver d = drivers.get(g);
                groups.join(g, c.seeds(), d != null ? d.initialWeight() : Math.max(0, pc.weight()));
            }
            drivers.values().forEach(PlacementDriver::start);
            if (resolver != null) {
                reReplicator = new ReReplicator(log, data::ensureReplicated, resolver,
                        String.valueOf(c.id().port()));
                reReplicator.start(pc.tick());
            }
        } catch (IOException | RuntimeException e) {
            if (reReplicator != null) {
                reReplicator.close();
            }
            drivers.values().forEach(PlacementDriver::close);
            if (admin != null) {
                admin.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            groups.close();
            DataPath.close(data, log);
            throw e;
        }
        LOG.info("{} up: incarnation {}, multicast {}, admin {}, data port {}, groups {}, data group {}", c.id(),
                incarnation, c.multicast() == null ? "off" : c.multicast(),
                c.http() == null ? "off" : admin.address(), data.address().getPort(), c.groups(),
                dataGroup == null ? "none (serves alone)" : dataGroup);
        return new Node(groups, metrics, admin, log, data, Map.copyOf(drivers), resolver, reReplicator);
    }

    /** @return the node's group membership API */
    public GroupManager groups() {
        return groups;
    }

    /** @return the admin endpoint, or null when off */
    public AdminServer admin() {
        return admin;
    }

    /** @return the stream protocol server (its address and counters) */
    public StreamServer data() {
        return data;
    }

    /** @return the placement driver of {@code group}, or null if the node does not place data there */
    public PlacementDriver placement(String group) {
        return drivers.get(group);
    }

    /** @return the data group's chain resolver, or null when the node serves every stream alone */
    public TopologyChainResolver chains() {
        return resolver;
    }

    /** @return the node's message log (tests and tools read it; the node owns it) */
    public MessageLog log() {
        return log;
    }

    /** @return bytes of the log's segment files: what {@code log-max-disk} limits */
    public long logDiskBytes() {
        return log.file().diskBytes();
    }

    /**
     * Stops as a crash would, for tests of failure detection: the transports close first, so no leave reaches the
     * peers (they must detect the death), then placement, the data path and the core stop. Package-private.
     */
    void halt() {
        if (reReplicator != null) {
            reReplicator.close();
        }
        drivers.values().forEach(PlacementDriver::close);
        groups.streams().close();
        groups.packets().close();
        DataPath.close(data, log);
        groups.close();
        if (admin != null) {
            admin.close();
        }
        metrics.close();
    }

    /**
     * Leaves every group, then stops the admin endpoint and the transports, then the data path (its last appends
     * flushed to disk, the log closed). Idempotent.
     */
    @Override
    public void close() {
        if (reReplicator != null) {
            reReplicator.close();
        }
        drivers.values().forEach(PlacementDriver::close);
        groups.close();
        if (admin != null) {
            admin.close();
        }
        metrics.close();
        DataPath.close(data, log);
    }
}
