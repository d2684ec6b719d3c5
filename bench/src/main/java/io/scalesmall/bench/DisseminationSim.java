package io.scalesmall.bench;

import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.sim.LinkModel;
import io.scalesmall.chatter.sim.SimNetwork;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.List;

/**
 * How fast a topology change spreads, on the simulated network running the real protocol core (issue 3,
 * "Speed"): N nodes form one group, then one node adds an item; reports the simulated time until 99.9 % and
 * 100 % of nodes hold it, and messages and bytes per node per second in steady state (anti-entropy only) and
 * during the change.
 *
 * <p>Run: {@code java -cp bench/target/benchmarks.jar io.scalesmall.bench.DisseminationSim [N ...] [--loss P]
 * [--delay-ms D] [--multicast-domains K] [--seed S]}. Defaults: N = 100 and 1000, loss 0, delay 1 ms, no
 * multicast (every node reached over the TCP tree), seed 1.
 */
public final class DisseminationSim {
    private static final long MS = 1_000_000L;

    private DisseminationSim() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        double loss = 0;
        long delayMs = 1;
        int domains = 0;
        long seed = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--loss" -> loss = Double.parseDouble(args[++i]);
                case "--delay-ms" -> delayMs = Long.parseLong(args[++i]);
                case "--multicast-domains" -> domains = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                default -> sizes.add(Integer.parseInt(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(100, 1000);
        }
        System.out.printf("%6s %6s %8s %8s %10s %10s %12s %12s %14s%n", "N", "loss", "delay", "domains",
                "t99.9%", "t100%", "steady msg/s", "steady kbit/s", "change msgs/n");
        for (int n : sizes) {
            run(n, loss, delayMs, domains, seed);
        }
    }

    static void run(int n, double loss, long delayMs, int domains, long seed) {
        SimNetwork net = new SimNetwork(seed, LinkModel.uniform(delayMs * MS / 2, delayMs * MS).withFaults(loss, 0), MS);
        ChatterConfig config = ChatterConfig.lan();
        NetId[] ids = new NetId[n];
        for (int i = 0; i < n; i++) {
            ids[i] = NetId.parse("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255) + ":29999");
            net.addNode(ids[i], domains == 0 ? null : "lan" + (i % domains), config);
        }
        for (int i = 0; i < n; i++) {
            net.node(ids[i]).core().join(net.nowNanos(), "g", i == 0 ? List.of() : List.of(ids[0]));
            net.runUntil(net.nowNanos() + 5 * MS);
        }
        boolean formed = false;
        for (long until = net.nowNanos() + 120_000 * MS; net.nowNanos() < until && !formed; ) {
            net.runUntil(net.nowNanos() + 100 * MS);
            formed = true;
            for (NetId id : ids) {
                if (net.node(id).core().state("g").members().size() != n) {
                    formed = false;
                    break;
                }
            }
        }
        if (!formed) {
            System.out.printf("%6d: the group did not form within 120 s of simulated time%n", n);
            return;
        }
        // Steady state: 10 s of anti-entropy alone.
        net.runUntil(net.nowNanos() + 2_000 * MS);
        long m0 = net.messagesSent();
        long b0 = net.bytesSent();
        long t0 = net.nowNanos();
        net.runUntil(t0 + 10_000 * MS);
        double secs = (net.nowNanos() - t0) / 1e9;
        double steadyMsgs = (net.messagesSent() - m0) / secs / n;
        double steadyKbit = (net.bytesSent() - b0) * 8 / secs / n / 1000;

        long m1 = net.messagesSent();
        long start = net.nowNanos();
        // Each node's listener records when the new item first reaches it: O(1) per event.
        long[] reachedAt = new long[n];
        java.util.Arrays.fill(reachedAt, -1);
        int[] reached = {0};
        for (int i = 0; i < n; i++) {
            int k = i;
            net.node(ids[i]).core().addListener(e -> {
                if (e instanceof io.scalesmall.chatter.TopologyEvent.ItemAdded a && a.item().port() == 7000
                        && reachedAt[k] < 0) {
                    reachedAt[k] = net.nowNanos() - start;
                    reached[0]++;
                }
            });
        }
        net.node(ids[n / 2]).core().addItem(start, "g", 0, 999, 7000, 1);
        boolean all = net.runUntil(start + 60_000 * MS, () -> reached[0] == n);
        long[] sorted = reachedAt.clone();
        java.util.Arrays.sort(sorted);
        int need999 = (int) Math.ceil(n * 0.999);
        int missing = n - reached[0];
        long[] t999 = {reached[0] >= need999 ? sorted[missing + need999 - 1] : -1};
        long t100 = all ? net.nowNanos() - start : -1;
        double changeMsgs = (double) (net.messagesSent() - m1) / n;
        System.out.printf("%6d %6.2f %6d ms %8d %8.1f ms %8.1f ms %12.2f %12.2f %14.2f%n", n, loss, delayMs, domains,
                t999[0] / 1e6, t100 / 1e6, steadyMsgs, steadyKbit, changeMsgs);
    }
}
