package io.scalesmall.node.netty;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.time.Duration;

/**
 * Settings of the Netty transports ({@link NettyPacketTransport}, {@link NettyStreamTransport}). Immutable;
 * validated on construction, so a config that exists is a usable one. Start from a preset ({@link #lan},
 * {@link #wan}, {@link #local}) and change fields with the {@code with...} methods.
 *
 * @param bindAddress            the local address both transports bind: TCP listener, UDP unicast socket. The
 *                               wildcard address ({@code 0.0.0.0}) listens on every interface.
 * @param port                   the node's TCP port (its {@code NetId} port), also its UDP unicast port,
 *                               1..65535.
 * @param multicastGroup         the UDP multicast group and port, or {@code null} for no multicast. Default
 *                               {@value #DEFAULT_MULTICAST_GROUP_ADDRESS}:{@value #DEFAULT_MULTICAST_PORT}, the
 *                               original scalesmall's group.
 * @param multicastTtl           hops a multicast datagram may take, 0..255; 0 keeps it on this host. Default
 *                               {@value #DEFAULT_MULTICAST_TTL}: enough for a campus LAN of a few routed
 *                               segments, too few to leak far if a router forwards multicast by mistake.
 * @param multicastInterface     the interface multicast is sent and received on, or {@code null} to pick: the
 *                               interface owning {@code bindAddress}, or, if that is the wildcard, the first
 *                               (lowest index) up, non-loopback, multicast-capable one.
 * @param multicastLoopback      whether this host's own sockets hear what it multicasts. Default false, so a
 *                               node does not hear itself; several nodes sharing one network namespace (one
 *                               machine, tests) need true to hear each other.
 * @param connectTimeout         how long a TCP connect may take before the peer counts as unreachable and its
 *                               queued frames are dropped. Default 2 s: a LAN answers in well under 1 ms, a
 *                               WAN in under 300 ms, and 2 s survives one lost SYN (retransmitted after 1 s)
 *                               while a dead peer's queue is still given up soon, for anti-entropy to repair.
 * @param idleTimeout            a TCP connection with no traffic in either direction for this long is closed,
 *                               and an outbound one's entry in the per-peer table is dropped with it. Default
 *                               60 s: a node's anti-entropy picks a random member every 200 ms (LAN), so in a
 *                               cluster of up to about 300 members a connection is reused before it idles out,
 *                               while those to departed or crashed nodes are reclaimed within a minute.
 * @param closeFlushTimeout      how long {@code close()} waits for queued frames (a final leave broadcast) to
 *                               be written. Default 1 s; zero does not wait.
 * @param maxFrameBytes          largest TCP frame accepted or sent, header included, at least
 *                               {@value #MIN_FRAME_BYTES}. Default 16 MiB, the codec's default maximum
 *                               (docs/wire-format.md §3): nothing larger is ever buffered for a peer.
 * @param maxQueuedFramesPerPeer frames queued for one peer while connecting or while its connection is not
 *                               writable; beyond it frames are dropped and counted. Default 1,024: a full
 *                               second of gossip to one peer at a busy node's rate, yet a bounded memory cost.
 * @param maxDatagramBytes       largest UDP datagram sent or accepted, 1..{@value #MAX_UDP_PAYLOAD}. Default
 *                               {@value #MAX_UDP_PAYLOAD}: the largest UDP payload over IPv4 (65,535 minus 20
 *                               bytes of IP and 8 of UDP header).
 * @param maxOutboundConnections at most this many outbound TCP connections (open or opening) at once,
 *                               1..65535; opening one more first closes the least recently used one (preferring
 *                               one with nothing queued). Default {@value #DEFAULT_MAX_OUTBOUND_CONNECTIONS}:
 *                               a broadcast's first hop sends to floor(log2 N) + 1 peers (14 at N = 10,000),
 *                               and anti-entropy and the re-dial add one peer per round, so 32 holds two
 *                               broadcasts' worth of tree edges even at N = 10,000, keeps every connection of
 *                               a cluster of up to 33 nodes (a full mesh, no churn), and caps a node's sockets
 *                               at 32 out (and, as peers pick at random, about 32 in on average) whatever N.
 *                               A bound below the set of peers used within a few seconds makes connections
 *                               churn; {@code scalesmall_tcp_connections_evicted_total} shows it. The bound can
 *                               be exceeded briefly by connects racing on different event loops
 *                               ({@code ioThreads > 1}) or while every other connection is itself still opening.
 * @param ioThreads              event-loop threads of the stream transport, 1..16 (the packet transport's two
 *                               sockets always share one). Default 1: the loops only copy bytes and hand them
 *                               to the protocol core's thread; one thread moves far more frames than gossip
 *                               produces.
 */
