package io.scalesmall.topology;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * A deterministic simulation of one group: several single writers ({@link LocalMember}, one life at a time
 * per member) produce deltas, and several replicas receive them in random subsets and orders, with
 * duplicates, peer deltas, whole states and compaction. Time is simulated ({@link #now}); nothing sleeps.
 */
final class Sim {
    /**
     * What the random schedule may do.
     *
     * @param peerDeltas  replicas pull {@code peer.delta(ownClock)} from each other
     * @param crossDeltas replicas also merge {@code peer.delta(thirdReplicaClock)}, outside delta's contract
     */
    record Options(int members, int replicas, int steps, boolean compaction, boolean peerDeltas,
                   boolean crossDeltas, boolean restarts, boolean backwardRestarts) {
        /** Everything on, sizes drawn from {@code r}: 3..8 members, 3..6 replicas, 60..300 steps. */
        static Options realistic(SplittableRandom r) {
            return new Options(3 + r.nextInt(6), 3 + r.nextInt(4), 60 + r.nextInt(241), true, true, true, true, true);
        }

        /** No compaction and no cross deltas: a state is then a function of the writes it has seen. */
        static Options monotone(SplittableRandom r) {
            return new Options(3 + r.nextInt(4), 3 + r.nextInt(3), 40 + r.nextInt(120), false, true, false, true, true);
        }

        /** Compaction, but replicas exchange only whole states (never a delta of a compacted state). */
        static Options compactingWholeStates(SplittableRandom r) {
            return new Options(3 + r.nextInt(6), 3 + r.nextInt(4), 60 + r.nextInt(241), true, false, false, true, true);
        }
    }

    /** One member and its current life. */
    final class Writer {
        final NetId id;
        LocalMember life;
        GroupState state = GroupState.empty(Gen.GROUP);
        final Set<Long> usedIncarnations = new HashSet<>();
        long maxIncarnation;
        boolean wentBack;
        /** The clock of the last write of any life of this member. */
        LocalClock lastClock;

        Writer(NetId id, long incarnation) {
            this.id = id;
            this.life = new LocalMember(id, incarnation, () -> now);
        }

        void apply(LocalMember.Write w) {
            state = w.state();
            if (!w.isEmpty()) {
                log.add(w.delta());
                lastClock = w.clock();
                usedIncarnations.add(w.clock().incarnation());
                maxIncarnation = Math.max(maxIncarnation, w.clock().incarnation());
            }
        }

        /** This member's live items as its writer intends them. */
        Set<Item> intent() {
            return new HashSet<>(life.intent().getOrDefault(Gen.GROUP, List.of()));
        }
    }

    final SplittableRandom rnd;
    final Options opt;
    long now = 1_700_000_000_000L;
    final List<Writer> writers = new ArrayList<>();
    final List<GroupState> replicas = new ArrayList<>();
    /** Every delta any life ever wrote, in write order. */
    final List<GroupState> log = new ArrayList<>();
    int compactions;
    /** Compactions that dropped something. */
    int effectiveCompactions;
    int restarts;
    int backwardRestarts;
    /** Non-empty results of {@link LocalMember#reconcile}. */
    int reconciles;

    Sim(long seed, Options opt) {
        this.rnd = new SplittableRandom(seed);
        this.opt = opt;
        for (NetId id : Gen.ids(rnd, opt.members())) {
            writers.add(new Writer(id, 1_000L * (1 + rnd.nextInt(1_000))));
        }
        for (int i = 0; i < opt.replicas(); i++) {
            replicas.add(GroupState.empty(Gen.GROUP));
        }
    }

    /** Runs the random schedule. */
    Sim run() {
        for (int s = 0; s < opt.steps(); s++) {
            step();
        }
        return this;
    }

    void step() {
        now += rnd.nextInt(60);
        if (rnd.nextInt(100) < 45) {
            writerStep(Gen.pick(rnd, writers));
        } else {
            replicaStep(rnd.nextInt(replicas.size()));
        }
    }

    private void writerStep(Writer w) {
        int op = rnd.nextInt(100);
        GroupState s = w.state;
        if (op < 15) {
            w.apply(w.life.join(s));
        } else if (op < 50) {
            long[] r = Gen.range(rnd);
            w.apply(w.life.addItem(s, r[0], r[1], 1 + rnd.nextInt(65_535), rnd.nextInt(4)));
        } else if (op < 65) {
            // The writer's intent in write order (not a HashSet: Op's hash code differs between JVM runs).
            List<Item> mine = w.life.intent().getOrDefault(Gen.GROUP, List.of());
            long[] r = mine.isEmpty() || rnd.nextInt(4) == 0 ? Gen.range(rnd) : keyOf(Gen.pick(rnd, mine));
            w.apply(w.life.removeItem(s, r[0], r[1]));
        } else if (op < 75) {
            w.apply(w.life.leave(s));
        } else if (op < 92) {
            w.state = s.merge(replicas.get(rnd.nextInt(replicas.size())));
            if (rnd.nextInt(3) > 0) {
                Optional<LocalMember.Write> fix = w.life.reconcile(w.state);
                if (fix.isPresent()) {
                    reconciles++;
                    w.apply(fix.get());
                }
            }
        } else if (opt.restarts()) {
            restart(w);
        }
    }

    private static long[] keyOf(Item it) {
        return new long[] {it.start(), it.end()};
    }

    /** A new life with an empty state; it joins at once. At most one life per member starts "in the past". */
    void restart(Writer w) {
        long inc;
        if (opt.backwardRestarts() && !w.wentBack && w.maxIncarnation > 2_000 && rnd.nextInt(3) == 0) {
            w.wentBack = true;
            backwardRestarts++;
            do {
                inc = w.maxIncarnation / 2 + rnd.nextLong(w.maxIncarnation / 2 - 20);
            } while (nearUsed(w, inc));
        } else {
            inc = Math.max(w.maxIncarnation, w.life.baseIncarnation()) + 1_000 + rnd.nextInt(1_000);
        }
        restarts++;
        w.life = new LocalMember(w.id, inc, () -> now);
        w.state = GroupState.empty(Gen.GROUP);
        w.apply(w.life.join(w.state));
    }

    private static boolean nearUsed(Writer w, long inc) {
        for (long u : w.usedIncarnations) {
            if (Math.abs(inc - u) <= 10) {
                return true;
            }
        }
        return false;
    }

    private void replicaStep(int i) {
        GroupState r = replicas.get(i);
        int op = rnd.nextInt(100);
        if (log.isEmpty() || op < 35) {
            if (!log.isEmpty()) {
                r = r.merge(log.get(rnd.nextInt(log.size())));
            }
        } else if (op < 50) {
            int from = rnd.nextInt(log.size());
            List<GroupState> batch = new ArrayList<>(log.subList(from, Math.min(log.size(), from + 1 + rnd.nextInt(6))));
            Gen.shuffle(rnd, batch);
            for (GroupState d : batch) {
                r = r.merge(d);
            }
        } else if (op < 65 && opt.peerDeltas()) {
            GroupState peer = replicas.get(rnd.nextInt(replicas.size()));
            r = r.merge(peer.delta(r.worldClock()));
        } else if (op < 75 && opt.crossDeltas()) {
            GroupState peer = replicas.get(rnd.nextInt(replicas.size()));
            GroupState other = replicas.get(rnd.nextInt(replicas.size()));
            r = r.merge(peer.delta(other.worldClock()));
        } else if (op < 88) {
            r = r.merge(replicas.get(rnd.nextInt(replicas.size())));
        } else if (opt.compaction()) {
            compactions++;
            GroupState c = r.compact(now - rnd.nextInt(2_000), rnd.nextInt(3_000));
            if (c.itemCount() < r.itemCount()) {
                effectiveCompactions++;
            }
            r = c;
        }
        replicas.set(i, r);
    }

    /**
     * Makes every replica see every update: all deltas in a random order each, one whole-state exchange round
     * (among the replicas and, if {@code withWriters}, the writers' own states, as when every writer is a
     * node that takes part in anti-entropy), then every writer hears the result and refutes stale writes of
     * its id, which are delivered everywhere.
     */
    void converge(boolean withWriters) {
        for (int i = 0; i < replicas.size(); i++) {
            List<GroupState> all = new ArrayList<>(log);
            Gen.shuffle(rnd, all);
            GroupState r = replicas.get(i);
            for (GroupState d : all) {
                r = r.merge(d);
            }
            replicas.set(i, r);
        }
        GroupState all = GroupState.empty(Gen.GROUP);
        for (GroupState r : replicas) {
            all = all.merge(r);
        }
        if (withWriters) {
            for (Writer w : writers) {
                all = all.merge(w.state);
            }
        }
        for (int i = 0; i < replicas.size(); i++) {
            replicas.set(i, replicas.get(i).merge(all));
        }
        for (Writer w : writers) {
            w.state = w.state.merge(replicas.get(0));
            Optional<LocalMember.Write> fix = w.life.reconcile(w.state);
            if (fix.isPresent()) {
                reconciles++;
                w.apply(fix.get());
                for (int i = 0; i < replicas.size(); i++) {
                    replicas.set(i, replicas.get(i).merge(fix.get().delta()));
                }
            }
        }
    }
}
