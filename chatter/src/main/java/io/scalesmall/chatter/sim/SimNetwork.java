package io.scalesmall.chatter.sim;

import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupNode;
import io.scalesmall.chatter.Outbox;
import io.scalesmall.chatter.Via;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.Messages;
import io.scalesmall.wire.WireMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * Runs many {@link GroupNode}s, the real protocol code, in one thread on a simulated network with a manual
 * clock: no sockets, no sleeping, fully reproducible from a seed. Nodes in the same multicast domain hear
 * each other's multicasts (a domain models a LAN segment); every node can reach every node by stream.
 *
 * <p>Not thread-safe: one thread runs a simulation.
 */
public final class SimNetwork {
    /** Frame overhead counted on every message: header, nonce and tag (docs/wire-format.md). */
    public static final int FRAME_OVERHEAD_BYTES = 13 + 12 + 16;

    private final Random random;
    private final long tickNanos;
    private LinkModel links;
    private final Map<NetId, SimNode> nodes = new LinkedHashMap<>();
    private final Map<String, List<SimNode>> domains = new HashMap<>();
    private final PriorityQueue<Delivery> queue = new PriorityQueue<>();
    private long now;
    private long seq;
    private long nextTick;
    private long messagesSent;
    private long bytesSent;
    private boolean countBytes = true;
    private long connectionIdleNanos = 60_000_000_000L;

