package io.scalesmall.chatter.swim;

import io.scalesmall.topology.NetId;

/**
 * A snapshot of what a detector believes of one member.
 *
 * @param id          the member
 * @param state       its state
 * @param incarnation the incarnation that state refers to
 */
public record Member(NetId id, MemberState state, long incarnation) {

    /**
     * A member's state changed; reported once per change, on the detector's thread.
     *
     * @param from the state before, or null when the member was just added
     */
    public record Change(NetId member, MemberState from, MemberState to, long incarnation) {
    }

    /** Receives {@link Change}s on the thread that owns the detector; must not block. */
    @FunctionalInterface
    public interface Listener {
        void onChange(long nowNanos, Change change);
    }
}
