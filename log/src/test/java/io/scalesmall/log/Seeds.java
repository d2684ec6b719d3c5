package io.scalesmall.log;

import java.util.SplittableRandom;
import java.util.function.LongConsumer;

/**
 * A tiny seeded property harness (no jqwik), as in the topology module: {@link #check} runs a body for a number
 * of seeds derived from a base seed; a failure is rethrown naming the seed and how to replay it.
 * {@code -Dscalesmall.seed=S -Dscalesmall.runs=1} replays exactly seed S.
 */
final class Seeds {
    static final long DEFAULT_BASE = 0x5CA1E5_106L;

    private Seeds() {
    }

    static void check(String property, int defaultRuns, LongConsumer body) {
        String s = System.getProperty("scalesmall.seed");
        long base = s == null || s.isBlank() ? DEFAULT_BASE : Long.parseLong(s.trim());
        String r = System.getProperty("scalesmall.runs");
        int runs = r == null || r.isBlank() ? defaultRuns : Integer.parseInt(r.trim());
        for (int i = 0; i < runs; i++) {
            long seed = i == 0 ? base : new SplittableRandom(base ^ (0x9E3779B97F4A7C15L * i)).nextLong();
            try {
                body.accept(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(property + " failed for seed " + seed + " (run " + i + " of " + runs
                        + "; replay with -Dscalesmall.seed=" + seed + " -Dscalesmall.runs=1): " + e.getMessage(), e);
            }
        }
    }

    /** Message bytes: random (incompressible) or repetitive (compressible), of the given length. */
    static byte[] message(SplittableRandom rnd, int length) {
        byte[] m = new byte[length];
        if (rnd.nextBoolean()) {
            for (int i = 0; i < length; i++) {
                m[i] = (byte) rnd.nextInt();
            }
        } else {
            byte b = (byte) rnd.nextInt();
            for (int i = 0; i < length; i++) {
                m[i] = (byte) (b + i % 7);
            }
        }
        return m;
    }
}
