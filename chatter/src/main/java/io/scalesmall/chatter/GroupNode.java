package io.scalesmall.chatter;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import io.scalesmall.wire.WireMessage.SwimPacket;
import io.scalesmall.wire.WireMessage;
import io.scalesmall.wire.SwimMessage;
import io.scalesmall.chatter.swim.FailureDetector;
import io.scalesmall.chatter.swim.MemberState;
import java.util.NavigableSet;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * The protocol core of one node: its replicas of the groups' topologies, its writes, dissemination and
 * anti-entropy. Messages come in through {@link #onMessage}, go out through the {@link Outbox}; time is
 * passed in ({@code nowNanos}, any monotonic origin), so a simulator drives the very same code with a
 * manual clock.
 *
 * <p>Not thread-safe: exactly one thread owns a core (the node's event loop, or the simulator).
 * {@link GroupManager} is the thread-safe face of it.
 */
public final class GroupNode {
    private final NetId self;
    private final ChatterConfig config;
    private final LocalMember writer;
    private final LongSupplier wallMillis;
    private final Random random;
    private final PeerTable peers;
    private final Dissemination dissemination;
    private final TopologyEvents events;
    private final Membership membership;
    private final Map<String, GroupState> states = new TreeMap<>();
    private final Map<String, Set<NetId>> seeds = new TreeMap<>();
    private final JoinAnnouncements announcements = new JoinAnnouncements();
    private final AntiEntropy antiEntropy;
    private final Expiry expiry;
    private final GroupNodeStats stats = new GroupNodeStats();
    private long nextAntiEntropyNanos = Long.MIN_VALUE;
    private long nextCompactionNanos = Long.MIN_VALUE;

    /**
     * @param self        this node's id
     * @param incarnation this life's incarnation (e.g. start time in ms); a restart must use a higher one
     * @param wallMillis  wall time, ms since the epoch (item timestamps and tombstone expiry)
     * @param random      the source of every random choice (seed it for reproducible simulations)
     */
    public GroupNode(NetId self, long incarnation, ChatterConfig config, Outbox outbox, LongSupplier wallMillis,
            Random random) {
        this.self = self;
        this.config = config;
        this.wallMillis = wallMillis;
        this.random = random;
        this.writer = new LocalMember(self, incarnation, wallMillis);
        this.peers = new PeerTable(self, config.seenTtl().toNanos(), config.maxSeenIds());
        this.membership = new Membership(self, incarnation, config, outbox, random);
        this.dissemination = new Dissemination(self, new PiggybackOutbox(outbox, membership), peers, random, config.dedupeWindow(),
                stats.dissemination, Dissemination.firstSeqno(incarnation));
        this.events = new TopologyEvents();
        this.antiEntropy = new AntiEntropy(self, membership, dissemination, seeds, random, stats, this::members);
        this.expiry = new Expiry(self, config, wallMillis, membership, events);
        membership.addListener((now, c) -> {
            for (Map.Entry<String, GroupState> e : states.entrySet()) {
                if (e.getValue().members().contains(c.member())) {
                    events.stateChanged(e.getKey(), c.member(), c.from(), c.to());
                }
            }
        });
    }

    /** @return this node's id */
    public NetId self() {
        return self;
    }

    /** @return the counters */
    public GroupNodeStats stats() {
        return stats;
    }

    /** Registers a listener, called on the core's thread for every change this node observes. */
    public void addListener(TopologyEvent.Listener listener) {
        events.add(listener);
    }

    // ---- API: the node's own writes ----------------------------------------------------------------

    /**
     * Joins {@code group}: writes a GET item, broadcasts it to the group's known members and to
     * {@code seedPeers}, and asks the seeds for their state.
     */
    public void join(long nowNanos, String group, Collection<NetId> seedPeers) {
        join(nowNanos, group, seedPeers, 0);
    }

    /**
     * As {@link #join(long, String, Collection)}, announcing a capacity weight: the GET item's priority (issue 6;
     * placement reads it as the member's weight, 0 = takes no new data).
     *
     * @param weight {@code >= 0}
     * @throws IllegalArgumentException if {@code weight} is negative
     */
    public void join(long nowNanos, String group, Collection<NetId> seedPeers, int weight) {
        GroupState.checkGroupName(group);
        Item joinItem = joinItem(weight);
        Set<NetId> s = seeds.computeIfAbsent(group, g -> new LinkedHashSet<>());
        s.addAll(seedPeers);
        s.remove(self);
        membership.seeds(nowNanos, s);
        announcements.start(group, nowNanos + config.joinAnnounceWindow().toNanos());
        commit(nowNanos, writer.write(state(group), List.of(joinItem)));
        for (NetId seed : s) {
            dissemination.send(nowNanos, seed, digestOf(state(group)));
        }
    }

    /**
     * Ends the join announcement of {@code group} now: for a node bootstrapped from a snapshot every member already
     * holds (the simulator's formed clusters), where announcing its record to each member it learns of would send
     * N messages per node, N^2 in all, and keep a set of N told members per node.
     */
    public void endJoinAnnouncement(String group) {
        announcements.end(group);
    }

    /**
     * Re-writes this node's GET item in {@code group} with priority {@code weight}, if it differs (issue 6: a
     * tightening node announces weight 0).
     *
     * @throws IllegalArgumentException if {@code weight} is negative
     * @throws IllegalStateException    if this node has not joined {@code group}
     */
    public void setWeight(long nowNanos, String group, int weight) {
        Item joinItem = joinItem(weight);
        TimedItem held = state(group).itemsOf(self).get(joinItem);
        if (held == null || held.op() != Op.GET) {
            throw new IllegalStateException("setWeight: " + self + " has not joined group " + group);
        }
        if (held.item().priority() != weight) {
            commit(nowNanos, writer.write(state(group), List.of(joinItem)));
        }
    }

    private Item joinItem(int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " is negative");
        }
        return new Item(self, Op.GET, 0, Item.MAX_KEY, 0, weight);
    }

    /**
     * Writes several of this node's own items in {@code group} as one write (one clock, one broadcast delta):
     * ADD items to add or replace, RMV items (any port and priority) to tombstone the item with that key.
     *
     * @throws IllegalArgumentException as {@link LocalMember#write}: empty, another member's item, a key twice
     */
    public void write(long nowNanos, String group, Collection<Item> items) {
        GroupState.checkGroupName(group);
        commit(nowNanos, writer.write(state(group), items));
    }

    /** Leaves {@code group}: all of this node's items become tombstones; broadcast to the remaining members. */
    public void leave(long nowNanos, String group) {
        GroupState before = state(group);
        Set<NetId> audience = new TreeSet<>(before.members());
        commit(nowNanos, writer.leave(before), audience);
    }

    /** Announces that this node serves {@code start..end} (inclusive) on {@code port}. */
    public TimedItem addItem(long nowNanos, String group, long start, long end, int port, int priority) {
        LocalMember.Write w = writer.addItem(state(group), start, end, port, priority);
        commit(nowNanos, w);
        return w.state().itemsOf(self).get(Item.add(self, start, end, port, priority));
    }

    /** Withdraws the item with key (self, start, end). */
    public TimedItem removeItem(long nowNanos, String group, long start, long end) {
        LocalMember.Write w = writer.removeItem(state(group), start, end);
        commit(nowNanos, w);
        return w.state().itemsOf(self).get(new Item(self, Op.RMV, start, end, 0, 0));
    }

    /** Leaves every group this node is a member of. */
    public void leaveAll(long nowNanos) {
        membership.leave();
        for (String g : myGroups()) {
            leave(nowNanos, g);
        }
    }

    private void commit(long nowNanos, LocalMember.Write w) {
        commit(nowNanos, w, w.state().members());
    }

    private void commit(long nowNanos, LocalMember.Write w, Collection<NetId> audience) {
        if (w.isEmpty()) {
            return;
        }
        String group = w.state().group();
        GroupState before = state(group);
        states.put(group, w.state());
        events.diff(before, w.state(), List.of(self));
        Set<NetId> to = new LinkedHashSet<>(audience);
        to.addAll(seeds.getOrDefault(group, Set.of()));
        to.remove(self);
        to.removeIf(membership::isDown);
        announcements.told(group, to);
        dissemination.broadcast(nowNanos, new GroupDeltaMessage(w.delta()), to);
    }

    // ---- views --------------------------------------------------------------------------------------

    /** @return this node's replica of {@code group}'s state (empty if it knows nothing of it) */
    public GroupState state(String group) {
        GroupState s = states.get(group);
        return s != null ? s : GroupState.empty(group);
    }

    /**
     * @return the members of {@code group} that count: those with a GET or ADD item that the failure detector
     *         does not hold DEAD or LEFT (ALIVE or SUSPECT), in id order
     */
    public NavigableSet<NetId> members(String group) {
        NavigableSet<NetId> all = state(group).members();
        TreeSet<NetId> out = new TreeSet<>();
        for (NetId m : all) {
            if (!membership.isDown(m)) {
                out.add(m);
            }
        }
        return out;
    }

    /**
     * @return the ADD items serving {@code key} in {@code group}, highest priority first, without those of members
     *         held DEAD or LEFT
     * @throws IllegalArgumentException if the key is not in 0..2^32-1
     */
    public List<Item> route(String group, long key) {
        List<Item> all = state(group).route(key);
        List<Item> out = new ArrayList<>(all.size());
        for (Item it : all) {
            if (!membership.isDown(it.member())) {
                out.add(it);
            }
        }
        return out;
    }

    /** @return what the failure detector believes of each member of {@code group} (self: ALIVE), in id order */
    public Map<NetId, MemberState> memberStates(String group) {
        Map<NetId, MemberState> out = new TreeMap<>();
        for (NetId m : state(group).members()) {
            out.put(m, membership.state(m));
        }
        return out;
    }

    /** @return the failure detector (read its members and counters on the core's thread) */
    public FailureDetector detector() {
        return membership.detector();
    }

    /** @return every group this node knows of, members or not, in name order */
    public Set<String> groups() {
        return new TreeSet<>(states.keySet());
    }

    /** @return the groups where this node has a GET or ADD item */
    public Set<String> myGroups() {
        Set<String> out = new TreeSet<>();
        states.forEach((g, s) -> {
            if (s.members().contains(self)) {
                out.add(g);
            }
        });
        return out;
    }

    // ---- input --------------------------------------------------------------------------------------

    /** Handles a decoded message from the network. Anything but a gossip envelope is ignored. */
    public void onMessage(long nowNanos, Via via, WireMessage message) {
        if (message instanceof SwimPacket p) {
            if (!p.from().equals(self)) {
                membership.onPacket(nowNanos, p);
            }
            return;
        }
        if (!(message instanceof Gossip g)) {
            return;
        }
        NetId from = g.current().origin();
        if (from.equals(self)) {
            return;
        }
        membership.onUpdates(nowNanos, from, g.updates());
        boolean newPeer = peers.heard(from, nowNanos);
        if (via == Via.MULTICAST) {
            peers.heardMulticast(g.current(), nowNanos);
        }
        peers.reportedSeen(from, g.seen(), nowNanos);
        boolean first = dissemination.firstTime(g.current());
        if (first) {
            g.payload().accept(new PayloadHandler(nowNanos, from, newPeer));
        }
        if (via == Via.STREAM && !g.distribution().isEmpty()) {
            // Our turn in the sender's broadcast tree: forward to our part of it, even if we had the
            // payload already (its multicast copy may have reached us first).
            dissemination.broadcast(nowNanos, g.payload(), g.distribution());
        }
    }

    private final class PayloadHandler implements WireMessage.Handler<Void> {
        private final long now;
        private final NetId from;
        private final boolean newPeer;

        PayloadHandler(long now, NetId from, boolean newPeer) {
            this.now = now;
            this.from = from;
            this.newPeer = newPeer;
        }

        @Override
        public Void onGossip(Gossip gossip) {
            return null;
        }

        @Override
        public Void onGroupState(GroupStateMessage m) {
            merged(m.state());
            return null;
        }

        @Override
        public Void onGroupDelta(GroupDeltaMessage m) {
            merged(m.delta());
            return null;
        }

        private void merged(GroupState incoming) {
            membership.tellVerdicts(from, incoming);
            boolean knewGroup = states.containsKey(incoming.group());
            merge(now, incoming);
            if (newPeer || !knewGroup) {
                // Someone we had not heard of, or a group new to us: pull-push with it at once.
                dissemination.send(now, from, digestOf(state(incoming.group())));
            }
        }

        @Override
        public Void onSwim(SwimPacket p) {
            return null;
        }

        @Override
        public Void onDigest(DigestMessage d) {
            GroupState mine = state(d.group());
            if (d.digest() == mine.digest()) {
                return null;
            }
            if (d.clock().isEmpty() && d.digest() != GroupState.empty(d.group()).digest()) {
                // A probe (hash only) that disagrees: answer with our clock, so the prober sends what we
                // lack and asks for what it lacks.
                dissemination.send(now, from, digestOf(mine));
                return null;
            }
            GroupState delta = mine.delta(d.clock());
            // Live records of members held DEAD or LEFT stay here, and the peer gets the verdict instead: a node
            // that never heard the verdict would hold them ALIVE and pass them on (see Membership#tellVerdicts).
            List<SwimMessage.Update> verdicts = membership.verdicts(delta);
            for (SwimMessage.Update v : verdicts) {
                delta = delta.without(v.member());
            }
            if (!delta.isEmpty()) {
                dissemination.send(now, from, new GroupDeltaMessage(delta));
            }
            membership.tell(from, verdicts);
            if (!mine.worldClock().containsAll(d.clock())) {
                dissemination.send(now, from, digestOf(mine));
            }
            return null;
        }
    }

    /**
     * Merges a state or delta of a group into this node's replica, as if a peer had sent it: reports changes,
     * refutes stale writes of this node's id, tells the failure detector of new members. For state obtained out of
     * band (a snapshot; the simulator's bootstrap of large clusters). Sends nothing but refutations.
     */
    public void merge(long nowNanos, GroupState received) {
        stats.merges++;
        GroupState incoming = membership.strip(nowNanos, received, wallMillis.getAsLong() - config.tombstoneTtl().toMillis());
        GroupState before = state(incoming.group());
        GroupState after = before.merge(incoming);
        if (after == before || after.equals(before)) {
            return;
        }
        stats.changes++;
        states.put(incoming.group(), after);
        events.diff(before, after, incoming.worldClock().members());
        membership.sync(nowNanos, incoming, after);
        writer.reconcile(after).ifPresent(w -> {
            stats.refutations++;
            commit(nowNanos, w);
        });
        announce(nowNanos, incoming.group());
    }

    /** While a join is recent, tells members we just learned of about our own record. */
    private void announce(long nowNanos, String group) {
        if (!announcements.isOpen(group)) {
            return;
        }
        GroupState s = state(group);
        // Not a member (yet, or any more): nobody to tell, but an ended window is still dropped.
        Collection<NetId> members = s.members().contains(self) ? s.members() : List.of();
        List<NetId> fresh = announcements.fresh(nowNanos, group, self, members);
        if (!fresh.isEmpty()) {
            GroupState mine = GroupState.of(group,
                    WorldClock.empty().with(self, s.worldClock().get(self)),
                    s.itemsOf(self).items());
            dissemination.broadcast(nowNanos, new GroupDeltaMessage(mine), fresh);
        }
    }

    private static DigestMessage digestOf(GroupState s) {
        return new DigestMessage(s.group(), s.digest(), s.worldClock());
    }

    // ---- time ---------------------------------------------------------------------------------------

    /**
     * Runs what is due: anti-entropy (per group this node is in, a digest to one random member, or to a
     * seed while it knows no member) and tombstone compaction. Call it often (every few ms to 100 ms).
     */
    public void tick(long nowNanos) {
        if (nextAntiEntropyNanos == Long.MIN_VALUE) {
            // Spread the first round over one interval so nodes started together do not tick together.
            nextAntiEntropyNanos = nowNanos + (long) (random.nextDouble() * config.antiEntropyInterval().toNanos());
            nextCompactionNanos = nowNanos + config.compactionInterval().toNanos();
        }
        if (nowNanos - nextAntiEntropyNanos >= 0) {
            nextAntiEntropyNanos = nowNanos + config.antiEntropyInterval().toNanos();
            List<GroupState> mine = new ArrayList<>();
            for (String group : myGroups()) {
                mine.add(state(group));
            }
            antiEntropy.round(mine);
        }
        for (NetId peer : membership.tick(nowNanos)) {
            // Healing: besides the detector's ping, compare topologies, for a peer that forgot us entirely.
            for (String group : myGroups()) {
                dissemination.send(nowNanos, peer, new DigestMessage(group, state(group).digest(), WorldClock.empty()));
            }
        }
        if (nowNanos - nextCompactionNanos >= 0) {
            nextCompactionNanos = nowNanos + config.compactionInterval().toNanos();
            compact(nowNanos);
        }
    }

    /** @return how many peers the peer table holds (bounded by those heard within the seen TTL) */
    int knownPeers() {
        return peers.size();
    }

    /** @return how many members this node has forgotten and still keeps out (see {@link Membership}) */
    int forgottenMembers() {
        return membership.forgottenCount();
    }

    /** Drops old tombstones, and forgets members down longer than the TTL (see {@link Expiry}). */
    private void compact(long nowNanos) {
        peers.expire(nowNanos);
        expiry.run(nowNanos, states);
    }
}
