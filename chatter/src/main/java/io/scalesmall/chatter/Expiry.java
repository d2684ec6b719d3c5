package io.scalesmall.chatter;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A {@link GroupNode}'s TTL step, run every compaction interval: drops tombstones older than
 * {@link ChatterConfig#tombstoneTtl()}, purges the records of members down (DEAD or LEFT) for the TTL and of members
 * not held active that hold only old tombstones, records what it dropped as forgotten, and lets {@link Membership}
 * expire its own entries (see its lifecycle). What keeps a node's state bounded by TTL × churn rate.
 *
 * <p>Not thread-safe: owned by the {@link GroupNode}'s thread.
 */
final class Expiry {
    private final NetId self;
    private final ChatterConfig config;
    private final LongSupplier wallMillis;
    private final Membership membership;
    private final TopologyEvents events;

    /** @param wallMillis wall time, ms since the epoch: the item timestamps' clock */
    Expiry(NetId self, ChatterConfig config, LongSupplier wallMillis, Membership membership, TopologyEvents events) {
        this.self = self;
        this.config = config;
        this.wallMillis = wallMillis;
        this.membership = membership;
        this.events = events;
    }

    /** Runs the step over {@code states} (replaced in place), reporting dropped members as topology changes. */
    void run(long nowNanos, Map<String, GroupState> states) {
        long now = wallMillis.getAsLong();
        long ttl = config.tombstoneTtl().toMillis();
        Set<NetId> known = new HashSet<>();
        for (GroupState s : states.values()) {
            known.addAll(s.members());
        }
        List<NetId> purge = membership.duePurge(nowNanos);
        long horizon = now - ttl;
        for (Map.Entry<String, GroupState> e : states.entrySet()) {
            GroupState before = e.getValue();
            List<NetId> drop = new ArrayList<>(purge);
            // Members gone for the TTL whose tombstones plain compaction must keep (it has not seen every earlier
            // write of theirs, e.g. it learned of them only from their leave): dropped whole, and forgotten.
            for (NetId m : before.worldClock().members()) {
                if (!m.equals(self) && !membership.isActive(m) && Membership.oldTombstonesOnly(before.itemsOf(m), horizon)) {
                    drop.add(m);
                }
            }
            GroupState after = before;
            for (NetId m : drop) {
                if (after.worldClock().get(m) != null) {
                    membership.forgot(nowNanos, m, after.worldClock().get(m));
                    after = after.without(m);
                }
            }
            if (after != before) {
                events.diff(before, after, drop);
            }
            e.setValue(after.compact(now, ttl));
        }
        for (NetId m : purge) {
            membership.purgedWithoutRecords(nowNanos, m);
        }
        membership.expire(nowNanos, known);
    }
}
