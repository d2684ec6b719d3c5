package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.function.BooleanSupplier;

/**
 * A deterministic in-test network for {@link FailureDetector}s: packets and ticks in a priority queue keyed on
 * simulated time, seeded loss and delay, crashes, pauses (a stopped process: nothing handled or ticked until it
 * resumes, then its backlog) and starvation (a node that handles every packet late, in order, while its timers
 * fire on time). No threads, no sleeping: one seed reproduces a run exactly.
 */
final class SwimSim {
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;

    private final Random random;
    private final double loss;
    private final long minDelayNanos;
    private final long maxDelayNanos;
    private final long tickNanos;
    private final Map<NetId, Host> hosts = new LinkedHashMap<>();
    private final PriorityQueue<Event> queue = new PriorityQueue<>();
    /** Every state change any host observed, in order. */
    final List<Observation> observations = new ArrayList<>();
    private long now;
    private long seq;
    long packets;

    record Observation(long atNanos, NetId observer, Member.Change change) {
    }

    /** A packet to deliver ({@code packet != null}) or a tick ({@code packet == null}). */
    private record Event(long at, long seq, Host to, NetId from, List<SwimMessage> packet, boolean handled)
            implements Comparable<Event> {
        @Override
        public int compareTo(Event o) {
            int c = Long.compare(at, o.at);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    final class Host implements SwimOutput {
        final NetId id;
        FailureDetector fd;
        boolean crashed;
        long pausedUntil = Long.MIN_VALUE;
        long starveMinNanos;
        long starveMaxNanos;
        /** When a starved host finishes handling its latest packet (it handles them in order). */
        private long busyUntil = Long.MIN_VALUE;

        Host(NetId id) {
            this.id = id;
        }

        boolean starved() {
            return starveMaxNanos > 0;
        }

        @Override
        public void send(NetId to, List<SwimMessage> messages) {
            packets++;
            Host h = hosts.get(to);
            if (h == null || random.nextDouble() < loss) {
                return;
            }
            long d = minDelayNanos + (long) (random.nextDouble() * (maxDelayNanos - minDelayNanos));
            queue.add(new Event(now + d, seq++, h, id, messages, false));
        }
    }

    SwimSim(long seed, double loss, long minDelayNanos, long maxDelayNanos, long tickNanos) {
        this.random = new Random(seed);
        this.loss = loss;
        this.minDelayNanos = minDelayNanos;
        this.maxDelayNanos = maxDelayNanos;
        this.tickNanos = tickNanos;
    }

    static NetId id(int i) {
        return NetId.parse("10.1." + (i / 200) + "." + (i % 200 + 1) + ":7946");
    }

    /** Builds {@code n} hosts that all know each other at incarnation 1. */
    static SwimSim full(long seed, int n, SwimConfig config, double loss, long minDelayNanos, long maxDelayNanos) {
        SwimSim sim = new SwimSim(seed, loss, minDelayNanos, maxDelayNanos, 10 * MS);
        for (int i = 0; i < n; i++) {
            sim.add(id(i), config);
        }
        for (Host a : sim.hosts.values()) {
            for (Host b : sim.hosts.values()) {
                a.fd.addMember(0, b.id, 1);
            }
        }
        sim.observations.clear();
        return sim;
    }

    Host add(NetId id, SwimConfig config) {
        Host h = new Host(id);
        h.fd = new FailureDetector(id, 1, config, h, new Random(random.nextLong()));
        h.fd.addListener((t, c) -> observations.add(new Observation(t, id, c)));
        hosts.put(id, h);
        queue.add(new Event(now + (long) (random.nextDouble() * tickNanos), seq++, h, null, null, false));
        return h;
    }

    Host host(NetId id) {
        return hosts.get(id);
    }

    List<Host> hosts() {
        return List.copyOf(hosts.values());
    }

    long nowNanos() {
        return now;
    }

    void runUntil(long untilNanos) {
        runUntil(untilNanos, () -> false);
    }

    /** @return true if {@code done} turned true (checked after every event) before {@code untilNanos} */
    boolean runUntil(long untilNanos, BooleanSupplier done) {
        while (!queue.isEmpty() && queue.peek().at <= untilNanos) {
            Event e = queue.poll();
            now = e.at;
            Host h = e.to;
            if (h.crashed) {
                continue;
            }
            if (now < h.pausedUntil) {
                queue.add(new Event(h.pausedUntil, seq++, h, e.from, e.packet, e.handled));
                continue;
            }
            if (e.packet == null) {
                h.fd.tick(now);
                queue.add(new Event(now + tickNanos, seq++, h, null, null, false));
            } else if (h.starved() && !e.handled) {
                long d = h.starveMinNanos + (long) (random.nextDouble() * (h.starveMaxNanos - h.starveMinNanos));
                h.busyUntil = Math.max(h.busyUntil, now + d);
                queue.add(new Event(h.busyUntil, seq++, h, e.from, e.packet, true));
            } else {
                h.fd.onPacket(now, e.from, e.packet);
            }
            if (done.getAsBoolean()) {
                return true;
            }
        }
        now = Math.max(now, untilNanos);
        return false;
    }
}
