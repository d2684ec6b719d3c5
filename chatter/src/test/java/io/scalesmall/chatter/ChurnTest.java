package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimCluster;
import io.scalesmall.chatter.swim.Member;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, "Churn": 10,000 distinct members join and go (four in five leave, one in five crashes) over time, beside
 * 20 stable nodes.
 * A stable node's state (world-clock entries, items) and its detector's table stay bounded by the TTL times the
 * churn rate, and level off instead of growing with the number of members ever seen.
 */
class ChurnTest {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;
    static final int DISTINCT = Integer.getInteger("churn.distinct", 2_000);
    static final int PER_SECOND = 20;
    static final long LIFETIME = 1 * S;
    static final Duration TTL = Duration.ofSeconds(10);
    /** Stable nodes: SWIM detects crashes at about one probe per node and period, so churn must stay below that. */
    static final int STABLE = 20;
    /** One departure in this many is a crash (no leave); the rest leave. */
    static final int CRASH_EVERY = Integer.getInteger("churn.crashEvery", 10);
    /** Print the observer's table sizes every this many members ({@code -Dchurn.printEvery}; 0: only at the end). */
    static final int PRINT_EVERY = Integer.getInteger("churn.printEvery", 0);

    record Size(int clock, int items, int detector, int peers, int forgotten) {
        /** The largest of the bounded tables. */
        int max() {
            return Math.max(Math.max(Math.max(clock, items), Math.max(detector, peers)), forgotten);
        }
    }

    static Size size(SimCluster c, NetId observer) {
        GroupState s = c.node(observer).state(SimCluster.GROUP);
        return new Size(s.worldClock().size(), s.itemCount(), c.node(observer).detector().members().size(),
                c.node(observer).knownPeers(), c.node(observer).forgottenMembers());
    }

    /**
     * @return for each detector state at the observer: how many of its members are still up, left, or crashed, with
     *         the oldest departure in seconds (a diagnostic for {@code -Dchurn.printEvery})
     */
    static String breakdown(SimCluster c, NetId observer, Map<NetId, Long> departedAt, Set<NetId> crashed,
            Set<NetId> wasDown) {
        Map<MemberState, int[]> out = new EnumMap<>(MemberState.class);
        for (Member m : c.node(observer).detector().members()) {
            int[] n = out.computeIfAbsent(m.state(), k -> new int[5]);
            if (wasDown.contains(m.id()) && m.state().isActive()) {
                n[4]++;
            }
            Long at = departedAt.get(m.id());
            n[at == null ? 0 : crashed.contains(m.id()) ? 2 : 1]++;
            if (at != null) {
                n[3] = Math.max(n[3], (int) ((c.nowNanos() - at) / S));
            }
        }
        StringBuilder b = new StringBuilder();
        out.forEach((state, n) -> b.append(String.format(" %s up %d left %d crashed %d oldest %d s revived %d;", state,
                n[0], n[1], n[2], n[3], n[4])));
        return b.toString();
    }

    @Test
    void stateStaysBoundedByTtlTimesChurnRate() {
        long seed = 99;
        ChatterConfig config = ChatterConfig.lan().withTombstoneTtl(TTL, Duration.ofSeconds(2));
        SimCluster c = new SimCluster(seed, config, LinkModel.uniform(MS / 2, 2 * MS), 10 * MS);
        c.network().countBytes(false);
        NetId first = c.add(null, null);
        for (int i = 1; i < STABLE; i++) {
            c.add(null, first);
        }
        c.run(5 * S);
        NetId observer = c.ids().get(STABLE - 1);
        Set<NetId> wasDown = new HashSet<>();
        c.node(observer).detector().addListener((now, change) -> {
            if (!change.to().isActive()) {
                wasDown.add(change.member());
            }
        });
        Deque<NetId> living = new ArrayDeque<>();
        Deque<Long> bornAt = new ArrayDeque<>();
        long step = S / PER_SECOND;
        int maxFirstHalf = 0;
        int maxSecondHalf = 0;
        Size last = null;
        int departures = 0;
        Map<NetId, Long> departedAt = new HashMap<>();
        Set<NetId> crashed = new HashSet<>();
        for (int i = 0; i < DISTINCT; i++) {
            NetId t = c.add(null, c.ids().get(i % STABLE));
            living.add(t);
            bornAt.add(c.nowNanos());
            while (!bornAt.isEmpty() && c.nowNanos() - bornAt.peek() >= LIFETIME) {
                bornAt.poll();
                NetId gone = living.poll();
                if (++departures % CRASH_EVERY != 0) {
                    c.node(gone).leaveAll(c.nowNanos());
                } else {
                    crashed.add(gone);
                }
                departedAt.put(gone, c.nowNanos());
                c.crash(gone);
                c.network().remove(gone);
            }
            c.run(step);
            if (i % PER_SECOND == 0) {
                last = size(c, observer);
                if (PRINT_EVERY > 0 && i % PRINT_EVERY == 0) {
                    System.out.printf("churn: %d members so far; observer %s, detector:%s%n", i, last,
                            breakdown(c, observer, departedAt, crashed, wasDown));
                }
                // Compare a middle stretch with the last one, both after the first two TTLs have passed.
                if (i >= DISTINCT * 4 / 10 && i < DISTINCT * 7 / 10) {
                    maxFirstHalf = Math.max(maxFirstHalf, last.max());
                } else if (i >= DISTINCT * 7 / 10) {
                    maxSecondHalf = Math.max(maxSecondHalf, last.max());
                }
            }
        }
        // Members present at any time: live ones, plus departed ones for up to two TTLs (records purged after one
        // TTL, the detector forgets after another) or the peer table's seen TTL, plus a compaction interval and 5 s.
        long window = LIFETIME / S + Math.max(2 * TTL.toSeconds(), config.seenTtl().toSeconds()) + 2 + 5;
        long bound = PER_SECOND * window;
        System.out.printf("churn: %d distinct members at %d/s, TTL %d s: observer holds at most %d (40-70 %% of the run), %d "
                + "(70-100 %%); last %s; bound %d%n", DISTINCT, PER_SECOND, TTL.toSeconds(), maxFirstHalf,
                maxSecondHalf, last, bound);
        assertThat(maxSecondHalf).as("seed %d: bounded by TTL x churn rate", seed).isLessThanOrEqualTo((int) bound);
        assertThat(maxSecondHalf).as("seed %d: levels off (the last stretch no larger than 1.25x the middle one)", seed)
                .isLessThanOrEqualTo(maxFirstHalf * 5 / 4);
    }
}
