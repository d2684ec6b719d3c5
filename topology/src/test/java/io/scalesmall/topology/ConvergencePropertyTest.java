package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The central property: whatever the delivery schedule (random subsets and orders of deltas, duplicates,
 * peer deltas against any peer's clock, whole states, compaction with random horizons, restarts of writers
 * with higher or lower incarnations), once every replica has seen every update all replicas are equal, have
 * equal digests, and show for every member exactly what its current writer intends.
 *
 * <p>"Seen every update" means: every writer delta delivered to every replica, then one whole-state exchange
 * in which the writers' own states take part too (every writer is a node). Without the writers' states the
 * property fails on rare schedules because of the delta-after-compaction bug (see the disabled tests).
 */
class ConvergencePropertyTest {
    /** Seeds where a replica keeps a removed ADD range (ghost) after receiving every writer delta. */
    private static final long[] PINNED_GHOSTS = {-8451482891763837056L};
    /** Seeds where every replica ends up with the same ghost, so no exchange among replicas removes it. */
    private static final long[] PINNED_SHARED_GHOSTS = {-5095934768073626446L};

    @Test
    void replicasConvergeToEveryWritersIntent() {
        int[] totals = new int[6];
        Seeds.check("convergence", 200, seed -> {
            Sim sim = new Sim(seed, Sim.Options.realistic(new SplittableRandom(seed))).run();
            sim.converge(true);
            assertConverged(sim);
            totals[0] += sim.log.size();
            totals[1] += sim.compactions;
            totals[2] += sim.restarts;
            totals[3] += sim.effectiveCompactions;
            totals[4] += sim.backwardRestarts;
            totals[5] += sim.reconciles;
        });
        // The schedule must really exercise what the property is about.
        assertThat(totals[0]).as("deltas written").isGreaterThan(5_000);
        assertThat(totals[1]).as("compactions").isGreaterThan(500);
        assertThat(totals[2]).as("restarts").isGreaterThan(100);
        assertThat(totals[3]).as("compactions that dropped tombstones").isGreaterThan(100);
        assertThat(totals[4]).as("restarts with a lower incarnation").isGreaterThan(50);
        assertThat(totals[5]).as("non-empty reconciles").isGreaterThan(50);
    }

    @Test
    void bigRunConverges() {
        Seeds.check("convergence-big", 1, seed -> {
            Sim sim = new Sim(seed, new Sim.Options(40, 10, 30_000, true, true, true, true, true)).run();
            sim.converge(true);
            assertConverged(sim);
            assertThat(sim.log.size()).isGreaterThan(8_000);
            assertThat(sim.effectiveCompactions).isGreaterThan(100);
        });
    }

    @Test
    void monotoneSchedulesConvergeWithoutTheFinalFullExchange() {
        // Without compaction a state is a function of the writes it has seen: delivering every delta alone
        // must already make the replicas equal, before any whole-state exchange.
        Seeds.check("convergence-monotone", 100, seed -> {
            Sim sim = new Sim(seed, Sim.Options.monotone(new SplittableRandom(seed))).run();
            for (int i = 0; i < sim.replicas.size(); i++) {
                List<GroupState> all = new ArrayList<>(sim.log);
                Gen.shuffle(sim.rnd, all);
                GroupState r = sim.replicas.get(i);
                for (GroupState d : all) {
                    r = r.merge(d);
                }
                sim.replicas.set(i, r);
            }
            GroupState first = sim.replicas.get(0);
            for (GroupState r : sim.replicas) {
                assertThat(r).isEqualTo(first);
                assertThat(r.digest()).isEqualTo(first.digest());
            }
        });
    }

