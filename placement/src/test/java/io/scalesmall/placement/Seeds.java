package io.scalesmall.placement;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A tiny seeded property harness (no jqwik), as in the topology tests: {@link #check} runs a body for {@code runs}
 * seeds derived from a base seed and prints the base; a failure names the seed and how to replay it.
 *
 * <p>Overrides: {@code -Dscalesmall.seed=S} sets the base seed (the first run uses {@code S} itself), so
 * {@code -Dscalesmall.seed=S -Dscalesmall.runs=1} replays exactly the failing case; {@code -Dscalesmall.runs=N}
 * changes the number of runs.
 */
final class Seeds {
    /** Fixed default, so that CI runs are reproducible. */
    static final long DEFAULT_BASE = 0x9_1ACE_3E17L;

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
        long base = base();
        int runs = runs(defaultRuns);
        System.out.println(property + ": base seed " + base + ", " + runs + " runs");
        for (int i = 0; i < runs; i++) {
            long seed = seed(base, i);
            try {
                body.accept(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(property + " failed for seed " + seed + " (run " + i + " of " + runs
                        + "; replay with -Dscalesmall.seed=" + seed + " -Dscalesmall.runs=1): " + e.getMessage(), e);
            }
        }
    }
}
