package io.scalesmall.chatter;

/** Counters of what a {@link GroupNode} did, for metrics; written and read on the node's thread. */
public final class GroupNodeStats {
    final Dissemination.Stats dissemination = new Dissemination.Stats();
    long merges;
    long changes;
    long antiEntropyRounds;
    long refutations;

    /** @return broadcasts started (own writes and forwards) */
    public long broadcasts() {
        return dissemination.broadcasts;
    }

    /** @return messages handed to the stream transport */
    public long streamSends() {
        return dissemination.streamSends;
    }

    /** @return multicasts handed to the outbox (a transport with multicast off drops them there) */
    public long multicastsSent() {
        return dissemination.multicastsSent;
    }

    /** @return gossips dropped as duplicates */
    public long duplicates() {
        return dissemination.duplicates;
    }

    /** @return states or deltas merged */
    public long merges() {
        return merges;
    }

    /** @return merges that changed this node's state */
    public long changes() {
        return changes;
    }

    /** @return digests sent to a random peer */
    public long antiEntropyRounds() {
        return antiEntropyRounds;
    }

    /** @return writes made to refute stale writes of this node's id */
    public long refutations() {
        return refutations;
    }
}
