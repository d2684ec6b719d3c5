package io.scalesmall.chatter;

import io.scalesmall.chatter.transport.PacketTransport;
import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.chatter.swim.SwimStats;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.Wire;
import io.scalesmall.wire.WireMessage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's membership in groups: the API of the original's {@code GroupManager} (reference §5), running the
 * protocol core ({@link GroupNode}) on one thread of its own over real transports.
 *
 * <p>Thread-safe. Every method may be called from any thread except a {@link TopologyEvent.Listener} (which
 * runs on the core thread: calling back would wait on itself; such calls fail fast). Writes return once this
 * node's own state holds them and their broadcast is queued; reads see every write made before them.
 */
public final class GroupManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupManager.class);
    /** How long an API call waits for the core thread before failing. */
    private static final long CALL_TIMEOUT_MS = 10_000;
    /** Largest frame sent by UDP; a bigger multicast is skipped (the TCP tree still carries it). */
    private static final int MAX_DATAGRAM_BYTES = 65_507;

    private final NetId self;
    private final Wire wire;
    private final PacketTransport packets;
    private final StreamTransport streams;
    private final ScheduledExecutorService core;
    private final GroupNode node;
    private final long tickMillis;
    private final Map<CodecException.Reason, LongAdder> decodeErrors = new EnumMap<>(CodecException.Reason.class);
    private volatile Thread coreThread;
    private volatile boolean closed;

    /**
     * @param self        this node's id: the address peers reach its stream transport on
     * @param incarnation this life's incarnation, e.g. {@code System.currentTimeMillis()} at start
     * @param tickMillis  how often timers run on the core thread, ms (10..1000)
     */
    public GroupManager(NetId self, long incarnation, ChatterConfig config, Wire wire, PacketTransport packets,
            StreamTransport streams, long tickMillis) {
        if (tickMillis < 10 || tickMillis > 1000) {
            throw new IllegalArgumentException("tickMillis: " + tickMillis + " is not in 10..1000");
        }
        this.self = self;
        this.wire = wire;
        this.packets = packets;
        this.streams = streams;
        this.tickMillis = tickMillis;
        for (CodecException.Reason r : CodecException.Reason.values()) {
            decodeErrors.put(r, new LongAdder());
        }
        this.core = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scalesmall-core-" + self.port());
            t.setDaemon(true);
            coreThread = t;
            return t;
        });
        this.node = new GroupNode(self, incarnation, config, new TransportOutbox(), System::currentTimeMillis,
                new Random());
    }

    /** Starts the transports and the core's timers. */
    public void start() throws IOException {
        streams.start((from, frame) -> receive(from, frame, Via.STREAM));
        packets.start((from, data, multicast) -> receive(from, data, multicast ? Via.MULTICAST : Via.PACKET));
        core.scheduleWithFixedDelay(() -> safely(() -> node.tick(System.nanoTime())), tickMillis, tickMillis,
                TimeUnit.MILLISECONDS);
        LOG.info("{} started (multicast {})", self, packets.multicastEnabled() ? "on" : "off");
    }

    private void receive(InetSocketAddress from, byte[] bytes, Via via) {
        WireMessage m;
        try {
            m = wire.decode(bytes);
        } catch (CodecException e) {
            decodeErrors.get(e.reason()).increment();
            LOG.debug("{} dropped {} bytes from {} ({}): {}", self, bytes.length, from, via, e.getMessage());
            return;
        }
        if (!closed) {
            core.execute(() -> safely(() -> node.onMessage(System.nanoTime(), via, m)));
        }
    }

    private void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("{} protocol core failed on an event; continuing", self, e);
        }
    }

    private final class TransportOutbox implements Outbox {
        @Override
        public void multicast(WireMessage message) {
            if (!packets.multicastEnabled()) {
                return;
            }
            byte[] frame = wire.encode(message);
            if (frame.length <= MAX_DATAGRAM_BYTES) {
                packets.multicast(frame);
            }
        }

        @Override
        public void send(NetId to, WireMessage message) {
            streams.send(to, wire.encode(message));
        }

        @Override
        public void sendPacket(NetId to, WireMessage message) {
            byte[] frame = wire.encode(message);
            if (frame.length <= MAX_DATAGRAM_BYTES) {
                packets.send(new InetSocketAddress(to.address(), to.port()), frame);
            }
        }
    }

    private <T> T call(Callable<T> c) {
        if (Thread.currentThread() == coreThread) {
            throw new IllegalStateException("GroupManager called from its own listener thread");
        }
        if (closed) {
            throw new IllegalStateException("GroupManager " + self + " is closed");
        }
        try {
            return core.submit(c).get(CALL_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException(e.getCause());
        } catch (TimeoutException e) {
            throw new IllegalStateException("core thread of " + self + " did not answer in " + CALL_TIMEOUT_MS + " ms", e);
        }
    }

    /** @return this node's id */
    public NetId myId() {
        return self;
    }

    /** Joins {@code group}, announcing it by multicast and to the members this node knows. */
    public void join(String group) {
        join(group, List.of());
    }

    /** Joins {@code group}, also announcing it to {@code seeds} and fetching their state. */
    public void join(String group, Collection<NetId> seeds) {
        List<NetId> copy = List.copyOf(seeds);
        call(() -> {
            node.join(System.nanoTime(), group, copy);
            return null;
        });
    }

    /**
     * Joins {@code group} announcing a capacity weight: the priority of this node's GET item (issue 6; 0 = takes no
     * new data). {@link #join(String, Collection)} announces weight 0.
     *
     * @throws IllegalArgumentException if {@code weight} is negative
     */
    public void join(String group, Collection<NetId> seeds, int weight) {
        List<NetId> copy = List.copyOf(seeds);
        call(() -> {
            node.join(System.nanoTime(), group, copy, weight);
            return null;
        });
    }

    /**
     * Re-writes this node's GET item in {@code group} with priority {@code weight} (a no-op if it already has it).
     *
     * @throws IllegalArgumentException if {@code weight} is negative
     * @throws IllegalStateException    if this node has not joined {@code group}
     */
    public void setWeight(String group, int weight) {
        call(() -> {
            node.setWeight(System.nanoTime(), group, weight);
            return null;
        });
    }

    /**
     * Writes several of this node's own items as one write (one clock, one broadcast): ADD items to add or replace,
     * RMV items to tombstone the item with that key. Cheaper than one {@link #addItem} per item when a node
     * publishes many claims at once.
     *
     * @throws IllegalArgumentException if {@code items} is empty, holds another member's item or a key twice
     */
    public void write(String group, Collection<Item> items) {
        List<Item> copy = List.copyOf(items);
        call(() -> {
            node.write(System.nanoTime(), group, copy);
            return null;
        });
    }

    /** Leaves {@code group}: this node's items there become tombstones. */
    public void leave(String group) {
        call(() -> {
            node.leave(System.nanoTime(), group);
            return null;
        });
    }

    /**
     * Announces that this node serves {@code start..end} (inclusive, 0..2^32-1) on {@code port}.
     *
     * @return the item as written, with its clock
     * @throws IllegalArgumentException naming the field if a value is out of range
     */
    public TimedItem addItem(String group, long start, long end, int port, int priority) {
        return call(() -> node.addItem(System.nanoTime(), group, start, end, port, priority));
    }

    /** As {@link #addItem(String, long, long, int, int)} with priority 0. */
    public TimedItem addItem(String group, long start, long end, int port) {
        return addItem(group, start, end, port, 0);
    }

    /** Withdraws the item (self, start, end); returns its tombstone. */
    public TimedItem removeItem(String group, long start, long end) {
        return call(() -> node.removeItem(System.nanoTime(), group, start, end));
    }

    /** @return the members of {@code group} that count (a GET or ADD item; not DEAD or LEFT), in id order */
    public NavigableSet<NetId> members(String group) {
        return call(() -> node.members(group));
    }

    /** @return what the failure detector believes of each member of {@code group} (self: ALIVE), in id order */
    public Map<NetId, MemberState> memberStates(String group) {
        return call(() -> node.memberStates(group));
    }

    /** @return every group this node knows of */
    public Set<String> groups() {
        return call(node::groups);
    }

    /** @return the groups this node is a member of */
    public Set<String> myGroups() {
        return call(node::myGroups);
    }

    /** @return every item of {@code group}, tombstones included, in key order */
    public List<TimedItem> topology(String group) {
        return call(() -> node.state(group).items());
    }

    /** @return the items of {@code group} with op {@code op} */
    public List<TimedItem> topology(String group, Op op) {
        return call(() -> node.state(group).items(op));
    }

    /** @return the ADD items serving {@code key} in {@code group}, highest priority first */
    public List<Item> route(String group, long key) {
        return call(() -> node.route(group, key));
    }

    /** @return a snapshot of this node's replica of {@code group} (immutable) */
    public GroupState state(String group) {
        return call(() -> node.state(group));
    }

    /** Adds a listener; it runs on the core thread and must not block or call back into this manager. */
    public void addListener(TopologyEvent.Listener listener) {
        call(() -> {
            node.addListener(listener);
            return null;
        });
    }

    /** @return counters of the core and of its failure detector ({@code swim_*}), read on the core thread */
    public Map<String, Long> coreStats() {
        return call(() -> {
            GroupNodeStats s = node.stats();
            SwimStats f = node.detector().stats();
            return Map.ofEntries(Map.entry("broadcasts", s.broadcasts()), Map.entry("stream_sends", s.streamSends()),
                    Map.entry("multicasts", s.multicastsSent()), Map.entry("duplicates", s.duplicates()),
                    Map.entry("merges", s.merges()), Map.entry("changes", s.changes()),
                    Map.entry("anti_entropy_rounds", s.antiEntropyRounds()), Map.entry("refutations", s.refutations()),
                    Map.entry("swim_probes", f.probes()), Map.entry("swim_indirect_probes", f.indirectProbes()),
                    Map.entry("swim_failed_probes", f.failedProbes()),
                    Map.entry("swim_suspicions_raised", f.suspicionsRaised()),
                    Map.entry("swim_deaths_declared", f.deathsDeclared()),
                    Map.entry("swim_refutations", f.refutations()), Map.entry("swim_nacks_sent", f.nacksSent()),
                    Map.entry("swim_reconnects", f.reconnects()));
        });
    }

    /** @return frames dropped by the decoder, by reason */
    public Map<CodecException.Reason, Long> decodeErrors() {
        Map<CodecException.Reason, Long> out = new EnumMap<>(CodecException.Reason.class);
        decodeErrors.forEach((r, n) -> out.put(r, n.sum()));
        return out;
    }

    /** @return the transports, for their counters */
    public PacketTransport packets() {
        return packets;
    }

    /** @return the transports, for their counters */
    public StreamTransport streams() {
        return streams;
    }

    /**
     * Leaves every group (so peers learn at once rather than by expiry), lets the leave go out, then stops
     * the core and the transports. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        try {
            call(() -> {
                node.leaveAll(System.nanoTime());
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("{} could not leave its groups cleanly: {}", self, e.getMessage());
        }
        closed = true;
        core.shutdown();
        try {
            core.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        streams.close();
        packets.close();
        LOG.info("{} closed", self);
    }
}
