package io.scalesmall.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.node.admin.AdminServer;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.node.admin.NodeMetrics;
import io.scalesmall.node.admin.StreamMetrics;
import io.scalesmall.node.netty.NettyConfig;
import io.scalesmall.node.netty.NettyPacketTransport;
import io.scalesmall.node.netty.NettyStreamTransport;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import io.scalesmall.wire.FrameConfig;
import io.scalesmall.wire.Keyring;
import io.scalesmall.wire.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running scalesmall node: transports, the {@link GroupManager}, metrics and the admin endpoint, wired from
 * a {@link NodeConfig}. {@link #close()} leaves every group first, so peers learn of the departure at once.
 * Thread-safe.
 */
public final class Node implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Node.class);
    /** The key used without {@code --key-file}: public, so it authenticates frames but protects nothing. */
    static final byte[] PUBLIC_DEFAULT_KEY = new byte[32];

    private final GroupManager groups;
    private final NodeMetrics metrics;
    private final AdminServer admin;
    /** The message log and the stream protocol server over it (issue 5). */
    private final FileMessageLog log;
    private final StreamServer data;

    private Node(GroupManager groups, NodeMetrics metrics, AdminServer admin, FileMessageLog log, StreamServer data) {
        this.groups = groups;
        this.metrics = metrics;
        this.admin = admin;
        this.log = log;
        this.data = data;
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
        FileMessageLog log = null;
        StreamServer data = null;
        try {
            log = DataPath.openLog(c);
            data = DataPath.serve(c, log);
            groups.start();
            PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics = new NodeMetrics(groups);
            metrics.bindTo(registry);
            new StreamMetrics(data).bindTo(registry);
            if (c.http() != null) {
                admin = new AdminServer(groups, registry, version, Instant.now(), c.http());
                admin.start();
            }
            for (String g : c.groups()) {
                groups.join(g, c.seeds());
            }
        } catch (IOException | RuntimeException e) {
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
        LOG.info("{} up: incarnation {}, multicast {}, admin {}, data port {}, groups {}", c.id(), incarnation,
                c.multicast() == null ? "off" : c.multicast(), c.http() == null ? "off" : admin.address(),
                data.address().getPort(), c.groups());
        return new Node(groups, metrics, admin, log, data);
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

    /**
     * Leaves every group, then stops the admin endpoint and the transports, then the data path (its last appends
     * flushed to disk, the log closed). Idempotent.
     */
    @Override
    public void close() {
        groups.close();
        if (admin != null) {
            admin.close();
        }
        metrics.close();
        DataPath.close(data, log);
    }
}
