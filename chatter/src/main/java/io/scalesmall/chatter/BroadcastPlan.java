package io.scalesmall.chatter;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The logarithmic TCP broadcast tree of seed 002 ("Logarithmic TCP broadcast"; reference §7.2): shuffle the
 * destinations, hand the larger half to one peer (that peer plus the rest of its half, which it forwards to
 * the same way), and repeat with the smaller half. The sender makes floor(log2 n) + 1 direct sends and the
 * broadcast reaches n nodes in about log2(n) + 1 hops.
 *
 * <p>Two orders: {@link #plan(List, Random)} shuffles at every hop (each broadcast builds a different tree), as the
 * seed describes; {@link #plan(List, NetId)} ranks the destinations by a hash of (sender, destination) instead, so a
 * sender's heads are the same few peers broadcast after broadcast while the set is stable. The node uses the
 * second: its TCP connections stay O(log n) and are reused, where random trees would touch every peer over time
 * (and keep n connections open per node). Different senders rank differently, so forwarding load still spreads.
 * Pure; thread-safe.
 */
public final class BroadcastPlan {
    private BroadcastPlan() {
    }

    /**
     * One direct send of the tree.
     *
     * @param head the peer sent to
     * @param rest the peers {@code head} must forward to, in turn
     */
    public record Hop(NetId head, List<NetId> rest) {
    }

    /**
     * @param destinations the nodes to reach; duplicates are ignored
     * @return the direct sends, in order
     */
    public static List<Hop> plan(List<NetId> destinations, Random random) {
        List<NetId> list = new ArrayList<>(new LinkedHashSet<>(destinations));
        List<Hop> hops = new ArrayList<>();
        while (!list.isEmpty()) {
            Collections.shuffle(list, random);
            int keep = list.size() / 2;
            List<NetId> mine = new ArrayList<>(list.subList(0, keep));
            List<NetId> handed = list.subList(keep, list.size());
            hops.add(new Hop(handed.get(0), List.copyOf(handed.subList(1, handed.size()))));
            list = mine;
        }
        return hops;
    }

    /**
     * The tree with a stable order: destinations ranked by a hash of ({@code sender}, destination), highest first,
     * then split as in {@link #plan(List, Random)}. The heads are the destinations at ranks n/2, n/4, ..., 1, 0.
     *
     * @param destinations the nodes to reach; duplicates are ignored
     * @return the direct sends, in order
     */
    public static List<Hop> plan(List<NetId> destinations, NetId sender) {
        List<NetId> list = new ArrayList<>(new LinkedHashSet<>(destinations));
        long salt = sender.hashCode() * 0x9E3779B97F4A7C15L;
        list.sort(Comparator.comparingLong((NetId d) -> mix(salt ^ d.hashCode())).thenComparing(d -> d));
        List<Hop> hops = new ArrayList<>();
        while (!list.isEmpty()) {
            int keep = list.size() / 2;
            List<NetId> mine = new ArrayList<>(list.subList(0, keep));
            List<NetId> handed = list.subList(keep, list.size());
            hops.add(new Hop(handed.get(0), List.copyOf(handed.subList(1, handed.size()))));
            list = mine;
        }
        return hops;
    }

    /** SplitMix64's finalizer: a bijective mix of 64 bits. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /**
     * The TCP destinations after the multicast optimisation (seed 002, step 5; chatter_ex rule): drop every
     * destination that reported hearing this node's multicast, but keep one random one of those, because UDP
     * is unreliable.
     *
     * @param hearsMyMulticast whether a destination has reported hearing this node's multicast
     */
    public static List<NetId> skipMulticastReachable(List<NetId> destinations,
            Predicate<NetId> hearsMyMulticast, Random random) {
        List<NetId> tcp = new ArrayList<>();
        List<NetId> skipped = new ArrayList<>();
        for (NetId d : destinations) {
            (hearsMyMulticast.test(d) ? skipped : tcp).add(d);
        }
        if (!skipped.isEmpty()) {
            tcp.add(skipped.get(random.nextInt(skipped.size())));
        }
        return tcp;
    }
}
