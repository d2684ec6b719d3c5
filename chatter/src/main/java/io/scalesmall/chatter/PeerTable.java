package io.scalesmall.chatter;

import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What this node knows of its peers' reachability (the original's PeerDB, reference §4.3, with chatter_ex's
 * reverse mapping): whose multicast this node hears, and which peers reported hearing this node's multicast.
 * Seed 002, steps 2–5: every gossip carries the sender's {@code seen ids}; a destination that reported
 * hearing us is skipped in the TCP tree. Entries age out, so a peer that stops hearing us gets TCP again.
 *
 * <p>Not thread-safe: owned by the protocol core's thread.
 */
final class PeerTable {
    private final NetId self;
    private final long seenTtlNanos;
    private final int maxSeenIds;
    private final Map<NetId, Peer> peers = new HashMap<>();

    private static final class Peer {
        long lastHeardNanos;
        /** Highest seqno of this peer's multicast we heard, and when; -1: never. */
        long multicastSeqno = -1;
        long multicastHeardNanos;
        /** When this peer last reported hearing our multicast; Long.MIN_VALUE: never. */
        long hearsUsNanos = Long.MIN_VALUE;
    }

    PeerTable(NetId self, long seenTtlNanos, int maxSeenIds) {
        this.self = self;
        this.seenTtlNanos = seenTtlNanos;
        this.maxSeenIds = maxSeenIds;
    }

    private Peer peer(NetId id) {
        return peers.computeIfAbsent(id, k -> new Peer());
    }

    /** @return true if the peer was not known before */
    boolean heard(NetId from, long nowNanos) {
        boolean fresh = !peers.containsKey(from);
        peer(from).lastHeardNanos = nowNanos;
        return fresh;
    }

    void heardMulticast(BroadcastId id, long nowNanos) {
        Peer p = peer(id.origin());
        p.multicastSeqno = Math.max(p.multicastSeqno, id.seqno());
        p.multicastHeardNanos = nowNanos;
    }

    /** Records the seen ids a peer sent: if they include us, that peer hears our multicast. */
    void reportedSeen(NetId from, Collection<BroadcastId> seen, long nowNanos) {
        for (BroadcastId b : seen) {
            if (b.origin().equals(self)) {
                peer(from).hearsUsNanos = nowNanos;
            }
        }
    }

    boolean hearsOurMulticast(NetId peer, long nowNanos) {
        Peer p = peers.get(peer);
        return p != null && p.hearsUsNanos != Long.MIN_VALUE && nowNanos - p.hearsUsNanos <= seenTtlNanos;
    }

    /** @return the multicasts we heard recently, the highest seqno of each, at most maxSeenIds of them */
    List<BroadcastId> seenIds(long nowNanos) {
        List<BroadcastId> out = new ArrayList<>();
        for (Map.Entry<NetId, Peer> e : peers.entrySet()) {
            Peer p = e.getValue();
            if (p.multicastSeqno >= 0 && nowNanos - p.multicastHeardNanos <= seenTtlNanos) {
                out.add(new BroadcastId(e.getKey(), p.multicastSeqno));
                if (out.size() >= maxSeenIds) {
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Forgets peers with no news for the seen TTL: not heard from, their multicast not heard, no report of them
     * hearing us. So the table stays bounded by the peers active within a TTL, whatever the churn.
     */
    void expire(long nowNanos) {
        peers.values().removeIf(p -> nowNanos - p.lastHeardNanos > seenTtlNanos
                && (p.multicastSeqno < 0 || nowNanos - p.multicastHeardNanos > seenTtlNanos)
                && (p.hearsUsNanos == Long.MIN_VALUE || nowNanos - p.hearsUsNanos > seenTtlNanos));
    }

    /** @return every peer heard from at all */
    Collection<NetId> known() {
        return peers.keySet();
    }

    int size() {
        return peers.size();
    }
}
