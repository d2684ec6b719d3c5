package io.scalesmall.bench;

import io.scalesmall.topology.GroupState;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Merging a one-item delta (what every received broadcast costs) into a 10,000-member state, 4 items each
 * (40,000 items). Target (issue): under 10 µs.
 *
 * <ul>
 *   <li>{@link #mergeUpdate}: a new write of an existing member replacing one of its items: one world-clock
 *       entry extended, one member's items re-joined, both persistent maps path-copied. The common case.</li>
 *   <li>{@link #mergeJoin}: a member the state has never seen joins: both maps gain an entry.</li>
 *   <li>{@link #mergeDuplicate}: a delta the state already holds (a gossip duplicate): the result is the
 *       state itself.</li>
 * </ul>
 * The new-write deltas rotate through {@value #DELTAS} pre-built ones from distinct members, all new to the
 * base state, which is never modified, so every invocation does the full work of a real merge rather than hit
 * the already-seen path.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar MergeBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class MergeBenchmark {
    static final int MEMBERS = 10_000;
    /** Pre-built deltas per kind; a power of two (the cursor masks). */
    static final int DELTAS = 1024;

    private GroupState base;
    private GroupState[] updates;
    private GroupState[] joins;
    private GroupState[] duplicates;
    private int cursor;

    @Setup
    public void setup() {
        Fixtures.Built b = Fixtures.build(MEMBERS, 42);
        base = b.state();
        updates = Fixtures.updateDeltas(b, DELTAS, 43);
        joins = Fixtures.joinDeltas(b, DELTAS, 44);
        duplicates = new GroupState[DELTAS];
        int[] order = Fixtures.shuffledIndexes(MEMBERS, new Random(45));
        for (int i = 0; i < DELTAS; i++) {
            duplicates[i] = b.lastWrites().get(order[i]);
        }
        for (int i = 0; i < DELTAS; i++) {
            check(updates[i], base.itemCount(), MEMBERS, "update delta " + i);
            check(joins[i], base.itemCount() + 1, MEMBERS + 1, "join delta " + i);
            if (!base.worldClock().containsAll(duplicates[i].worldClock()) || base.merge(duplicates[i]) != base) {
                throw new IllegalStateException("duplicate delta " + i + " is not already in the state");
            }
        }
    }

    /** Checks that {@code delta} is a one-item write new to the base state, and what merging it yields. */
    private void check(GroupState delta, int items, int members, String what) {
        GroupState merged = base.merge(delta);
        if (delta.itemCount() != 1 || base.worldClock().containsAll(delta.worldClock())
                || !merged.worldClock().containsAll(delta.worldClock())
                || merged.itemCount() != items || merged.worldClock().size() != members) {
            throw new IllegalStateException(what + ": merge did not do the expected work (" + merged.itemCount()
                    + " items, " + merged.worldClock().size() + " members)");
        }
    }

    private int next() {
        return cursor++ & (DELTAS - 1);
    }

    /** A new write of an existing member, replacing one of its items. */
    @Benchmark
    public GroupState mergeUpdate() {
        return base.merge(updates[next()]);
    }

    /** A new member's join. */
    @Benchmark
    public GroupState mergeJoin() {
        return base.merge(joins[next()]);
    }

    /** A write the state already reflects (a duplicate broadcast). */
    @Benchmark
    public GroupState mergeDuplicate() {
        return base.merge(duplicates[next()]);
    }
}
