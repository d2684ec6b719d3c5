package io.scalesmall.placement;

import io.scalesmall.topology.NetId;

/**
 * The hash and score of weighted rendezvous hashing (highest random weight, Thaler and Ravishankar, "Using
 * name-based mappings to increase hit rates", IEEE/ACM ToN 1998; the weighted form {@code -w / ln(u)} is
 * Schindelhauer and Schomaker's, also "Weighted Distributed Hash Tables", SPAA 2005). Part of the cluster's
 * contract: every node must compute bit-identical scores, so the definitions below are exact.
 *
 * <pre>
 * memberHash(m) = mix64(FNV-1a-64(len, address bytes..., port >> 8, port & 0xFF))
 *                 len = 4 (IPv4) or 16 (IPv6); FNV-1a-64: offset basis 0xcbf29ce484222325, prime 0x100000001b3
 * hash(m, s)    = mix64(memberHash(m) + (s + 1) * 0x9E3779B97F4A7C15)      (64-bit wrap-around)
 * mix64(z)      = z ^= z >>> 30; z *= 0xbf58476d1ce4e5b9; z ^= z >>> 27; z *= 0x94d049bb133111eb; z ^ (z >>> 31)
 *                 (the SplitMix64 finaliser, Steele, Lea and Flood, OOPSLA 2014)
 * u(m, s)       = ((hash(m, s) >>> 12) + 0.5) / 2^52                        in (0, 1), both ends excluded
 * score(m, s)   = weight(m) / -StrictMath.log(u(m, s))                      in (0, +inf) for weight > 0
 * </pre>
 *
 * {@code hash(m, s)} for consecutive {@code s} is the SplitMix64 sequence seeded with {@code memberHash(m)}: a
 * statistically good, independent stream per member. {@link StrictMath#log} (not {@code Math.log}, which may
 * differ by an ulp between JVMs) keeps the score reproducible everywhere. Thread-safe (stateless).
 */
final class Rendezvous {
    static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
    private static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private Rendezvous() {
    }

    /** @return the SplitMix64 finaliser of {@code z} */
    static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** @return {@code memberHash(m)} as defined in the class comment */
    static long memberHash(NetId m) {
        long h = FNV_OFFSET;
        int len = m.addressLength();
        h = (h ^ len) * FNV_PRIME;
        for (int i = 0; i < len; i++) {
            h = (h ^ m.addressByte(i)) * FNV_PRIME;
        }
        h = (h ^ (m.port() >>> 8)) * FNV_PRIME;
        h = (h ^ (m.port() & 0xFF)) * FNV_PRIME;
        return mix64(h);
    }

    /** @return {@code hash(m, slice)} given {@code memberHash(m)} */
    static long hash(long memberHash, int slice) {
        return mix64(memberHash + (slice + 1L) * GOLDEN_GAMMA);
    }

    /** @return the score of a member of {@code weight > 0} whose hash for the slice is {@code h} */
    static double score(int weight, long h) {
        // 52 bits, not 53: (2^53 - 1) + 0.5 would round to 2^53 and make u == 1, log(u) == 0. With 52 bits every
        // (x + 0.5) is exact, so 0 < u < 1 and the score is finite and positive.
        double u = ((h >>> 12) + 0.5) * 0x1.0p-52;
        return weight / -StrictMath.log(u);
    }
}
