package io.scalesmall.bench;

import io.scalesmall.topology.Digests;
import io.scalesmall.topology.GroupState;
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
 * The digest of a 10,000-item state (2,500 members × 4 items), which anti-entropy exchanges every round.
 *
 * <ul>
 *   <li>{@link #fullCold}: {@link Digests#full}, every member's items re-hashed (a freshly decoded state, or
 *       the worst case).</li>
 *   <li>{@link #mergeThenDigest}: the realistic path: a one-item delta is merged, then
 *       {@link GroupState#digest()} on the new state, where every member's item hash is cached except the
 *       changed member's. Only the outer pass over the world clock and one member's items are hashed.</li>
 *   <li>{@link #mergeOnly}: the same merge without the digest; subtract it from {@link #mergeThenDigest} to
 *       get the incremental digest's cost.</li>
 * </ul>
 * Deltas rotate through {@value #DELTAS} pre-built new writes of distinct members; the base state is never
 * modified and its member hashes are warmed in setup.
 *
 * <p>Run: {@code java -jar bench/target/benchmarks.jar DigestBenchmark}
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(2)
public class DigestBenchmark {
    static final int MEMBERS = 2_500;
    /** Pre-built deltas; a power of two (the cursor masks). */
    static final int DELTAS = 1024;

    private GroupState base;
    private GroupState[] updates;
    private int cursor;

    @Setup
    public void setup() {
        Fixtures.Built b = Fixtures.build(MEMBERS, 7);
        base = b.state();
        updates = Fixtures.updateDeltas(b, DELTAS, 8);
        long cached = base.digest(); // warms every member's item hash
        if (cached != Digests.full(base)) {
            throw new IllegalStateException("cached and full digests differ");
        }
        for (int i = 0; i < DELTAS; i++) {
            GroupState merged = base.merge(updates[i]);
            if (merged.digest() == cached || merged.digest() != Digests.full(merged)) {
                throw new IllegalStateException("delta " + i + ": incremental digest is wrong");
            }
        }
        System.out.println("DigestBenchmark: " + base.worldClock().size() + " members, " + base.itemCount() + " items");
    }

    private int next() {
        return cursor++ & (DELTAS - 1);
    }

    /** Every member re-hashed. */
    @Benchmark
    public long fullCold() {
        return Digests.full(base);
    }

    /** Merge a one-item delta, then digest the new state (one member's hash recomputed). */
    @Benchmark
    public long mergeThenDigest() {
        return base.merge(updates[next()]).digest();
    }

    /** The merge alone, to subtract from {@link #mergeThenDigest}. */
    @Benchmark
    public GroupState mergeOnly() {
        return base.merge(updates[next()]);
    }
}
