package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Algebraic laws of {@link GroupState#merge} and {@link GroupState#delta} on random reachable states: the
 * replicas, the written deltas and peer deltas a {@link Sim} schedule produces along the way.
 */
class MergeAlgebraPropertyTest {

    /** Runs a schedule and samples states from it as it goes. */
    static List<GroupState> reachable(long seed, Sim.Options opt) {
        Sim sim = new Sim(seed, opt);
        List<GroupState> out = new ArrayList<>();
        out.add(GroupState.empty(Gen.GROUP));
        for (int s = 0; s < opt.steps(); s++) {
            sim.step();
            if (sim.rnd.nextInt(4) == 0) {
                out.add(Gen.pick(sim.rnd, sim.replicas));
            }
            if (!sim.log.isEmpty() && sim.rnd.nextInt(8) == 0) {
                out.add(Gen.pick(sim.rnd, sim.log));
            }
            if (opt.crossDeltas() && sim.rnd.nextInt(8) == 0) {
                out.add(Gen.pick(sim.rnd, sim.replicas).delta(Gen.pick(sim.rnd, sim.replicas).worldClock()));
            }
            if (sim.rnd.nextInt(8) == 0) {
                out.add(Gen.pick(sim.rnd, sim.writers).state);
            }
        }
        return out;
    }

    @Test
    void mergeIsCommutativeAssociativeAndIdempotent() {
        // Monotone schedules (peer deltas, no compaction) and compacting schedules that exchange whole states.
        Seeds.check("merge-algebra", 300, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Sim.Options opt = r.nextBoolean() ? Sim.Options.monotone(r) : Sim.Options.compactingWholeStates(r);
            checkLaws(r, reachable(seed, opt));
        });
    }

    @Test
    void mergeIsAssociativeOnStatesReachedWithCompactionAndPeerDeltas() {
        // 4198934560422281037: found by a 20,000-run search; the ghost is ADD 15..255 @0 after RMV @1.
        Seeds.check("merge-algebra-compaction-deltas", new long[] {4198934560422281037L}, 3_000, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Sim.Options o = Sim.Options.realistic(r);
            checkLaws(r, reachable(seed, new Sim.Options(o.members(), o.replicas(), o.steps(), true, true, false, true, true)));
        });
    }

    private static void checkLaws(SplittableRandom r, List<GroupState> states) {
        for (int i = 0; i < 30; i++) {
            GroupState a = Gen.pick(r, states);
            GroupState b = Gen.pick(r, states);
            GroupState c = Gen.pick(r, states);
            assertThat(a.merge(a)).isEqualTo(a);
            assertThat(a.merge(b)).as("commutative").isEqualTo(b.merge(a));
            assertThat(a.merge(b).merge(c)).as("associative").isEqualTo(a.merge(b.merge(c)));
            assertThat(a.merge(b).merge(b)).as("idempotent").isEqualTo(a.merge(b));
            assertThat(a.merge(b).digest()).isEqualTo(b.merge(a).digest());
            GroupState ab = a.merge(b);
            assertThat(ab.worldClock()).isEqualTo(a.worldClock().merge(b.worldClock()));
            assertThat(ab.items()).hasSize(ab.itemCount());
        }
    }

    @Test
    void deltaSinceAnEarlierStateIsAsGoodAsTheWholeState() {
        // Without compaction (see CompactionTest for the case with it): for x whose writes y has all seen,
        // x + y.delta(x.clock) == x + y.
        Seeds.check("delta-law", 200, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<GroupState> states = reachable(seed, Sim.Options.monotone(r));
            int checked = 0;
            for (int i = 0; i < 40; i++) {
                GroupState x = Gen.pick(r, states);
                GroupState y = x.merge(Gen.pick(r, states));
                if (r.nextBoolean()) {
                    y = y.merge(Gen.pick(r, states));
                }
                assertThat(y.worldClock().containsAll(x.worldClock())).isTrue();
                GroupState delta = y.delta(x.worldClock());
                assertThat(x.merge(delta)).as("x + delta").isEqualTo(x.merge(y));
                // Whole member records: exactly the members with writes x lacks, each with y's whole entry.
                assertThat(delta.worldClock().members())
                        .containsExactlyElementsOf(y.worldClock().minus(x.worldClock()).members());
                for (var m : delta.worldClock().members()) {
                    assertThat(delta.worldClock().get(m)).isEqualTo(y.worldClock().get(m));
                    assertThat(delta.itemsOf(m)).isEqualTo(y.itemsOf(m));
                }
                assertThat(delta.itemCount()).isLessThanOrEqualTo(y.itemCount());
                if (!delta.worldClock().isEmpty()) {
                    checked++;
                }
            }
            assertThat(y0(states).delta(WorldClock.empty())).isEqualTo(y0(states));
            assertThat(checked).as("non-trivial deltas").isPositive();
        });
    }

    private static GroupState y0(List<GroupState> states) {
        return states.get(states.size() - 1);
    }

    @Test
    void addIsMergeOfAOneItemState() {
        Seeds.check("add-is-merge", 100, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Sim sim = new Sim(seed, Sim.Options.monotone(r)).run();
            GroupState base = Gen.pick(r, sim.replicas);
            for (GroupState d : sim.log) {
                if (d.itemCount() == 1) {
                    TimedItem t = d.items().get(0);
                    assertThat(base.add(t)).isEqualTo(base.merge(Gen.state(t)));
                }
            }
        });
    }
}
