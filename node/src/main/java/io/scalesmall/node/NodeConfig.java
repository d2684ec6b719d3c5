package io.scalesmall.node;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything a node needs to start. Immutable; built and validated by {@link NodeConfigLoader}, which
 * documents each key, its default and where it may come from.
 *
 * @param bind          the address this node listens on and is known by (its id's address)
 * @param port          the gossip port: TCP and UDP unicast, 1..65535 (default 29999)
 * @param multicast     the multicast group and port, or null when multicast is off (default 224.1.1.1:29999)
 * @param multicastTtl  multicast hops, 0..255 (default 4)
 * @param seeds         nodes contacted on join, where multicast does not reach (default none)
 * @param groups        groups joined at start (default none)
 * @param keyFile       the cluster key file, or null for the public default key (authenticates, does not protect)
 * @param label         the cluster label, authenticated with every frame (default "scalesmall")
 * @param dataDir       where the node keeps its state (default ./scalesmall-data)
 * @param http          the admin HTTP endpoint, or null for none (default 127.0.0.1:29980)
 * @param data          the data path: stream protocol port and message log (default {@link DataConfig#defaults})
 * @param placement     weight, replicas, slices and data group (default {@link PlacementConfig#defaults})
 */
public record NodeConfig(InetAddress bind, int port, InetSocketAddress multicast, int multicastTtl, List<NetId> seeds,
        List<String> groups, Path keyFile, String label, Path dataDir, InetSocketAddress http, DataConfig data,
        PlacementConfig placement) {

    /** A config with {@link PlacementConfig#defaults()}. */
    public NodeConfig(InetAddress bind, int port, InetSocketAddress multicast, int multicastTtl, List<NetId> seeds,
            List<String> groups, Path keyFile, String label, Path dataDir, InetSocketAddress http, DataConfig data) {
        this(bind, port, multicast, multicastTtl, seeds, groups, keyFile, label, dataDir, http, data,
                PlacementConfig.defaults());
    }

    /**
     * A config with the data path's defaults, except that it serves the stream protocol on any free port (so that
     * tests and embedders can run several nodes in one process); {@link NodeConfigLoader} gives 29998.
     */
    public NodeConfig(InetAddress bind, int port, InetSocketAddress multicast, int multicastTtl, List<NetId> seeds,
            List<String> groups, Path keyFile, String label, Path dataDir, InetSocketAddress http) {
        this(bind, port, multicast, multicastTtl, seeds, groups, keyFile, label, dataDir, http,
                dataDir == null ? null : DataConfig.defaults(dataDir).withPort(0));
    }

    /** @throws IllegalArgumentException naming the key and value when one is invalid */
    public NodeConfig {
        if (bind == null) {
            throw new IllegalArgumentException("bind: missing");
        }
        if (bind.isAnyLocalAddress()) {
            throw new IllegalArgumentException("bind: " + bind.getHostAddress()
                    + " is a wildcard; a node needs a concrete address peers can reach");
        }
        NetId.of(bind, port);
        if (multicast != null && !multicast.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("multicast: " + multicast.getAddress().getHostAddress() + " is not a multicast address");
        }
        if (multicastTtl < 0 || multicastTtl > 255) {
            throw new IllegalArgumentException("multicast-ttl: " + multicastTtl + " is not in 0..255");
        }
        seeds = List.copyOf(seeds);
        groups = List.copyOf(groups);
        for (String g : groups) {
            try {
                GroupState.checkGroupName(g);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("group: " + e.getMessage(), e);
            }
        }
        if (label == null || label.isEmpty()) {
            throw new IllegalArgumentException("label: empty");
        }
        if (dataDir == null) {
            throw new IllegalArgumentException("data-dir: missing");
        }
        if (data == null) {
            throw new IllegalArgumentException("data: missing");
        }
        if (data.port() != 0 && data.port() == port) {
            throw new IllegalArgumentException("data-port: " + port + " is the gossip port; choose another");
        }
        if (http != null && data.port() != 0 && data.port() == http.getPort()) {
            throw new IllegalArgumentException("data-port: " + data.port() + " is the admin HTTP port; choose another");
        }
        if (placement == null) {
            throw new IllegalArgumentException("placement: missing");
        }
        if (placement.dataGroup() != null && !groups.contains(placement.dataGroup())) {
            throw new IllegalArgumentException("data-group: " + placement.dataGroup() + " is not one of the groups "
                    + groups + " (set group too)");
        }
    }

    /** @return this config with other placement settings */
    public NodeConfig withPlacement(PlacementConfig p) {
        return new NodeConfig(bind, port, multicast, multicastTtl, seeds, groups, keyFile, label, dataDir, http, data, p);
    }

    /** @return this config with other data path settings */
    public NodeConfig withData(DataConfig d) {
        return new NodeConfig(bind, port, multicast, multicastTtl, seeds, groups, keyFile, label, dataDir, http, d,
                placement);
    }

    /**
     * @return the group whose ring chooses the chains of this node's streams: {@link PlacementConfig#dataGroup()},
     *         else the first of {@link #groups}, else null (the node serves every stream alone)
     */
    public String dataGroup() {
        return placement.dataGroup() != null ? placement.dataGroup() : groups.isEmpty() ? null : groups.get(0);
    }

    /** @return this node's id */
    public NetId id() {
        return NetId.of(bind, port);
    }
}
