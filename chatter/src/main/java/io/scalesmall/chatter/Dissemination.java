package io.scalesmall.chatter;

import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.WireMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Sends broadcasts as seed 002 describes ("Communication between nodes", steps 1–6): UDP multicast first;
 * then the logarithmic TCP tree ({@link BroadcastPlan}) over the destinations, minus those that reported
 * hearing our multicast except one random one. Every message travels in a {@link Gossip} envelope carrying
 * the sender's broadcast id and seen ids. Duplicates are recognised by broadcast id.
 *
 * <p>Not thread-safe: owned by the protocol core's thread.
 */
final class Dissemination {
    private final NetId self;
    private final Outbox outbox;
    private final PeerTable peers;
    private final Random random;
    private final Map<BroadcastId, Boolean> recent;
    private long seqno;
    private final Stats stats;

    /** Counters, read by metrics. */
    static final class Stats {
        long broadcasts;
        long multicastsSent;
        long streamSends;
        long duplicates;
    }

    /**
     * @param firstSeqno where this life's broadcast ids start: peers drop ids they have seen, so a restarted
     *                   node must not reuse the ids of its previous life (see {@link #firstSeqno(long)})
     */
    Dissemination(NetId self, Outbox outbox, PeerTable peers, Random random, int dedupeWindow, Stats stats,
            long firstSeqno) {
        this.self = self;
        this.seqno = firstSeqno;
        this.outbox = outbox;
        this.peers = peers;
        this.random = random;
        this.stats = stats;
        this.recent = new LinkedHashMap<>(1024, 0.75f, false) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<BroadcastId, Boolean> eldest) {
                return size() > dedupeWindow;
            }
        };
    }

    /**
     * The first broadcast seqno of a life: its incarnation (ms) times 2^20, so a later life starts above every
     * id an earlier one used unless that one sent over a million broadcasts per millisecond between the two
     * starts. Incarnations past 2^42 ms (the year 2109) start at 0.
     */
    static long firstSeqno(long incarnation) {
        return incarnation >= 0 && incarnation < (1L << 42) ? incarnation << 20 : 0;
    }

    private BroadcastId nextId() {
        seqno++;
        BroadcastId id = new BroadcastId(self, seqno);
        recent.put(id, Boolean.TRUE);
        return id;
    }

    /** Broadcasts {@code payload} to {@code destinations} (self is skipped). */
    void broadcast(long nowNanos, WireMessage payload, Collection<NetId> destinations) {
        stats.broadcasts++;
        BroadcastId id = nextId();
        List<BroadcastId> seen = peers.seenIds(nowNanos);
        outbox.multicast(new Gossip(id, seen, List.of(), payload));
        stats.multicastsSent++;
        List<NetId> targets = destinations.stream().filter(d -> !d.equals(self)).distinct().toList();
        List<NetId> tcp = BroadcastPlan.skipMulticastReachable(targets, d -> peers.hearsOurMulticast(d, nowNanos), random);
        for (BroadcastPlan.Hop hop : BroadcastPlan.plan(tcp, self)) {
            outbox.send(hop.head(), new Gossip(id, seen, hop.rest(), payload));
            stats.streamSends++;
        }
    }

    /** Sends one message to one peer over the stream transport (anti-entropy, replies). */
    void send(long nowNanos, NetId to, WireMessage payload) {
        outbox.send(to, new Gossip(nextId(), peers.seenIds(nowNanos), List.of(), payload));
        stats.streamSends++;
    }

    /**
     * Sends one message to one peer as a datagram (UDP), with no seen ids so that it stays small: the anti-entropy
     * digest probe, about 90 bytes, which would otherwise keep a TCP connection open to every peer over time.
     */
    void sendPacket(NetId to, WireMessage payload) {
        outbox.sendPacket(to, new Gossip(nextId(), List.of(), List.of(), payload));
    }

    /** @return true the first time a broadcast id is offered, false for a duplicate */
    boolean firstTime(BroadcastId id) {
        if (recent.putIfAbsent(id, Boolean.TRUE) != null) {
            stats.duplicates++;
            return false;
        }
        return true;
    }
}
