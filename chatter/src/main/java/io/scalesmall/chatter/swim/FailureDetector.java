package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.SwimMessage.Ack;
import io.scalesmall.wire.SwimMessage.Dead;
import io.scalesmall.wire.SwimMessage.Nack;
import io.scalesmall.wire.SwimMessage.Ping;
import io.scalesmall.wire.SwimMessage.PingReq;
import io.scalesmall.wire.SwimMessage.Suspect;
import io.scalesmall.wire.SwimMessage.Update;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One node's SWIM failure detector (Das, Gupta, Motivala 2002) with Lifeguard (Dadgar et al. 2017), after
 * HashiCorp memberlist. A pure state machine: time comes in as {@code nowNanos} (any monotonic origin), packets
 * come in through {@link #onPacket}, go out through {@link SwimOutput}; no clock, no sockets, no threads.
 *
 * <p>Each protocol period it pings one member, chosen round-robin from a shuffled list; without an ack within
 * the probe timeout it asks k random others to ping it ({@code PingReq}); without any ack by the period's end
 * it suspects the member. A suspicion ends in DEAD when its timeout (see {@link SwimConfig}) expires, unless
 * the member refutes it with a higher incarnation first. Updates ride on every packet and on gossip rounds.
 * Under Lifeguard, the local health score stretches this node's own probe timeout, period and suspicion
 * timeouts, so a starved node slows its own verdicts instead of accusing healthy peers.
 *
 * <p>Not thread-safe: exactly one thread owns a detector (the node's event loop, or a simulator).
 */
public final class FailureDetector {
    private final NetId self;
    private final SwimConfig config;
    private final SwimOutput output;
    private final Random random;
    private final LocalHealth health;
    private final UpdateQueue updates = new UpdateQueue();
    private final MemberTable table;
    private final ProbeRing ring;
    private final SwimStats stats = new SwimStats();
    /** Indirect probes this node relays, by the seq of its own ping to the target. */
    private final Map<Long, Relay> relays = new HashMap<>();
    private Probe probe;
    private long seq;
    private long nextProbeNanos = Long.MIN_VALUE;
    private long nextGossipNanos = Long.MIN_VALUE;

    /** This node's current probe. */
    private static final class Probe {
        final long seq;
        final NetId target;
        final long timeoutNanos;
        boolean acked;
        boolean indirectSent;
        int expectedNacks;
        int nacks;

        Probe(long seq, NetId target, long timeoutNanos) {
            this.seq = seq;
            this.target = target;
            this.timeoutNanos = timeoutNanos;
        }
    }

    private record Relay(NetId requester, long requesterSeq, long nackAtNanos) {
    }

    /**
     * @param incarnation this life's starting incarnation; a restarted node must start above its last one
     * @param random      the source of every random choice (seed it for reproducible simulations)
     */
    public FailureDetector(NetId self, long incarnation, SwimConfig config, SwimOutput output, Random random) {
        this.self = self;
        this.config = config;
        this.output = output;
        this.random = random;
        this.health = new LocalHealth(config.maxLocalHealth());
        this.table = new MemberTable(self, incarnation, config, health, updates, stats);
        this.ring = new ProbeRing(random);
    }

    /** @return this node's id */
    public NetId self() {
        return self;
    }

    /** @return this node's current incarnation (rises with each refutation) */
    public long incarnation() {
        return table.incarnation();
    }

    /** @return the Lifeguard local health score, 0 (healthy) .. maxLocalHealth */
    public int localHealth() {
        return health.score();
    }

    /** @return the counters */
    public SwimStats stats() {
        return stats;
    }

    /** Registers a listener for member state changes; called on the detector's thread. */
    public void addListener(Member.Listener listener) {
        table.addListener(listener);
    }

    /** @return the member's state, or null if unknown (this node itself is not a member of its table) */
    public Member member(NetId id) {
        return table.get(id);
    }

    /** @return every known member, self excluded, in canonical order */
    public List<Member> members() {
        return table.all();
    }

    /**
     * Adds a member (the host learned of it, e.g. from the group topology) as ALIVE at {@code incarnation}. A
     * known member is treated as an {@code Alive} update: it revives a DEAD or LEFT one only at a higher
     * incarnation.
     */
    public void addMember(long nowNanos, NetId id, long incarnation) {
        if (table.add(nowNanos, id, incarnation)) {
            ring.add(id);
        }
    }

    /**
     * @return this node's verdicts ({@code Dead}, or a leaver's own {@code Dead}) on those of {@code ids} it holds
     *         DEAD or LEFT, in the order given; for a peer that still holds them alive (see {@link #tell})
     */
    public List<Update> verdicts(Collection<NetId> ids) {
        List<Update> out = new ArrayList<>();
        for (NetId id : ids) {
            Member m = table.get(id);
            if (m != null && !m.state().isActive()) {
                out.add(new Dead(id, m.incarnation(), m.state() == MemberState.LEFT ? id : self));
            }
        }
        return out;
    }

    /**
     * Sends {@code updates} to {@code to} now, at most {@link SwimConfig#maxPiggyback()} per packet: a verdict for a
     * peer seen spreading records of a member this node holds down, which the peer never heard of (it joined after
     * the verdict's gossip ended). Does nothing for an empty list.
     */
    public void tell(NetId to, List<Update> updates) {
        int max = config.maxPiggyback();
        for (int i = 0; i < updates.size(); i += max) {
            output.send(to, List.copyOf(updates.subList(i, Math.min(updates.size(), i + max))));
        }
    }

    /** Forgets a member entirely (e.g. after the host's TTL for dead members); no event is reported. */
    public void removeMember(NetId id) {
        if (table.remove(id)) {
            ring.remove(id);
        }
    }

    /**
     * Healing (after Serf's reconnect; SWIM itself has no way back from DEAD): pings {@code target}, which this
     * detector holds DEAD or does not know, with what this node believes of it (its {@code Dead}) and of itself
     * (its {@code Alive}). A live target refutes at once, and since it holds us DEAD too if the partition was
     * long, its answer carries its {@code Dead} of us, which we refute in turn. Not counted as a probe.
     */
    public void reconnect(NetId target) {
        Member m = table.get(target);
        List<SwimMessage> packet = new ArrayList<>(3);
        packet.add(new Ping(++seq, target));
        if (m != null && m.state() == MemberState.DEAD) {
            packet.add(new Dead(target, m.incarnation(), self));
        }
        packet.add(new SwimMessage.Alive(self, table.incarnation()));
        stats.reconnects++;
        output.send(target, List.copyOf(packet));
    }

    /** Announces this node's departure: its {@code Dead(self, self)} is gossiped and marks it LEFT elsewhere. */
    public void leave() {
        table.leave();
    }

    /**
     * @return up to {@code max} queued updates for the host to piggyback on its own gossip; each counts as one
     *         transmission
     */
    public List<Update> piggyback(int max) {
        return updates.take(max, config.retransmitLimit(table.groupSize()));
    }

    /** Handles one packet: its updates first (a refutation before the ack it rides on), then the rest. */
    public void onPacket(long nowNanos, NetId from, Collection<? extends SwimMessage> messages) {
        for (SwimMessage m : messages) {
            if (m instanceof Update) {
                onMessage(nowNanos, from, m);
            }
        }
        for (SwimMessage m : messages) {
            if (!(m instanceof Update)) {
                onMessage(nowNanos, from, m);
            }
        }
    }

    /** Handles one message from {@code from}. */
    public void onMessage(long nowNanos, NetId from, SwimMessage message) {
        if (message instanceof Ping p) {
            if (p.target().equals(self)) {
                Member m = table.get(from);
                if (m != null && m.state() == MemberState.DEAD) {
                    // It pings us, so it runs: tell it what we believe, so it refutes if it missed the verdict.
                    send(from, new Ack(p.seq()), new Dead(from, m.incarnation(), self));
                } else {
                    send(from, new Ack(p.seq()));
                }
            }
        } else if (message instanceof Ack a) {
            onAck(nowNanos, a);
        } else if (message instanceof PingReq r) {
            if (!r.target().equals(self)) {
                long local = ++seq;
                relays.put(local, new Relay(from, r.seq(), nowNanos + config.nackDelay().toNanos()));
                send(r.target(), new Ping(local, r.target()));
            }
        } else if (message instanceof Nack n) {
            if (probe != null && probe.seq == n.seq()) {
                probe.nacks++;
            }
        } else if (message instanceof Dead d && table.addDown(nowNanos, d)) {
            ring.add(d.member());
        } else if (message instanceof Update u) {
            table.apply(nowNanos, u);
        }
    }

    private void onAck(long nowNanos, Ack a) {
        if (probe != null && probe.seq == a.seq()) {
            if (!probe.acked && config.lifeguard() && nowNanos < probe.timeoutNanos) {
                health.apply(-1);
            }
            probe.acked = true;
            return;
        }
        Relay r = relays.remove(a.seq());
        if (r != null) {
            send(r.requester(), new Ack(r.requesterSeq()));
        }
    }

    /** Runs everything due at {@code nowNanos}: suspicion expiry, nacks, the probe cycle, a gossip round. */
    public void tick(long nowNanos) {
        table.expireSuspicions(nowNanos);
        expireRelays(nowNanos);
        if (probe != null && !probe.acked && !probe.indirectSent && nowNanos >= probe.timeoutNanos) {
            probeIndirectly();
        }
        if (nowNanos >= nextProbeNanos) {
            if (probe != null) {
                finishProbe(nowNanos);
            }
            startProbe(nowNanos);
        }
        if (nowNanos >= nextGossipNanos) {
            nextGossipNanos = nowNanos + config.gossipInterval().toNanos();
            gossip();
        }
    }

    private void expireRelays(long nowNanos) {
        for (Iterator<Relay> it = relays.values().iterator(); it.hasNext();) {
            Relay r = it.next();
            if (nowNanos >= r.nackAtNanos()) {
                it.remove();
                if (config.lifeguard()) {
                    stats.nacksSent++;
                    send(r.requester(), new Nack(r.requesterSeq()));
                }
            }
        }
    }

    private void startProbe(long nowNanos) {
        long period = config.protocolPeriod().toNanos();
        long timeout = config.probeTimeout().toNanos();
        if (config.lifeguard()) {
            period = health.scale(period);
            timeout = health.scale(timeout);
        }
        nextProbeNanos = nowNanos + period;
        NetId target = ring.next(table::isActive);
        if (target == null) {
            probe = null;
            return;
        }
        probe = new Probe(++seq, target, nowNanos + timeout);
        stats.probes++;
        Member m = table.get(target);
        List<SwimMessage> packet = new ArrayList<>();
        packet.add(new Ping(probe.seq, target));
        if (config.lifeguard() && m.state() == MemberState.SUSPECT) {
            // Lifeguard's "buddy system": tell a suspect at once, so it can refute.
            packet.add(new Suspect(target, m.incarnation(), self));
        }
        packet.addAll(piggyback(config.maxPiggyback() - packet.size() + 1));
        output.send(target, List.copyOf(packet));
    }

    private void probeIndirectly() {
        probe.indirectSent = true;
        for (NetId via : table.randomAlive(config.indirectProbes(), probe.target, random)) {
            stats.indirectProbes++;
            probe.expectedNacks += config.lifeguard() ? 1 : 0;
            send(via, new PingReq(probe.seq, probe.target));
        }
    }

    private void finishProbe(long nowNanos) {
        Probe p = probe;
        probe = null;
        if (p.acked) {
            return;
        }
        stats.failedProbes++;
        if (config.lifeguard()) {
            // Missing nacks mean we are the one not hearing; with no one to nack, blame ourselves a little.
            health.apply(p.expectedNacks > 0 ? p.expectedNacks - p.nacks : 1);
        }
        Member m = table.get(p.target);
        if (m != null && m.state().isActive()) {
            // On a suspect this is an independent confirmation, which shortens its suspicion everywhere.
            table.apply(nowNanos, new Suspect(p.target, m.incarnation(), self));
        }
    }

    private void gossip() {
        if (updates.isEmpty() || config.gossipFanout() == 0) {
            return;
        }
        for (NetId to : table.randomActive(config.gossipFanout(), random)) {
            List<Update> u = piggyback(config.maxPiggyback());
            if (u.isEmpty()) {
                return;
            }
            output.send(to, List.copyOf(u));
        }
    }

    private void send(NetId to, SwimMessage message, Update... extra) {
        List<Update> u = piggyback(config.maxPiggyback() - extra.length);
        List<SwimMessage> packet = new ArrayList<>(u.size() + extra.length + 1);
        packet.add(message);
        packet.addAll(List.of(extra));
        packet.addAll(u);
        output.send(to, Collections.unmodifiableList(packet));
    }
}
