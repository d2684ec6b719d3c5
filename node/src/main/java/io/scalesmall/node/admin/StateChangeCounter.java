package io.scalesmall.node.admin;

import io.scalesmall.chatter.TopologyEvent;
import io.scalesmall.chatter.TopologyEvent.MemberStateChanged;
import io.scalesmall.chatter.swim.MemberState;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the failure detector's verdicts as this node sees them, by the state a member moved to, from the
 * {@link MemberStateChanged} events of the {@link io.scalesmall.chatter.GroupManager}: e.g. {@code to=DEAD} counts
 * members this node came to hold dead (its own verdicts and those it learned), {@code to=ALIVE} recoveries
 * (refutations and restarts). A member first learned of ({@code from == null}) is not a change and is not counted.
 *
 * <p>One detector change is reported once per group the member is in, back to back; consecutive identical events
 * (same member, from, to) are therefore counted once. Two real changes of one member with the same from and to
 * have another change of that member between them, which resets the comparison; only if that change went
 * unreported (the member was then in no group this node holds) is the second one missed.
 *
 * <p>Thread-safety: {@link #onEvent} runs on the core thread only (a listener); {@link #count} may be read from any
 * thread.
 */
final class StateChangeCounter implements TopologyEvent.Listener {
    private final Map<MemberState, LongAdder> counts = new EnumMap<>(MemberState.class);
    /** The last state change counted; core thread only. */
    private MemberStateChanged last;

    StateChangeCounter() {
        for (MemberState s : MemberState.values()) {
            counts.put(s, new LongAdder());
        }
    }

    @Override
    public void onEvent(TopologyEvent event) {
        if (!(event instanceof MemberStateChanged c)) {
            last = null;
            return;
        }
        if (c.from() == null) {
            return;
        }
        if (last != null && last.member().equals(c.member()) && last.from() == c.from() && last.to() == c.to()) {
            return;
        }
        last = c;
        counts.get(c.to()).increment();
    }

    /** @return changes into {@code state} counted so far, {@code >= 0} */
    long count(MemberState state) {
        return counts.get(state).sum();
    }
}