    @Test
    void aWholeStateExchangeAmongReplicasAloneRemovesEveryGhost() {
        // As replicasConvergeToEveryWritersIntent without cross deltas (so every delta is used within its
        // contract), but the writers' own states take no part in the exchange. The pinned seed fails; random
        // seeds fail about once in 25,000 runs (once in 6,000 with cross deltas, e.g. 9061828697080332144).
        Seeds.check("convergence-replicas-only", PINNED_SHARED_GHOSTS, 200, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Sim.Options o = Sim.Options.realistic(r);
            Sim sim = new Sim(seed, new Sim.Options(o.members(), o.replicas(), o.steps(), true, true, false, true, true)).run();
            sim.converge(false);
            assertConverged(sim);
        });
    }

    @Test
    void withCompactionEveryWritersDeltasAloneRestoreItsIntentOnEveryReplica() {
        // Compaction and peer deltas, then every replica gets every writer delta (no whole-state exchange).
        // Replicas may differ in which tombstones they still hold, but not in live items.
        Seeds.check("live-intent-after-deltas", PINNED_GHOSTS, 300, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Sim.Options o = Sim.Options.realistic(r);
            Sim sim = new Sim(seed, new Sim.Options(o.members(), o.replicas(), o.steps(), true, true, false, false, false)).run();
            for (int i = 0; i < sim.replicas.size(); i++) {
                GroupState rep = sim.replicas.get(i);
                for (GroupState d : sim.log) {
                    rep = rep.merge(d);
                }
                for (Sim.Writer w : sim.writers) {
                    assertThat(new HashSet<>(Gen.live(rep, w.id))).as("replica %d, live items of %s", i, w.id)
                            .isEqualTo(w.intent());
                }
            }
        });
    }

    static void assertConverged(Sim sim) {
        GroupState first = sim.replicas.get(0);
        for (GroupState r : sim.replicas) {
            assertThat(r).isEqualTo(first);
            assertThat(r.digest()).isEqualTo(first.digest()).isEqualTo(Digests.full(r));
            assertThat(r.items()).hasSize(r.itemCount());
        }
        TreeSet<NetId> expectedMembers = new TreeSet<>();
        for (Sim.Writer w : sim.writers) {
            assertThat(new HashSet<>(Gen.live(first, w.id))).as("live items of %s", w.id).isEqualTo(w.intent());
            assertThat(new HashSet<>(Gen.live(w.state, w.id))).as("writer's own view of %s", w.id).isEqualTo(w.intent());
            if (!w.intent().isEmpty()) {
                // A life with live items wins everywhere: its last write is the member's latest write.
                // (A life that ended with nothing live may legitimately stay shadowed by an older, higher
                // incarnation that also ended with nothing live: reconcile has nothing to refute.)
                assertThat(first.worldClock().latest(w.id)).as("latest write of %s", w.id).isEqualTo(w.lastClock);
                expectedMembers.add(w.id);
            }
            if (w.lastClock == null) {
                assertThat(first.worldClock().get(w.id)).as("never wrote").isNull();
                continue;
            }
            long inc = first.worldClock().get(w.id).incarnation();
            for (TimedItem t : first.itemsOf(w.id).items()) {
                assertThat(t.updatedAt().incarnation()).isEqualTo(inc);
            }
        }
        assertThat(first.members()).containsExactlyElementsOf(expectedMembers);
        assertRoutesMatchIntent(sim, first);
    }

    /** route(k) equals what the writers' intents imply, on every range boundary and some random keys. */
    private static void assertRoutesMatchIntent(Sim sim, GroupState s) {
        List<Item> adds = new ArrayList<>();
        for (Sim.Writer w : sim.writers) {
            for (Item it : w.intent()) {
                if (it.op() == Op.ADD) {
                    adds.add(it);
                }
            }
        }
        TreeSet<Long> keys = new TreeSet<>(List.of(0L, Gen.MAX));
        for (Item it : adds) {
            keys.add(it.start());
            keys.add(it.end());
            if (it.start() > 0) {
                keys.add(it.start() - 1);
            }
            if (it.end() < Gen.MAX) {
                keys.add(it.end() + 1);
            }
        }
        for (int i = 0; i < 20; i++) {
            keys.add(sim.rnd.nextLong(Gen.MAX + 1));
        }
        for (long k : keys) {
            Map<NetId, Integer> best = new HashMap<>();
            for (Item it : adds) {
                if (it.contains(k)) {
                    best.merge(it.member(), it.priority(), Math::max);
                }
            }
            List<Map.Entry<NetId, Integer>> expected = new ArrayList<>(best.entrySet());
            expected.sort(Map.Entry.<NetId, Integer>comparingByValue(Comparator.reverseOrder())
                    .thenComparing(Map.Entry.comparingByKey()));
            List<Map.Entry<NetId, Integer>> actual = new ArrayList<>();
            for (Item it : s.route(k)) {
                actual.add(Map.entry(it.member(), it.priority()));
            }
            assertThat(actual).as("route(%d)", k).isEqualTo(expected);
        }
    }
}
