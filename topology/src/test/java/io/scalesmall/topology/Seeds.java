package io.scalesmall.topology;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A tiny seeded property harness (no jqwik). {@link #check} runs a body for {@code runs} seeds derived from a
 * base seed; a failure is rethrown as an {@link AssertionError} naming the seed and how to replay it.
 *
 * <p>Overrides: {@code -Dscalesmall.seed=S} sets the base seed, and the first run uses {@code S} itself, so
 * {@code -Dscalesmall.seed=S -Dscalesmall.runs=1} replays exactly the failing case.
 * {@code -Dscalesmall.runs=N} changes the number of runs of every property.
 */
final class Seeds {
    /** Fixed default, so that CI runs are reproducible. */
    static final long DEFAULT_BASE = 0x5CA1E5_3A11L;

    private Seeds() {
    }

    static long base() {
        String s = System.getProperty("scalesmall.seed");
        return s == null || s.isBlank() ? DEFAULT_BASE : Long.parseLong(s.trim());
    }

    static int runs(int defaultRuns) {
        String s = System.getProperty("scalesmall.runs");
        return s == null || s.isBlank() ? defaultRuns : Integer.parseInt(s.trim());
    }

    /** The i-th seed of a property: the base itself for i = 0, then a mixed sequence. */
    static long seed(long base, int i) {
        return i == 0 ? base : new SplittableRandom(base ^ (0x9E3779B97F4A7C15L * i)).nextLong();
    }

    /** Runs {@code body} for {@code defaultRuns} seeds (see the class comment for overrides). */
    static void check(String property, int defaultRuns, LongConsumer body) {
        check(property, new long[0], defaultRuns, body);
    }

    /**
     * Runs {@code body} first for {@code pinned} seeds (known counterexamples, kept as regression cases), then
     * for {@code defaultRuns} derived seeds.
     */
    static void check(String property, long[] pinned, int defaultRuns, LongConsumer body) {
        for (long seed : pinned) {
            run(property, seed, "pinned", body);
        }
        long base = base();
        int runs = runs(defaultRuns);
        for (int i = 0; i < runs; i++) {
            run(property, seed(base, i), "run " + i + " of " + runs, body);
        }
    }

    private static void run(String property, long seed, String which, LongConsumer body) {
        try {
            body.accept(seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError(property + " failed for seed " + seed + " (" + which
                    + "; replay with -Dscalesmall.seed=" + seed + " -Dscalesmall.runs=1): " + e.getMessage(), e);
        }
    }
}
