package io.scalesmall.chatter.sim;

import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.GroupNode;
import io.scalesmall.chatter.TopologyEvent;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiPredicate;

/**
 * A cluster of {@link GroupNode}s, all in one group, on a {@link SimNetwork}: the real protocol code under a manual
 * clock, with seeded faults. What tests and {@code scalesmall simulate} build scenarios from: forming the group,
 * crashes, pauses, restarts, partitions, and the observations that measure them (when each node learned of a
 * change, when each survivor declared a crashed member dead, false deaths).
 *
 * <p>Not thread-safe: one thread drives it.
 */
public final class SimCluster {
    /** The group every node joins. */
    public static final String GROUP = "g";
    private static final long MS = 1_000_000L;

    private final SimNetwork net;
    private final ChatterConfig config;
    private final List<NetId> ids = new ArrayList<>();
    private final BiPredicate<NetId, NetId> blocked;
    private final Map<NetId, Map<NetId, Long>> deadSeen = new HashMap<>();
    private final Map<NetId, Long> itemSeen = new HashMap<>();
    private BiPredicate<NetId, NetId> cut = (a, b) -> false;
    private long falseDeaths;
    private final Set<NetId> crashed = new java.util.HashSet<>();

    /**
     * @param seed      seeds the network and every node
     * @param links     the links' delay and faults (partitions are added by {@link #partition})
     * @param tickNanos how often each node's timers run
     */
    public SimCluster(long seed, ChatterConfig config, LinkModel links, long tickNanos) {
        this.config = config;
        this.blocked = (a, b) -> cut.test(a, b);
        this.net = new SimNetwork(seed, links.withPartition(blocked), tickNanos);
    }

    /** @return the i-th node's id: 10.a.b.c:29999, distinct for i in 0..2^24 */
    public static NetId id(int i) {
        return NetId.parse("10." + (i >> 16 & 0xff) + "." + (i >> 8 & 0xff) + "." + (i & 0xff) + ":29999");
    }

    /** @return the network */
    public SimNetwork network() {
        return net;
    }

    /** @return every node ever added, in order */
    public List<NetId> ids() {
        return ids;
    }

    /** @return the protocol core of a node */
    public GroupNode node(NetId id) {
        return net.node(id).core();
    }

    /**
     * Adds a node and has it join the group, through {@code seed} (none for the first).
     *
     * @param domain its multicast domain, or null
     */
    public NetId add(String domain, NetId seed) {
        NetId id = id(ids.size());
        ids.add(id);
        net.addNode(id, domain, config);
        observe(id);
        node(id).join(net.nowNanos(), GROUP, seed == null ? List.of() : List.of(seed));
        return id;
    }

    /**
     * Adds {@code n} nodes already in the group, as if it had formed long ago: each writes its join locally, then
     * every node merges the union of those writes (a snapshot). For large clusters, where simulating thousands of
     * joins would take most of the run.
     */
    public void addFormed(int n) {
        List<NetId> fresh = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            NetId id = id(ids.size());
            ids.add(id);
            net.addNode(id, null, config);
            fresh.add(id);
        }
        GroupState union = GroupState.empty(GROUP);
        for (NetId id : fresh) {
            node(id).join(net.nowNanos(), GROUP, List.of());
            node(id).endJoinAnnouncement(GROUP);
            union = union.merge(node(id).state(GROUP));
        }
        for (NetId id : ids) {
            node(id).merge(net.nowNanos(), union);
            observe(id);
        }
    }

    private void observe(NetId observer) {
        node(observer).addListener(e -> {
            if (e instanceof TopologyEvent.MemberStateChanged c && c.to() == MemberState.DEAD) {
                deadSeen.computeIfAbsent(c.member(), k -> new HashMap<>()).putIfAbsent(observer, net.nowNanos());
                if (!crashed.contains(c.member())) {
                    falseDeaths++;
                }
            } else if (e instanceof TopologyEvent.ItemAdded a) {
                itemSeen.putIfAbsent(observer, net.nowNanos());
            }
        });
    }

    /** Crashes a node: it stops at once, loses what is in flight to it, and stays down. */
    public void crash(NetId id) {
        crashed.add(id);
        net.crash(id);
    }

    /** Restarts a crashed node with no state, a higher incarnation, and a join through {@code seed}. */
    public void restart(NetId id, NetId seed) {
        crashed.remove(id);
        net.restart(id, config);
        observe(id);
        node(id).join(net.nowNanos(), GROUP, seed == null ? List.of() : List.of(seed));
    }

    /** Cuts the directed links for which {@code blockedLinks(from, to)} holds, until {@link #heal()}. */
    public void partition(BiPredicate<NetId, NetId> blockedLinks) {
        this.cut = blockedLinks;
    }

    /** Restores every link. */
    public void heal() {
        this.cut = (a, b) -> false;
    }

    /** Runs the simulation for {@code nanos} more. */
    public void run(long nanos) {
        net.runUntil(net.nowNanos() + nanos);
    }

    /**
     * Runs until {@code done} holds, checking every {@code stepNanos}, for at most {@code maxNanos}.
     *
     * @return the simulated time it took, ns, or -1 if {@code done} never held
     */
    public long runUntil(java.util.function.BooleanSupplier done, long stepNanos, long maxNanos) {
        long start = net.nowNanos();
        while (!done.getAsBoolean()) {
            if (net.nowNanos() - start >= maxNanos) {
                return -1;
            }
            run(stepNanos);
        }
        return net.nowNanos() - start;
    }

    /** @return the nodes up now */
    public List<NetId> up() {
        List<NetId> out = new ArrayList<>();
        for (NetId id : ids) {
            SimNetwork.SimNode n = net.node(id);
            if (n != null && n.isUp()) {
                out.add(id);
            }
        }
        return out;
    }

    /** @return true if every node up sees exactly the nodes up as the group's members (ALIVE or SUSPECT) */
    public boolean agreed() {
        List<NetId> up = up();
        Set<NetId> expected = new java.util.TreeSet<>(up);
        for (NetId id : up) {
            if (!node(id).members(GROUP).equals(expected)) {
                return false;
            }
        }
        return true;
    }

    /** @return true if every node up other than {@code member} holds it in {@code state} */
    public boolean allSee(NetId member, MemberState state) {
        for (NetId id : up()) {
            if (!id.equals(member) && node(id).memberStates(GROUP).getOrDefault(member, null) != state) {
                return false;
            }
        }
        return true;
    }

    /** @return per observer, when (ns of simulated time) it first saw {@code member} DEAD */
    public Map<NetId, Long> deadSeen(NetId member) {
        return deadSeen.getOrDefault(member, Map.of());
    }

    /** Forgets the item observations, before a new change is timed with {@link #itemSeen()}. */
    public void clearItemSeen() {
        itemSeen.clear();
    }

    /** @return per observer, when it first saw an ADD item appear since {@link #clearItemSeen()} */
    public Map<NetId, Long> itemSeen() {
        return itemSeen;
    }

    /** @return DEAD verdicts (per observer) about members that were not crashed at the time */
    public long falseDeaths() {
        return falseDeaths;
    }

    /** @return simulated time, ns */
    public long nowNanos() {
        return net.nowNanos();
    }

    /** @return {@code q} (0..1) of the sorted values, nearest rank; 0 if empty */
    public static long quantile(List<Long> sorted, double q) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int i = (int) Math.ceil(q * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    static long ms(long nanos) {
        return nanos / MS;
    }
}
