package io.scalesmall.chatter.swim;

/** What a failure detector believes of a member. */
public enum MemberState {
    /** Answers probes, or refuted its last suspicion. */
    ALIVE,
    /** Failed a probe; declared {@link #DEAD} unless it refutes before its suspicion times out. */
    SUSPECT,
    /** Suspected and did not refute in time. Comes back only with a higher incarnation. */
    DEAD,
    /** Announced its own departure. Comes back only with a higher incarnation. */
    LEFT;

    /** @return true for a member that still takes part: probed, gossiped to, counted in the group size */
    public boolean isActive() {
        return this == ALIVE || this == SUSPECT;
    }
}
