package io.scalesmall.cli.bench;

import java.util.SplittableRandom;

/**
 * The bench's message bodies: a pool of random uppercase letters A–Z, as Kafka's {@code ProducerPerformance} sends,
 * so that the two are compared on the same kind of data (LZ4 finds almost nothing to compress in it). The pool
 * holds up to 16,384 bodies and at most 64 MiB (1.6 MB at 100 bytes), so a batch of small messages never repeats a
 * body within LZ4's 64 KiB window; bodies are shared and must not be changed. Built once; thread-safe to read.
 */
final class Payloads {
    static final int MAX_POOL = 16_384;
    static final long MAX_POOL_BYTES = 64L << 20;

    private final byte[][] pool;

    /** @param size each body's length in bytes, 0..1 MiB; @param seed the letters' seed */
    Payloads(int size, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = (int) Math.max(1, Math.min(MAX_POOL, MAX_POOL_BYTES / Math.max(1, size)));
        pool = new byte[n][];
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[size];
            for (int j = 0; j < size; j++) {
                b[j] = (byte) ('A' + rnd.nextInt(26));
            }
            pool[i] = b;
        }
    }

    /** The body for message {@code i} (any i ≥ 0): the pool in order, round and round. */
    byte[] get(long i) {
        return pool[(int) (i % pool.length)];
    }
}