public record NettyConfig(InetAddress bindAddress, int port, InetSocketAddress multicastGroup, int multicastTtl,
        NetworkInterface multicastInterface, boolean multicastLoopback, Duration connectTimeout, Duration idleTimeout,
        Duration closeFlushTimeout, int maxFrameBytes, int maxQueuedFramesPerPeer, int maxDatagramBytes,
        int maxOutboundConnections, int ioThreads) {

    /** Default multicast group address. */
    public static final String DEFAULT_MULTICAST_GROUP_ADDRESS = "224.1.1.1";
    /** Default multicast port. */
    public static final int DEFAULT_MULTICAST_PORT = 29_999;
    /** Default multicast TTL. */
    public static final int DEFAULT_MULTICAST_TTL = 4;
    /** Default connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** Default idle timeout. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** Default close flush timeout. */
    public static final Duration DEFAULT_CLOSE_FLUSH_TIMEOUT = Duration.ofSeconds(1);
    /** Default and largest sensible frame size: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** Smallest allowed {@code maxFrameBytes}: above the 41 bytes of an empty frame (header, nonce, tag). */
    public static final int MIN_FRAME_BYTES = 64;
    /** Default per-peer queue bound. */
    public static final int DEFAULT_MAX_QUEUED_FRAMES_PER_PEER = 1_024;
    /** Default bound on outbound TCP connections. */
    public static final int DEFAULT_MAX_OUTBOUND_CONNECTIONS = 32;
    /** The largest UDP payload over IPv4, and the default {@code maxDatagramBytes}. */
    public static final int MAX_UDP_PAYLOAD = 65_507;
    /** Longest connect timeout accepted. */
    static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(5);
    /** Longest close flush timeout accepted. */
    static final Duration MAX_CLOSE_FLUSH_TIMEOUT = Duration.ofMinutes(1);

    /** @throws IllegalArgumentException naming the field and its value if one is invalid */
    public NettyConfig {
        if (bindAddress == null) {
            throw new IllegalArgumentException("bindAddress: null");
        }
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port: " + port + " is not in 1..65535");
        }
        if (multicastGroup != null) {
            if (multicastGroup.isUnresolved() || !multicastGroup.getAddress().isMulticastAddress()) {
                throw new IllegalArgumentException("multicastGroup: " + multicastGroup + " is not a multicast address");
            }
            if (multicastGroup.getPort() == 0) {
                throw new IllegalArgumentException("multicastGroup: " + multicastGroup + " has port 0");
            }
        }
        range("multicastTtl", multicastTtl, 0, 255);
        between("connectTimeout", connectTimeout, Duration.ofMillis(1), MAX_CONNECT_TIMEOUT);
        between("idleTimeout", idleTimeout, Duration.ofMillis(1), Duration.ofDays(1));
        between("closeFlushTimeout", closeFlushTimeout, Duration.ZERO, MAX_CLOSE_FLUSH_TIMEOUT);
        range("maxFrameBytes", maxFrameBytes, MIN_FRAME_BYTES, Integer.MAX_VALUE - 8);
        range("maxQueuedFramesPerPeer", maxQueuedFramesPerPeer, 1, 1 << 20);
        range("maxDatagramBytes", maxDatagramBytes, 1, MAX_UDP_PAYLOAD);
        range("maxOutboundConnections", maxOutboundConnections, 1, 65_535);
        range("ioThreads", ioThreads, 1, 16);
    }

    private static void range(String name, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": " + value + " is not in " + min + ".." + max);
        }
    }

    private static void between(String name, Duration d, Duration min, Duration max) {
        if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(name + ": " + d + " is not in " + min + ".." + max);
        }
    }

    /** A LAN: every default, multicast on the default group. */
    public static NettyConfig lan(InetAddress bindAddress, int port) {
        return new NettyConfig(bindAddress, port,
                new InetSocketAddress(literal(DEFAULT_MULTICAST_GROUP_ADDRESS), DEFAULT_MULTICAST_PORT),
                DEFAULT_MULTICAST_TTL, null, false, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_CLOSE_FLUSH_TIMEOUT, DEFAULT_MAX_FRAME_BYTES, DEFAULT_MAX_QUEUED_FRAMES_PER_PEER,
                MAX_UDP_PAYLOAD, DEFAULT_MAX_OUTBOUND_CONNECTIONS, 1);
    }

    /** Across data centres: no multicast (routers between sites do not carry it), a 5 s connect timeout. */
    public static NettyConfig wan(InetAddress bindAddress, int port) {
        return lan(bindAddress, port).withMulticastGroup(null).withConnectTimeout(Duration.ofSeconds(5));
    }

    /** One machine (tests, demos): bound to 127.0.0.1, no multicast, a 500 ms connect timeout. */
    public static NettyConfig local(int port) {
        return lan(literal("127.0.0.1"), port).withMulticastGroup(null).withConnectTimeout(Duration.ofMillis(500));
    }

    private static InetAddress literal(String ip) {
        try {
            return InetAddress.getByName(ip); // a literal: no lookup happens
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(ip, e);
        }
    }

    /** @return the TCP and UDP unicast address, {@code bindAddress:port} */
    public InetSocketAddress bindSocketAddress() {
        return new InetSocketAddress(bindAddress, port);
    }

    /** @return true if multicast is on */
    public boolean multicastEnabled() {
        return multicastGroup != null;
    }

    /** @return a copy with another bind address */
    public NettyConfig withBindAddress(InetAddress v) {
        return new NettyConfig(v, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another port */
    public NettyConfig withPort(int v) {
        return new NettyConfig(bindAddress, v, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another multicast group; {@code null} turns multicast off */
    public NettyConfig withMulticastGroup(InetSocketAddress v) {
        return new NettyConfig(bindAddress, port, v, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another multicast TTL */
    public NettyConfig withMulticastTtl(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, v, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another multicast interface; {@code null} picks one at start */
    public NettyConfig withMulticastInterface(NetworkInterface v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, v, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with multicast loopback on or off */
    public NettyConfig withMulticastLoopback(boolean v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, v,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another connect timeout */
    public NettyConfig withConnectTimeout(Duration v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                v, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another idle timeout */
    public NettyConfig withIdleTimeout(Duration v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, v, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another close flush timeout */
    public NettyConfig withCloseFlushTimeout(Duration v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, v, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another maximum frame size */
    public NettyConfig withMaxFrameBytes(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, v, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another per-peer queue bound */
    public NettyConfig withMaxQueuedFramesPerPeer(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, v, maxDatagramBytes, maxOutboundConnections,
                ioThreads);
    }

    /** @return a copy with another maximum datagram size */
    public NettyConfig withMaxDatagramBytes(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, v,
                maxOutboundConnections, ioThreads);
    }

    /** @return a copy with another bound on outbound connections */
    public NettyConfig withMaxOutboundConnections(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                v, ioThreads);
    }

    /** @return a copy with another number of event-loop threads */
    public NettyConfig withIoThreads(int v) {
        return new NettyConfig(bindAddress, port, multicastGroup, multicastTtl, multicastInterface, multicastLoopback,
                connectTimeout, idleTimeout, closeFlushTimeout, maxFrameBytes, maxQueuedFramesPerPeer, maxDatagramBytes,
                maxOutboundConnections, v);
    }
}
