package io.scalesmall.chatter;

import io.scalesmall.chatter.swim.MemberState;
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

    /**
     * The failure detector changed its mind about a member of the group: ALIVE, SUSPECT, DEAD or LEFT. A DEAD or
     * LEFT member's items stop counting in members and routes at once (they stay in the topology until the TTL).
     *
     * @param from the state before, or null when the detector just learned of the member
     */
    record MemberStateChanged(String group, NetId member, MemberState from, MemberState to) implements TopologyEvent {
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
