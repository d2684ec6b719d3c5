package io.scalesmall.chatter;

import java.time.Duration;

/**
 * Tuning of dissemination and anti-entropy. Immutable; validated on construction. Presets follow HashiCorp
 * memberlist's idea of reasoned defaults per network class.
 *
 * @param antiEntropyInterval how often, per group, a node compares digests with one random member: bounds
 *                            how long a lost broadcast stays unrepaired. A round costs one ~90-byte probe
 *                            while states agree. LAN 200 ms (Serf's gossip interval).
 * @param seenTtl             how long "peer P hears my multicast" (and "I hear P") stays believed without
 *                            fresh evidence; after that P gets TCP again. LAN 30 s.
 * @param tombstoneTtl        how long RMV items are kept before compaction; must exceed the longest
 *                            partition after which a replica should still not resurrect removed items.
 *                            LAN 1 h.
 * @param compactionInterval  how often a node compacts tombstones. LAN 10 s.
 * @param maxSeenIds          at most this many seen ids ride on one gossip. 64.
 * @param dedupeWindow        how many recent broadcast ids are remembered to drop duplicates. 65,536.
 * @param joinAnnounceWindow  for this long after joining, a node broadcasts its own record to every member
 *                            it learns of (its join first reaches only the members and seeds it knew).
 *                            LAN 10 s.
 */
public record ChatterConfig(Duration antiEntropyInterval, Duration seenTtl, Duration tombstoneTtl,
        Duration compactionInterval, int maxSeenIds, int dedupeWindow, Duration joinAnnounceWindow) {

    /** @throws IllegalArgumentException naming the field and value if one is invalid */
    public ChatterConfig {
        positive("antiEntropyInterval", antiEntropyInterval);
        positive("seenTtl", seenTtl);
        positive("tombstoneTtl", tombstoneTtl);
        positive("compactionInterval", compactionInterval);
        positive("joinAnnounceWindow", joinAnnounceWindow);
        if (maxSeenIds < 1) {
            throw new IllegalArgumentException("maxSeenIds: " + maxSeenIds + " is not >= 1");
        }
        if (dedupeWindow < 16) {
            throw new IllegalArgumentException("dedupeWindow: " + dedupeWindow + " is not >= 16");
        }
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " is not a positive duration");
        }
    }

    /** A local network: fast repair. */
    public static ChatterConfig lan() {
        return new ChatterConfig(Duration.ofMillis(200), Duration.ofSeconds(30), Duration.ofHours(1),
                Duration.ofSeconds(10), 64, 65_536, Duration.ofSeconds(10));
    }

    /** Across data centres: slower anti-entropy to save bandwidth. */
    public static ChatterConfig wan() {
        return new ChatterConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(6),
                Duration.ofSeconds(30), 64, 65_536, Duration.ofSeconds(30));
    }

    /** One machine (tests, demo): quick repair. */
    public static ChatterConfig local() {
        return new ChatterConfig(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(10),
                Duration.ofSeconds(5), 64, 65_536, Duration.ofSeconds(5));
    }

    /** @return this config with another anti-entropy interval */
    public ChatterConfig withAntiEntropyInterval(Duration d) {
        return new ChatterConfig(d, seenTtl, tombstoneTtl, compactionInterval, maxSeenIds, dedupeWindow, joinAnnounceWindow);
    }
}