    private record Delivery(long at, long seq, SimNode to, Via via, WireMessage message) implements Comparable<Delivery> {
        @Override
        public int compareTo(Delivery o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** One simulated host. */
    public final class SimNode implements Outbox {
        private final NetId id;
        private final String domain;
        private GroupNode core;
        private boolean up = true;
        private boolean paused;
        private final List<Delivery> backlog = new ArrayList<>();
        private long sent;
        private long bytes;
        /** Peers with stream (TCP) traffic either way, and when it was last seen: the node's open connections. */
        private final Map<NetId, Long> connections = new HashMap<>();

        private SimNode(NetId id, String domain) {
            this.id = id;
            this.domain = domain;
        }

        /** @return the protocol core running on this host */
        public GroupNode core() {
            return core;
        }

        /** @return this host's id */
        public NetId id() {
            return id;
        }

        /** @return messages this host sent */
        public long messagesSent() {
            return sent;
        }

        /** @return bytes this host sent, frame overhead included */
        public long bytesSent() {
            return bytes;
        }

        /**
         * @return how many TCP connections this host would hold open now: peers it exchanged stream messages with
         *         (either way) within the network's connection idle timeout
         */
        public int openConnections() {
            connections.values().removeIf(t -> now - t > connectionIdleNanos);
            return connections.size();
        }

        /** @return false while crashed */
        public boolean isUp() {
            return up;
        }

        @Override
        public void multicast(WireMessage message) {
            if (domain == null) {
                return;
            }
            count(message);
            for (SimNode n : domains.get(domain)) {
                if (n != this) {
                    deliver(this, n, Via.MULTICAST, message);
                }
            }
        }

        @Override
        public void send(NetId to, WireMessage message) {
            count(message);
            SimNode n = nodes.get(to);
            if (n != null) {
                connections.put(to, now);
                n.connections.put(id, now);
                deliver(this, n, Via.STREAM, message);
            }
        }

        @Override
        public void sendPacket(NetId to, WireMessage message) {
            count(message);
            SimNode n = nodes.get(to);
            if (n != null) {
                deliver(this, n, Via.PACKET, message);
            }
        }

        private void count(WireMessage message) {
            sent++;
            messagesSent++;
            if (countBytes) {
                int size = Messages.toBytes(message).length + FRAME_OVERHEAD_BYTES;
                bytes += size;
                bytesSent += size;
            }
        }
    }

    /**
     * @param seed      seeds every random choice: the network's and (through {@link #addNode}) the nodes'
     * @param links     the link model, faults included
     * @param tickNanos how often every node's {@link GroupNode#tick} runs, ns of simulated time
     */
    public SimNetwork(long seed, LinkModel links, long tickNanos) {
        this.random = new Random(seed);
        this.links = links;
        this.tickNanos = tickNanos;
    }

    /** Replaces the link model (e.g. to start or heal a partition). */
    public void setLinks(LinkModel links) {
        this.links = links;
    }

    /**
     * Sets how long a simulated TCP connection stays open without traffic (the transport's idle timeout; default
     * 60 s), for {@link SimNode#openConnections()}.
     */
    public void connectionIdle(long nanos) {
        this.connectionIdleNanos = nanos;
    }

    /** Forgets every host's connection history, so {@link SimNode#openConnections()} counts from now on. */
    public void resetConnections() {
        for (SimNode n : nodes.values()) {
            n.connections.clear();
        }
    }

    /** Removes a host for good (a member that left and will never return), freeing its state. */
    public void remove(NetId id) {
        SimNode n = nodes.remove(id);
        if (n != null && n.domain != null) {
            domains.get(n.domain).remove(n);
        }
    }

    /** Turns byte counting off (it encodes every message with protobuf, which large simulations may skip). */
    public void countBytes(boolean on) {
        this.countBytes = on;
    }

    /**
     * Adds a host running a fresh {@link GroupNode}.
     *
     * @param domain its multicast domain, or null where multicast is off
     */
    public SimNode addNode(NetId id, String domain, ChatterConfig config) {
        if (nodes.containsKey(id)) {
            throw new IllegalArgumentException("node: " + id + " exists");
        }
        SimNode n = new SimNode(id, domain);
        n.core = new GroupNode(id, 1_000 + now / 1_000_000, config, n, this::wallMillis, new Random(random.nextLong()));
        nodes.put(id, n);
        if (domain != null) {
            domains.computeIfAbsent(domain, d -> new ArrayList<>()).add(n);
        }
        return n;
    }

    /** Crashes a host: it stops receiving and ticking, and loses every message in flight to it. */
    public void crash(NetId id) {
        SimNode n = nodes.get(id);
        n.up = false;
        n.paused = false;
        n.backlog.clear();
    }

    /**
     * Pauses a host (a stop-the-world GC, a suspended VM): it neither handles messages nor ticks; what arrives
     * meanwhile waits, as in the kernel's socket buffers, and {@link #resume} hands it over, in arrival order.
     */
    public void pause(NetId id) {
        nodes.get(id).paused = true;
    }

    /** Resumes a paused host with the state it had; it handles its backlog first. */
    public void resume(NetId id) {
        SimNode n = nodes.get(id);
        n.paused = false;
        for (Delivery d : n.backlog) {
            queue.add(new Delivery(now, seq++, n, d.via, d.message));
        }
        n.backlog.clear();
    }

    /** Restarts a crashed host with no state and a new, higher incarnation. */
    public void restart(NetId id, ChatterConfig config) {
        SimNode n = nodes.get(id);
        n.up = true;
        n.core = new GroupNode(id, 1_000 + now / 1_000_000 + 1, config, n, this::wallMillis, new Random(random.nextLong()));
    }

    private void deliver(SimNode from, SimNode to, Via via, WireMessage message) {
        for (long d : links.deliveries(from.id, to.id, via, random)) {
            queue.add(new Delivery(now + d, seq++, to, via, message));
        }
    }

    /** @return simulated time, ns since the simulation started */
    public long nowNanos() {
        return now;
    }

    /** @return simulated wall time, ms: a fixed epoch plus simulated time */
    public long wallMillis() {
        return 1_700_000_000_000L + now / 1_000_000;
    }

    /** Runs until {@code untilNanos} of simulated time. */
    public void runUntil(long untilNanos) {
        runUntil(untilNanos, () -> false);
    }

    /**
     * Runs until {@code untilNanos}, or until {@code done} turns true (checked after every event).
     *
     * @return true if {@code done} turned true
     */
    public boolean runUntil(long untilNanos, BooleanSupplier done) {
        while (true) {
            if (done.getAsBoolean()) {
                return true;
            }
            Delivery d = queue.peek();
            long nextEvent = d == null ? Long.MAX_VALUE : d.at;
            long next = Math.min(nextEvent, nextTick);
            if (next > untilNanos) {
                now = untilNanos;
                return done.getAsBoolean();
            }
            now = next;
            if (nextTick <= nextEvent) {
                nextTick = now + tickNanos;
                for (SimNode n : nodes.values()) {
                    if (n.up && !n.paused) {
                        n.core.tick(now);
                    }
                }
            } else {
                queue.poll();
                if (d.to.up && d.to.paused) {
                    d.to.backlog.add(d);
                } else if (d.to.up) {
                    d.to.core.onMessage(now, d.via, d.message);
                }
            }
        }
    }

    /** @return every host, in the order added */
    public Collection<SimNode> nodes() {
        return nodes.values();
    }

    /** @return the host with that id */
    public SimNode node(NetId id) {
        return nodes.get(id);
    }

    /** @return messages sent by all hosts */
    public long messagesSent() {
        return messagesSent;
    }

    /** @return bytes sent by all hosts */
    public long bytesSent() {
        return bytesSent;
    }
}
