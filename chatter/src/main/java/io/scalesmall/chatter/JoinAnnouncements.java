package io.scalesmall.chatter;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which members a node still has to tell of its own record after a recent join: for
 * {@link ChatterConfig#joinAnnounceWindow()} after joining a group, every member it learns of (by merge) and has not
 * yet sent its record to gets it once, so a joiner is known quickly even by members its first broadcast missed.
 * Bounded: the told set of a group is dropped when its window ends.
 *
 * <p>Not thread-safe: owned by the {@link GroupNode}'s thread.
 */
final class JoinAnnouncements {
    /** Per group joined recently: until when (ns) to announce, and the members already told. */
    private final Map<String, Window> windows = new TreeMap<>();

    private record Window(long untilNanos, Set<NetId> told) {
    }

    /** Opens (or re-opens) {@code group}'s window until {@code untilNanos}, with nobody told yet. */
    void start(String group, long untilNanos) {
        windows.put(group, new Window(untilNanos, new HashSet<>()));
    }

    /** Closes {@code group}'s window now. */
    void end(String group) {
        windows.remove(group);
    }

    /** Notes that {@code members} got this node's record (a broadcast of its own write reached them). */
    void told(String group, Collection<NetId> members) {
        Window w = windows.get(group);
        if (w != null) {
            w.told().addAll(members);
        }
    }

    /**
     * @param members the group's members now
     * @return the members of {@code group} other than {@code self} not told yet, now marked told; empty when the
     *         window is closed (an ended window is dropped here)
     */
    List<NetId> fresh(long nowNanos, String group, NetId self, Collection<NetId> members) {
        Window w = windows.get(group);
        if (w == null) {
            return List.of();
        }
        if (nowNanos - w.untilNanos() > 0) {
            windows.remove(group);
            return List.of();
        }
        List<NetId> fresh = new ArrayList<>();
        for (NetId m : members) {
            if (!m.equals(self) && w.told().add(m)) {
                fresh.add(m);
            }
        }
        return fresh;
    }

    /** @return whether {@code group}'s window is open (it may have ended but not been noticed yet) */
    boolean isOpen(String group) {
        return windows.containsKey(group);
    }
}
