package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.SwimMessage.Alive;
import io.scalesmall.wire.SwimMessage.Dead;
import io.scalesmall.wire.SwimMessage.Suspect;
import io.scalesmall.wire.SwimMessage.Update;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One detector's membership view and its merge rules (SWIM §4.2, memberlist {@code state.go}): a higher
 * incarnation overrides; at equal incarnation SUSPECT overrides ALIVE and DEAD/LEFT override both; an update
 * about this node at or above its incarnation is refuted by a higher one. Every accepted update is queued to
 * be re-gossiped. Membership itself is the host's: updates about members it never added are ignored.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class MemberTable {
    private static final Logger LOG = LoggerFactory.getLogger(MemberTable.class);

    private static final class Entry extends ActiveIndex.Slotted {
        final NetId id;
        MemberState state = MemberState.ALIVE;
        long incarnation;
        /** Non-null exactly while SUSPECT. */
        Suspicion suspicion;

        Entry(NetId id) {
            this.id = id;
        }
    }

    private final NetId self;
    private final SwimConfig config;
    private final LocalHealth health;
    private final UpdateQueue updates;
    private final SwimStats stats;
    private final List<Member.Listener> listeners = new ArrayList<>();
    private final Map<NetId, Entry> members = new TreeMap<>();
    /** The members SUSPECT now (those with a suspicion), so expiry looks at them only, not at every member. */
    private final Set<NetId> suspects = new HashSet<>();
    /** The members ALIVE or SUSPECT now, for drawing a few at random. */
    private final ActiveIndex<Entry> activeIndex = new ActiveIndex<>();
    /** This node's incarnation: only ever rises. */
    private long incarnation;
    private boolean leaving;
    /** How many members (self excluded) are ALIVE or SUSPECT. */
    private int active;

    MemberTable(NetId self, long incarnation, SwimConfig config, LocalHealth health, UpdateQueue updates,
            SwimStats stats) {
        this.self = self;
        this.incarnation = incarnation;
        this.config = config;
        this.health = health;
        this.updates = updates;
        this.stats = stats;
    }

    void addListener(Member.Listener l) {
        listeners.add(l);
    }

    long incarnation() {
        return incarnation;
    }

    /** @return members ALIVE or SUSPECT, self included */
    int groupSize() {
        return active + 1;
    }

    boolean isActive(NetId id) {
        Entry e = members.get(id);
        return e != null && e.state.isActive();
    }

    Member get(NetId id) {
        Entry e = members.get(id);
        return e == null ? null : new Member(id, e.state, e.incarnation);
    }

    List<Member> all() {
        List<Member> out = new ArrayList<>(members.size());
        members.forEach((id, e) -> out.add(new Member(id, e.state, e.incarnation)));
        return out;
    }

    /** @return up to {@code k} distinct random active members (ALIVE or SUSPECT); see {@link ActiveIndex} */
    List<NetId> randomActive(int k, Random random) {
        return ids(activeIndex.draw(k, e -> true, random));
    }

    /**
     * @return up to {@code k} distinct random ALIVE members other than {@code exclude}: the helpers of an indirect
     *         probe, as memberlist's {@code kRandomNodes} draws them. Drawing suspects too heals a 30 s split of 100
     *         simulated nodes much faster (about 2 s against 14–44 s), but under churn, where suspects are mostly
     *         crashed, the 10,000-member churn run then drifted at its end (its observer heard 111 peers instead of
     *         about 460); see {@link ActiveIndex}
     */
    List<NetId> randomAlive(int k, NetId exclude, Random random) {
        return ids(activeIndex.draw(k, e -> e.state == MemberState.ALIVE && !e.id.equals(exclude), random));
    }

    private static List<NetId> ids(List<Entry> entries) {
        List<NetId> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(e.id);
        }
        return out;
    }

    /** @return true if {@code id} was new; a known member is treated as an {@link Alive} at {@code inc} */
    boolean add(long nowNanos, NetId id, long inc) {
        if (id.equals(self)) {
            return false;
        }
        if (members.containsKey(id)) {
            apply(nowNanos, new Alive(id, inc));
            return false;
        }
        Entry e = new Entry(id);
        e.incarnation = inc;
        members.put(id, e);
        active++;
        activeIndex.add(e);
        notify(nowNanos, id, null, MemberState.ALIVE, inc);
        return true;
    }

    /**
     * Records a verdict about a member this table does not hold yet: a {@code Dead} adds it DEAD (LEFT if it left) at
     * the verdict's incarnation, not queued for re-gossip (it is news to this node only), so that records of it that
     * arrive later, at an incarnation no higher, do not add it ALIVE. Verdicts can arrive before the records that
     * name the member (a leave heard before the join; a datagram overtaking a stream).
     *
     * @return true if the member was added
     */
    boolean addDown(long nowNanos, Dead d) {
        if (d.member().equals(self) || members.containsKey(d.member())) {
            return false;
        }
        Entry e = new Entry(d.member());
        e.state = d.from().equals(d.member()) ? MemberState.LEFT : MemberState.DEAD;
        e.incarnation = d.incarnation();
        members.put(d.member(), e);
        notify(nowNanos, d.member(), null, e.state, d.incarnation());
        return true;
    }

    boolean remove(NetId id) {
        suspects.remove(id);
        Entry e = members.remove(id);
        if (e != null) {
            activeIndex.remove(e);
        }
        if (e != null && e.state.isActive()) {
            active--;
        }
        return e != null;
    }

    /** Marks this node as leaving and queues its own {@code Dead(self, inc, self)}. */
    void leave() {
        leaving = true;
        updates.add(new Dead(self, incarnation, self));
    }

    /** Applies one update, queueing it for re-gossip if it changed anything. */
    void apply(long nowNanos, Update u) {
        if (u.member().equals(self)) {
            aboutSelf(u);
            return;
        }
        Entry e = members.get(u.member());
        if (e == null || u.incarnation() < e.incarnation) {
            return;
        }
        if (u instanceof Alive a) {
            if (a.incarnation() > e.incarnation) {
                set(nowNanos, a.member(), e, MemberState.ALIVE, a.incarnation());
                updates.add(a);
            }
        } else if (u instanceof Suspect s) {
            if (e.state == MemberState.SUSPECT && s.incarnation() == e.incarnation) {
                if (e.suspicion.confirm(s.from())) {
                    updates.add(s);
                }
            } else if (e.state.isActive()) {
                set(nowNanos, s.member(), e, MemberState.SUSPECT, s.incarnation());
                e.suspicion = newSuspicion(nowNanos, s);
                suspects.add(s.member());
                updates.add(s);
                if (s.from().equals(self)) {
                    stats.suspicionsRaised++;
                }
            }
        } else if (u instanceof Dead d) {
            if (e.state.isActive()) {
                set(nowNanos, d.member(), e, d.from().equals(d.member()) ? MemberState.LEFT : MemberState.DEAD,
                        d.incarnation());
                updates.add(d);
            }
        }
    }

    private Suspicion newSuspicion(long nowNanos, Suspect s) {
        int n = groupSize();
        long min = config.suspicionMin(n).toNanos();
        if (!config.lifeguard()) {
            return new Suspicion(nowNanos, s.incarnation(), s.from(), min, min, 0);
        }
        // memberlist: expect beta - 2 confirmations (reach the minimum two periods short of beta periods);
        // none if there are too few others besides us and the suspect.
        int k = config.suspicionBeta() - 2;
        if (n - 2 < k) {
            k = 0;
        }
        return new Suspicion(nowNanos, s.incarnation(), s.from(), min, config.suspicionMax(n).toNanos(), k);
    }

    private void aboutSelf(Update u) {
        if (leaving || u instanceof Alive && u.incarnation() <= incarnation) {
            return;
        }
        if (u.incarnation() < incarnation) {
            // Someone still spreads an accusation we already refuted: it may not have our refutation yet.
            updates.add(new Alive(self, incarnation));
            return;
        }
        // Someone suspects us, declares us dead, or carries our id at a higher incarnation: refute.
        incarnation = u.incarnation() + 1;
        updates.add(new Alive(self, incarnation));
        stats.refutations++;
        if (config.lifeguard()) {
            health.apply(1);
        }
        LOG.info("{} refutes {} with incarnation {}", self, u, incarnation);
    }

    /** Declares dead every suspect whose suspicion timed out, scaled by local health under Lifeguard. */
    void expireSuspicions(long nowNanos) {
        List<Dead> verdicts = null;
        for (NetId id : suspects) {
            Suspicion s = members.get(id).suspicion;
            long timeout = config.lifeguard() ? health.scale(s.timeoutNanos()) : s.timeoutNanos();
            if (nowNanos - s.startNanos >= timeout) {
                if (verdicts == null) {
                    verdicts = new ArrayList<>();
                }
                verdicts.add(new Dead(id, s.incarnation, self));
            }
        }
        if (verdicts != null) {
            for (Dead d : verdicts) {
                stats.deathsDeclared++;
                apply(nowNanos, d);
            }
        }
    }

    private void set(long nowNanos, NetId id, Entry e, MemberState to, long inc) {
        MemberState from = e.state;
        if (from.isActive() != to.isActive()) {
            active += to.isActive() ? 1 : -1;
        }
        e.state = to;
        if (to.isActive()) {
            activeIndex.add(e);
        } else {
            activeIndex.remove(e);
        }
        e.incarnation = inc;
        e.suspicion = null;
        suspects.remove(id);
        if (from != to) {
            notify(nowNanos, id, from, to, inc);
        }
    }

    private void notify(long nowNanos, NetId id, MemberState from, MemberState to, long inc) {
        if (from != null) {
            LOG.info("{} sees {} {} -> {} (incarnation {})", self, id, from, to, inc);
        }
        Member.Change c = new Member.Change(id, from, to, inc);
        for (Member.Listener l : listeners) {
            l.onChange(nowNanos, c);
        }
    }
}
