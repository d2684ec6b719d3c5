package io.scalesmall.chatter;

import io.scalesmall.chatter.swim.SwimConfig;
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
 * @param tombstoneTtl        how long RMV items are kept before compaction, and how long the items of a member
 *                            the failure detector holds DEAD or LEFT are kept (invisible in members and routes)
 *                            before they are forgotten; must exceed the longest partition after which a replica
 *                            should still not resurrect removed items. State stays bounded by this TTL times
 *                            the churn rate. LAN 1 h.
 * @param compactionInterval  how often a node compacts tombstones. LAN 10 s.
 * @param maxSeenIds          at most this many seen ids ride on one gossip. 64.
 * @param dedupeWindow        how many recent broadcast ids are remembered to drop duplicates. 65,536.
 * @param joinAnnounceWindow  for this long after joining, a node broadcasts its own record to every member
 *                            it learns of (its join first reaches only the members and seeds it knew).
 *                            LAN 10 s.
 * @param swim                the failure detector's tuning ({@link SwimConfig}; LAN: memberlist's LAN values,
 *                            a 500 ms protocol period, so that a crash in a group of 100 is agreed within 8 s)
 * @param reconnectInterval   how often a node re-dials one peer it holds DEAD (or has forgotten, or a seed it
 *                            does not hear), so partitions heal without an operator (Serf's reconnect).
 *                            LAN 5 s: a two-sided partition heals within a few intervals of its end.
 * @param reconnectTimeout    how long a peer last known alive stays on the re-dial list. LAN 24 h (Serf's
 *                            ReconnectTimeout); the list is also capped at {@link #MAX_RECONNECT_PEERS}.
 */
public record ChatterConfig(Duration antiEntropyInterval, Duration seenTtl, Duration tombstoneTtl,
        Duration compactionInterval, int maxSeenIds, int dedupeWindow, Duration joinAnnounceWindow, SwimConfig swim,
        Duration reconnectInterval, Duration reconnectTimeout) {
    /** The most peers a node keeps for re-dialling; the oldest are dropped first. */
    public static final int MAX_RECONNECT_PEERS = 4096;

    /** @throws IllegalArgumentException naming the field and value if one is invalid */
    public ChatterConfig {
        positive("antiEntropyInterval", antiEntropyInterval);
        positive("seenTtl", seenTtl);
        positive("tombstoneTtl", tombstoneTtl);
        positive("compactionInterval", compactionInterval);
        positive("joinAnnounceWindow", joinAnnounceWindow);
        positive("reconnectInterval", reconnectInterval);
        positive("reconnectTimeout", reconnectTimeout);
        if (swim == null) {
            throw new IllegalArgumentException("swim: null");
        }
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
                Duration.ofSeconds(10), 64, 65_536, Duration.ofSeconds(10), SwimConfig.lan(), Duration.ofSeconds(5),
                Duration.ofHours(24));
    }

    /** Across data centres: slower anti-entropy to save bandwidth. */
    public static ChatterConfig wan() {
        return new ChatterConfig(Duration.ofSeconds(5), Duration.ofSeconds(60), Duration.ofHours(6),
                Duration.ofSeconds(30), 64, 65_536, Duration.ofSeconds(30), SwimConfig.wan(), Duration.ofSeconds(30),
                Duration.ofHours(24));
    }

    /** One machine (tests, demo): quick repair. */
    public static ChatterConfig local() {
        return new ChatterConfig(Duration.ofMillis(200), Duration.ofSeconds(10), Duration.ofMinutes(10),
                Duration.ofSeconds(5), 64, 65_536, Duration.ofSeconds(5), SwimConfig.local(), Duration.ofSeconds(2),
                Duration.ofHours(1));
    }

    /** @return this config with another anti-entropy interval */
    public ChatterConfig withAntiEntropyInterval(Duration d) {
        return new ChatterConfig(d, seenTtl, tombstoneTtl, compactionInterval, maxSeenIds, dedupeWindow,
                joinAnnounceWindow, swim, reconnectInterval, reconnectTimeout);
    }

    /** @return this config with another failure-detector tuning */
    public ChatterConfig withSwim(SwimConfig s) {
        return new ChatterConfig(antiEntropyInterval, seenTtl, tombstoneTtl, compactionInterval, maxSeenIds,
                dedupeWindow, joinAnnounceWindow, s, reconnectInterval, reconnectTimeout);
    }

    /** @return this config with another tombstone (and dead-member) TTL and compaction interval */
    public ChatterConfig withTombstoneTtl(Duration ttl, Duration compaction) {
        return new ChatterConfig(antiEntropyInterval, seenTtl, ttl, compaction, maxSeenIds, dedupeWindow,
                joinAnnounceWindow, swim, reconnectInterval, reconnectTimeout);
    }

    /** @return this config with another re-dial interval */
    public ChatterConfig withReconnectInterval(Duration d) {
        return new ChatterConfig(antiEntropyInterval, seenTtl, tombstoneTtl, compactionInterval, maxSeenIds,
                dedupeWindow, joinAnnounceWindow, swim, d, reconnectTimeout);
    }
}
