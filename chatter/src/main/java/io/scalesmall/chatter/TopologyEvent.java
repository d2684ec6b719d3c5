package io.scalesmall.chatter;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;

/**
 * A change of a group's topology as this node sees it, reported once per change (a duplicate or stale
 * message changes no state and so reports nothing).
 */
public sealed interface TopologyEvent {
    /** @return the group that changed */
    String group();

    /** A member now has at least one item that is not a tombstone. */
    record MemberJoined(String group, NetId member) implements TopologyEvent {
    }

    /** A member no longer has any item that is not a tombstone. */
    record MemberLeft(String group, NetId member) implements TopologyEvent {
    }

    /** An ADD item appeared (or changed port or priority: reported as removed, then added). */
    record ItemAdded(String group, Item item) implements TopologyEvent {
    }

    /** An ADD item was withdrawn or changed. */
    record ItemRemoved(String group, Item item) implements TopologyEvent {
    }

    /** Receives events on the thread that owns the protocol core; must not block. */
    @FunctionalInterface
    interface Listener {
        void onEvent(TopologyEvent event);
    }
}
