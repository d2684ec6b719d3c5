package io.scalesmall.node.netty;

import io.scalesmall.topology.NetId;
import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The stream transport's per-peer outbound table and its bound: which peers have an {@link OutboundPeer} entry,
 * how many outbound connections are open or opening ("slots"), and which connection to close when one more is
 * needed past {@link NettyConfig#maxOutboundConnections()} (the least recently used by last send, one with
 * nothing queued preferred: LRU eviction).
 *
 * <p>Entries live only while a peer has a connection, a connect under way or queued frames. They are created and
 * offered to inside {@code compute}, and removed inside {@code computeIfPresent} after
 * {@link OutboundPeer#retirable()}, so a frame is never queued on an entry that is being dropped.
 *
 * <p>Thread-safe: {@link #offer} from any thread; {@link #retire} and {@link #takeSlot} on the calling peer's
 * event loop (they read that peer's loop-only state).
 */
final class OutboundTable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundTable.class);

    private final String name;
    private final int maxConnections;
    private final ConcurrentMap<NetId, OutboundPeer> peers = new ConcurrentHashMap<>();
    /** Outbound connections open or opening: one per connect, released when it fails or its connection closes. */
    private final AtomicInteger slots = new AtomicInteger();
    /** The use counter: each offer stamps its peer with the next value (LRU order without a clock). */
    private final AtomicLong uses = new AtomicLong();
    /** Outbound connections closed to stay within the bound. */
    private final LongAdder evictions = new LongAdder();

    /**
     * @param name           the transport's name, first in log lines
     * @param maxConnections the bound on open or opening outbound connections, {@code >= 1}
     */
    OutboundTable(String name, int maxConnections) {
        this.name = name;
        this.maxConnections = maxConnections;
    }

    /** Queues {@code frame} on {@code to}'s entry, creating it with {@code factory} if there is none. Any thread. */
    void offer(NetId to, byte[] frame, Function<NetId, OutboundPeer> factory) {
        peers.compute(to, (id, p) -> {
            OutboundPeer peer = p != null ? p : factory.apply(id);
            peer.offer(frame, uses.incrementAndGet());
            return peer;
        });
    }

    /** Drops {@code peer}'s entry if it is still the entry and has nothing left to do. On the peer's loop. */
    void retire(OutboundPeer peer) {
        if (peers.computeIfPresent(peer.id(), (id, p) -> p == peer && p.retirable() ? null : p) == null) {
            LOG.trace("{} dropped idle peer {} from the outbound table", name, peer.id());
        }
    }

    /** Takes a slot for a connect of {@code requester}, evicting another connection if that passes the bound. */
    void takeSlot(OutboundPeer requester) {
        if (slots.incrementAndGet() > maxConnections) {
            evictFor(requester);
        }
    }

    /** Releases the slot of a connect that failed or of a connection that closed. Any thread. */
    void releaseSlot() {
        slots.decrementAndGet();
    }

    /**
     * Evicts the least recently used established connection of another peer, one with nothing queued if there is
     * one. Does nothing if every other connection is still opening or already being evicted (the bound is then
     * exceeded until one closes).
     */
    private void evictFor(OutboundPeer requester) {
        OutboundPeer victim = null;
        boolean victimIdle = false;
        for (OutboundPeer p : peers.values()) {
            if (p == requester || !p.evictable()) {
                continue;
            }
            boolean idle = p.idle();
            if (victim == null || idle && !victimIdle || idle == victimIdle && p.lastUse() < victim.lastUse()) {
                victim = p;
                victimIdle = idle;
            }
        }
        if (victim != null && victim.evict()) {
            evictions.increment();
            LOG.debug("{} evicting the connection to {} (least recently used) for {}: at most {} outbound", name,
                    victim.id(), requester.id(), maxConnections);
        }
    }

    /** @return the entries, a weakly consistent view */
    Collection<OutboundPeer> peers() {
        return peers.values();
    }

    /** @return entries in the table */
    int size() {
        return peers.size();
    }

    /** @return outbound connections open or opening */
    int slots() {
        return slots.get();
    }

    /** @return connections evicted so far */
    long evictions() {
        return evictions.sum();
    }
}
