package io.scalesmall.chatter;

import io.scalesmall.chatter.swim.FailureDetector;
import io.scalesmall.chatter.swim.Member;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.TimedSet;
import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.WireMessage.SwimPacket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * A node's view of which members are up: the SWIM failure detector ({@link FailureDetector}) fed with the
 * members of the groups' topologies, plus what the topology needs from it: which members are down (DEAD or LEFT)
 * and for how long, which to forget after the TTL, whose stale records to keep out meanwhile, and whom to
 * re-dial so partitions heal (after Serf: failed members are re-dialled until a reconnect timeout).
 *
 * <p>Lifecycle of a member: added ALIVE when the topology first shows it (at its topology incarnation); DEAD or
 * LEFT by the detector's verdict (invisible in {@link GroupNode#members} and routes at once); after
 * {@link ChatterConfig#tombstoneTtl()} down its records are dropped from every group ("purged"), and records of it
 * arriving later are stripped while it stays down; after another TTL the detector forgets it. A DEAD member stays
 * on the re-dial list until {@link ChatterConfig#reconnectTimeout()}. A refutation (higher incarnation) or a
 * restart (higher topology incarnation) brings a member back ALIVE at any point. Verdicts travel with records: live
 * records of a member held DEAD or LEFT are not handed out (the peer gets the verdict instead), a peer sending them
 * is told the verdict, and a verdict heard before any record adds the member down (see {@link #tellVerdicts}).
 *
 * <p>Not thread-safe: owned by the {@link GroupNode}'s thread.
 */
final class Membership {
    private final NetId self;
    private final ChatterConfig config;
    private final Random random;
    private final FailureDetector detector;
    /** Down (DEAD or LEFT) members: since when, ns. */
    private final Map<NetId, Long> downSince = new HashMap<>();
    /**
     * Members whose records this node dropped (purged after the TTL down, or compacted as old tombstones), with the
     * last write dropped: incoming records no newer are stripped until the entry expires a TTL later, unless the
     * detector holds the member ALIVE or SUSPECT again. So other replicas, which drop them at slightly different
     * times, cannot bounce them back (no ghosts), and a member's new writes (a rejoin) pass at once.
     */
    private final Map<NetId, Forgotten> forgotten = new HashMap<>();
    /** Peers to re-dial: last time each was known alive or was a seed, ns; insertion-ordered, capped. */
    private final LinkedHashMap<NetId, Long> redial = new LinkedHashMap<>();
    private long nextRedialNanos = Long.MIN_VALUE;

    private record Forgotten(long incarnation, long maxCounter, long untilNanos) {
        boolean covers(DotSet d) {
            return d.incarnation() < incarnation || d.incarnation() == incarnation && d.maxCounter() <= maxCounter;
        }
    }

    Membership(NetId self, long incarnation, ChatterConfig config, Outbox outbox, Random random) {
        this.self = self;
        this.config = config;
        this.random = random;
        this.detector = new FailureDetector(self, incarnation, config.swim(),
                (to, messages) -> outbox.sendPacket(to, new SwimPacket(self, messages)), random);
        detector.addListener(this::onChange);
    }

    FailureDetector detector() {
        return detector;
    }

    void addListener(Member.Listener l) {
        detector.addListener(l);
    }

    private void onChange(long nowNanos, Member.Change c) {
        if (c.from() == MemberState.DEAD && c.to() == MemberState.ALIVE) {
            // Revived (it refuted, e.g. after a partition healed): it may hold us DEAD too; ping it now, so that it
            // answers with its verdict on us and we refute at once, instead of when our probe ring reaches it.
            detector.reconnect(c.member());
        }
        if (c.to().isActive()) {
            downSince.remove(c.member());
            redial.remove(c.member());
        } else {
            downSince.put(c.member(), nowNanos);
            if (c.to() == MemberState.DEAD) {
                remember(c.member(), nowNanos);
            }
        }
    }

    /** @return the member's state as this node sees it: ALIVE for itself and for members it was not told of */
    MemberState state(NetId member) {
        Member m = detector.member(member);
        return m == null ? MemberState.ALIVE : m.state();
    }

    /** @return true if the detector holds {@code member} DEAD or LEFT */
    boolean isDown(NetId member) {
        return downSince.containsKey(member);
    }

    /** Tells the detector about the members {@code merged} wrote to (those with live items in {@code after}). */
    void sync(long nowNanos, GroupState merged, GroupState after) {
        for (NetId m : merged.worldClock().members()) {
            if (!m.equals(self) && after.members().contains(m)) {
                DotSet d = after.worldClock().get(m);
                if (d != null) {
                    detector.addMember(nowNanos, m, d.incarnation());
                }
            }
        }
    }

    /**
     * @param nowNanos      the detector's clock, ns
     * @param horizonMillis wall time, ms since the epoch, before which a tombstone is garbage: now minus the TTL
     * @return {@code incoming} without the records of forgotten members that carry nothing newer (each such hit
     *         keeps the member forgotten for another TTL: while some replica still sends a crashed member's records,
     *         letting the entry lapse would re-admit it, and the re-admitting node would then send them on for
     *         another detection time and TTL, a cycle that kept the map growing with churn), and without the
     *         records of members not held active that hold only tombstones written before {@code horizonMillis}
     *         (garbage wherever they are, as Cassandra's tombstones past gc_grace_seconds: without this rule a
     *         replica that still holds a departed member's tombstones brings it back to nodes that forgot it, they
     *         forget it again a TTL later, and the forgotten map grows with churn)
     */
    GroupState strip(long nowNanos, GroupState incoming, long horizonMillis) {
        GroupState out = incoming;
        for (NetId m : incoming.worldClock().members()) {
            if (m.equals(self)) {
                continue;
            }
            Member known = detector.member(m);
            boolean active = known != null && known.state().isActive();
            Forgotten f = forgotten.get(m);
            if (f != null) {
                if (active || !f.covers(incoming.worldClock().get(m))) {
                    forgotten.remove(m);
                } else {
                    out = out.without(m);
                    forgotten.put(m, new Forgotten(f.incarnation(), f.maxCounter(),
                            nowNanos + config.tombstoneTtl().toNanos()));
                    continue;
                }
            }
            if (!active && oldTombstonesOnly(incoming.itemsOf(m), horizonMillis)) {
                out = out.without(m);
            }
        }
        return out;
    }

    /** @return true if {@code items} is not empty and holds only RMV items written at or before {@code horizonMillis} */
    static boolean oldTombstonesOnly(TimedSet items, long horizonMillis) {
        if (items.isEmpty()) {
            return false;
        }
        for (TimedItem t : items.items()) {
            if (t.op() != Op.RMV || t.timestampMillis() > horizonMillis) {
                return false;
            }
        }
        return true;
    }

    /** Records that this node dropped {@code member}'s records up to {@code dots}; see {@link #strip}. */
    void forgot(long nowNanos, NetId member, DotSet dots) {
        long until = nowNanos + config.tombstoneTtl().toNanos();
        Forgotten old = forgotten.get(member);
        boolean newer = old == null || dots.incarnation() > old.incarnation()
                || dots.incarnation() == old.incarnation() && dots.maxCounter() > old.maxCounter();
        forgotten.put(member, newer ? new Forgotten(dots.incarnation(), dots.maxCounter(), until)
                : new Forgotten(old.incarnation(), old.maxCounter(), until));
    }

    /**
     * Marks a member due for purging ({@link #duePurge}) whose records this node never held (it heard only the
     * verdict) as forgotten, at the incarnation it is held down at, so that its detector entry expires a TTL later.
     * Does nothing if the member is already forgotten or not held down.
     */
    void purgedWithoutRecords(long nowNanos, NetId member) {
        Member m = detector.member(member);
        if (m != null && !m.state().isActive() && !forgotten.containsKey(member)) {
            forgotten.put(member, new Forgotten(m.incarnation(), Long.MAX_VALUE, nowNanos + config.tombstoneTtl().toNanos()));
        }
    }

    /**
     * @return this node's verdicts on the members with live records in {@code records} that it holds DEAD or LEFT
     *         (see {@link #tellVerdicts}); the members are not even listed while nothing is down, the common case
     */
    List<SwimMessage.Update> verdicts(GroupState records) {
        return downSince.isEmpty() ? List.of() : detector.verdicts(records.members());
    }

    /** Sends {@code verdicts} to {@code peer} at once, by datagram; nothing for an empty list. */
    void tell(NetId peer, List<SwimMessage.Update> verdicts) {
        detector.tell(peer, verdicts);
    }

    /**
     * Tells {@code peer} this node's verdicts on the members of {@code records} it holds DEAD or LEFT, when the peer sent
     * live records of them: a node that joined after a verdict's gossip ended would otherwise hold the member ALIVE
     * and hand its records on to later joiners, which is how records of departed members kept circulating under
     * churn (memberlist's push/pull carries the states for the same reason). For the same reason this node does not
     * hand out live records of such members in its own deltas, only the verdicts.
     */
    void tellVerdicts(NetId peer, GroupState records) {
        tell(peer, verdicts(records));
    }

    /** @return how many forgotten members are kept out now */
    int forgottenCount() {
        return forgotten.size();
    }

    /** @return true if the detector holds {@code member} ALIVE or SUSPECT */
    boolean isActive(NetId member) {
        Member m = detector.member(member);
        return m != null && m.state().isActive();
    }

    /** Handles a failure-detector packet. */
    void onPacket(long nowNanos, SwimPacket p) {
        detector.onPacket(nowNanos, p.from(), p.messages());
    }

    /** Handles updates that rode on a gossip. */
    void onUpdates(long nowNanos, NetId from, List<SwimMessage.Update> updates) {
        if (!updates.isEmpty()) {
            detector.onPacket(nowNanos, from, updates);
        }
    }

    /** @return up to {@code max} updates to piggyback on an outgoing gossip */
    List<SwimMessage.Update> piggyback(int max) {
        return detector.piggyback(max);
    }

    /** Adds seeds to the re-dial list (they are dialled while the detector does not hold them ALIVE). */
    void seeds(long nowNanos, Set<NetId> seeds) {
        for (NetId s : seeds) {
            if (!s.equals(self)) {
                remember(s, nowNanos);
            }
        }
    }

    private void remember(NetId id, long nowNanos) {
        redial.remove(id);
        redial.put(id, nowNanos);
        while (redial.size() > ChatterConfig.MAX_RECONNECT_PEERS) {
            NetId oldest = redial.keySet().iterator().next();
            redial.remove(oldest);
        }
    }

    /**
     * Runs the detector and the re-dial timer.
     *
     * @return members to re-dial now at the topology level too (the caller sends them a digest), possibly empty
     */
    List<NetId> tick(long nowNanos) {
        detector.tick(nowNanos);
        if (nextRedialNanos == Long.MIN_VALUE) {
            nextRedialNanos = nowNanos + (long) (random.nextDouble() * config.reconnectInterval().toNanos());
        }
        if (nowNanos - nextRedialNanos < 0) {
            return List.of();
        }
        nextRedialNanos = nowNanos + config.reconnectInterval().toNanos();
        long timeout = config.reconnectTimeout().toNanos();
        redial.values().removeIf(t -> nowNanos - t > timeout);
        List<NetId> candidates = new ArrayList<>();
        redial.forEach((id, t) -> {
            Member m = detector.member(id);
            if (m == null || m.state() == MemberState.DEAD) {
                candidates.add(id);
            }
        });
        if (candidates.isEmpty()) {
            return List.of();
        }
        NetId target = candidates.get(random.nextInt(candidates.size()));
        detector.reconnect(target);
        return List.of(target);
    }

    /** @return members down (DEAD or LEFT) for the TTL whose records are not yet dropped: the caller purges them */
    List<NetId> duePurge(long nowNanos) {
        long ttl = config.tombstoneTtl().toNanos();
        List<NetId> purge = new ArrayList<>();
        for (Map.Entry<NetId, Long> e : downSince.entrySet()) {
            if (nowNanos - e.getValue() >= ttl && !forgotten.containsKey(e.getKey())) {
                purge.add(e.getKey());
            }
        }
        return purge;
    }

    /**
     * The TTL step's end, run with compaction: forgotten entries a TTL old expire, and with them the detector's
     * entry for a member still down; the detector also drops active members no group mentions any more.
     *
     * @param known every member with a live item in some group this node holds
     */
    void expire(long nowNanos, Set<NetId> known) {
        List<NetId> drop = new ArrayList<>();
        forgotten.forEach((m, f) -> {
            if (nowNanos - f.untilNanos() >= 0) {
                drop.add(m);
            }
        });
        for (NetId m : drop) {
            forgotten.remove(m);
            if (isDown(m)) {
                downSince.remove(m);
                detector.removeMember(m);
            }
        }
        for (Member m : detector.members()) {
            if (m.state().isActive() && !known.contains(m.id())) {
                detector.removeMember(m.id());
            }
        }
    }

    /** Announces this node's departure to the detectors of others (a {@code Dead(self, self)}). */
    void leave() {
        detector.leave();
    }
}
