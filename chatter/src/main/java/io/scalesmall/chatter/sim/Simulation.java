package io.scalesmall.chatter.sim;

import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.DoubleConsumer;

/**
 * The scenario behind {@code scalesmall simulate}: N nodes of the real protocol code on the simulated network
 * (manual clock, seeded), in phases — form the group, measure steady traffic, time one change to 99.9 % and 100 % of
 * the nodes, crash some and time their detection, optionally split the cluster and time the healing, optionally
 * churn — and report what each phase measured.
 *
 * @param nodes            N, 2..100,000
 * @param seed             seeds everything
 * @param loss             probability 0..1 that any message is lost
 * @param minDelayMs       the links' smallest one-way delay, ms
 * @param maxDelayMs       the links' largest one-way delay, ms ({@code >= minDelayMs})
 * @param crashes          how many nodes crash at once (0..N-1)
 * @param partitionSeconds how long a minority/majority split lasts (0: none), simulated seconds
 * @param minority         the fraction of nodes cut off by the split (0..0.5)
 * @param churnPerSecond   new members joining (and as many going) per simulated second during the churn phase
 * @param churnSeconds     how long the churn phase lasts (0: none)
 * @param config           the nodes' configuration
 */
public record Simulation(int nodes, long seed, double loss, long minDelayMs, long maxDelayMs, int crashes,
        long partitionSeconds, double minority, int churnPerSecond, long churnSeconds, ChatterConfig config) {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    /** @throws IllegalArgumentException naming the parameter if one is out of range */
    public Simulation {
        check(nodes >= 2 && nodes <= 100_000, "nodes: " + nodes + " is not in 2..100000");
        check(loss >= 0 && loss <= 1, "loss: " + loss + " is not in 0..1");
        check(minDelayMs >= 0 && maxDelayMs >= minDelayMs, "delay: " + minDelayMs + ".." + maxDelayMs + " ms");
        check(crashes >= 0 && crashes < nodes, "crashes: " + crashes + " is not in 0.." + (nodes - 1));
        check(partitionSeconds >= 0, "partition: " + partitionSeconds + " s is negative");
        check(minority >= 0 && minority <= 0.5, "minority: " + minority + " is not in 0..0.5");
        check(churnPerSecond >= 0 && churnSeconds >= 0, "churn: negative");
        check(config != null, "config: null");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * What a run measured. Times are simulated ms; -1 where the phase did not finish within its limit (60 s of
     * simulated time) or did not run. False deaths: DEAD verdicts on members not crashed, before any split (a split
     * makes each side declare the other dead, as it should). Open connections: peers a node exchanged TCP messages
     * during the steady window and the one change (formation's traffic excluded; the transport closes connections idle
     * for 60 s).
     */
    public record Report(int nodes, long formMs, double messagesPerNodePerSecond, double bytesPerNodePerSecond,
            long change999Ms, long change100Ms, long firstSuspectMs, long allDeadMs, long falseDeaths,
            long healMs, int maxOpenConnections, double meanOpenConnections, int churnMembersHeld,
            long wallMs) {
    }

    /**
     * Runs the scenario.
     *
     * @param progress receives the fraction done, 0..1, now and then (for a progress bar)
     */
    public Report run(DoubleConsumer progress) {
        long wallStart = System.nanoTime();
        Random random = new Random(seed);
        LinkModel links = LinkModel.uniform(minDelayMs * MS, maxDelayMs * MS).withFaults(loss, 0);
        long tick = nodes > 2_000 ? 50 * MS : 10 * MS;
        SimCluster c = new SimCluster(seed, config, links, tick);
        c.network().countBytes(true);
        c.addFormed(nodes);
        long formMs = SimCluster.ms(c.runUntil(c::agreed, S, 60 * S));
        progress.accept(0.1);
        c.run(5 * S);

        // Steady traffic: probes, anti-entropy, piggybacked updates.
        c.network().resetConnections();
        long msgs0 = c.network().messagesSent();
        long bytes0 = c.network().bytesSent();
        long window = 10 * S;
        c.run(window);
        double perNodeSeconds = (double) nodes * window / S;
        double msgsRate = (c.network().messagesSent() - msgs0) / perNodeSeconds;
        double bytesRate = (c.network().bytesSent() - bytes0) / perNodeSeconds;
        progress.accept(0.3);

        // One change, to 99.9 % and 100 % of the nodes.
        c.clearItemSeen();
        NetId writer = c.ids().get(random.nextInt(nodes));
        long t0 = c.nowNanos();
        c.node(writer).addItem(t0, SimCluster.GROUP, 0, 65_535, 7000, 0);
        int need999 = (int) Math.ceil(0.999 * nodes);
        long changeAll = c.runUntil(() -> c.itemSeen().size() >= nodes, 10 * MS, 60 * S);
        List<Long> seen = new ArrayList<>();
        c.itemSeen().values().forEach(t -> seen.add(t - t0));
        Collections.sort(seen);
        long change999 = seen.size() >= need999 ? SimCluster.ms(seen.get(need999 - 1)) : -1;
        int maxConn = 0;
        long sumConn = 0;
        for (NetId id : c.up()) {
            int open = c.network().node(id).openConnections();
            maxConn = Math.max(maxConn, open);
            sumConn += open;
        }
        double meanConn = (double) sumConn / nodes;
        progress.accept(0.5);

        // Crashes and their detection by every survivor.
        long firstSuspect = -1;
        long allDead = -1;
        if (crashes > 0) {
            List<NetId> order = new ArrayList<>(c.ids());
            Collections.shuffle(order, random);
            List<NetId> victims = order.subList(0, crashes);
            long crashAt = c.nowNanos();
            for (NetId v : victims) {
                c.crash(v);
            }
            long[] suspectAt = {-1};
            long took = c.runUntil(() -> {
                if (suspectAt[0] < 0 && anySuspect(c, victims)) {
                    suspectAt[0] = c.nowNanos() - crashAt;
                }
                return victims.stream().allMatch(v -> c.allSee(v, MemberState.DEAD));
            }, 50 * MS, 60 * S);
            firstSuspect = suspectAt[0] < 0 ? -1 : SimCluster.ms(suspectAt[0]);
            allDead = took < 0 ? -1 : SimCluster.ms(took);
        }
        progress.accept(0.7);

        long falseDeaths = c.falseDeaths();
        // A minority/majority split, then healing.
        long heal = -1;
        if (partitionSeconds > 0 && minority > 0) {
            List<NetId> up = c.up();
            Set<NetId> side = new HashSet<>(up.subList(0, Math.max(1, (int) (up.size() * minority))));
            c.partition(LinkModel.split(side));
            c.run(partitionSeconds * S);
            c.heal();
            long took = c.runUntil(c::agreed, 100 * MS, 120 * S);
            heal = took < 0 ? -1 : SimCluster.ms(took);
        }
        progress.accept(0.85);

        int churnHeld = -1;
        if (churnPerSecond > 0 && churnSeconds > 0) {
            churnHeld = churn(c, random);
        }
        progress.accept(1.0);
        return new Report(nodes, formMs, msgsRate, bytesRate, change999, changeAll < 0 ? -1
                : SimCluster.ms(changeAll), firstSuspect, allDead, falseDeaths, heal, maxConn, meanConn, churnHeld,
                (System.nanoTime() - wallStart) / MS);
    }

    private static boolean anySuspect(SimCluster c, List<NetId> victims) {
        for (NetId v : victims) {
            for (NetId id : c.up()) {
                MemberState s = c.node(id).memberStates(SimCluster.GROUP).get(v);
                if (s == MemberState.SUSPECT || s == MemberState.DEAD) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Members join through random nodes and go after 10 s; returns the most members one stable node held. */
    private int churn(SimCluster c, Random random) {
        List<NetId> stable = c.up();
        NetId observer = stable.get(0);
        List<NetId> living = new ArrayList<>();
        List<Long> born = new ArrayList<>();
        int held = 0;
        long step = S / churnPerSecond;
        for (long t = 0; t < churnSeconds * S; t += step) {
            living.add(c.add(null, stable.get(random.nextInt(stable.size()))));
            born.add(c.nowNanos());
            while (!born.isEmpty() && c.nowNanos() - born.get(0) >= 10 * S) {
                born.remove(0);
                NetId gone = living.remove(0);
                if (random.nextBoolean()) {
                    c.node(gone).leaveAll(c.nowNanos());
                }
                c.crash(gone);
                c.network().remove(gone);
            }
            c.run(step);
            held = Math.max(held, c.node(observer).state(SimCluster.GROUP).worldClock().size());
        }
        return held;
    }
}
