package io.scalesmall.chatter.swim;

/** A {@link FailureDetector}'s counters, for metrics; read on the detector's thread. */
public final class SwimStats {
    long probes;
    long indirectProbes;
    long failedProbes;
    long suspicionsRaised;
    long deathsDeclared;
    long refutations;
    long nacksSent;
    long reconnects;

    /** @return direct probes started */
    public long probes() {
        return probes;
    }

    /** @return PingReqs sent (k per probe that needed them) */
    public long indirectProbes() {
        return indirectProbes;
    }

    /** @return probes that got no ack by their deadline */
    public long failedProbes() {
        return failedProbes;
    }

    /** @return suspicions this node raised itself (not ones it learned) */
    public long suspicionsRaised() {
        return suspicionsRaised;
    }

    /** @return suspicions that timed out here: this node's own DEAD verdicts */
    public long deathsDeclared() {
        return deathsDeclared;
    }

    /** @return times this node refuted a suspicion or death of itself */
    public long refutations() {
        return refutations;
    }

    /** @return nacks sent as an intermediary */
    public long nacksSent() {
        return nacksSent;
    }

    /** @return re-dial pings sent to members held DEAD or unknown (healing) */
    public long reconnects() {
        return reconnects;
    }
}
