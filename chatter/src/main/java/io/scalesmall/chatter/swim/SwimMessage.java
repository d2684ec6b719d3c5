package io.scalesmall.chatter.swim;

import io.scalesmall.topology.NetId;

/**
 * The failure detector's messages (SWIM, with Lifeguard's nack). No encoding here: a later step maps them onto
 * the wire format. Probe messages go to one node; {@link Update}s ride on probes and gossip (piggyback) and are
 * re-sent a bounded number of times.
 */
public sealed interface SwimMessage {

    /** A direct probe: answer with {@link Ack} of the same seq. {@code target} lets a restarted node ignore a
     *  ping meant for an earlier id at its address. */
    record Ping(long seq, NetId target) implements SwimMessage {
    }

    /** Answers {@link Ping} (directly) or {@link PingReq} (relayed by the intermediary), same seq. */
    record Ack(long seq) implements SwimMessage {
    }

    /** Asks the receiver to ping {@code target} and relay its ack as {@code Ack(seq)}. */
    record PingReq(long seq, NetId target) implements SwimMessage {
    }

    /** Lifeguard: an intermediary's "I asked, {@code target} did not answer": proof the requester is heard. */
    record Nack(long seq) implements SwimMessage {
    }

    /** A membership update about {@link #member()}; the higher incarnation wins. */
    sealed interface Update extends SwimMessage {
        /** @return the member the update is about */
        NetId member();

        /** @return the member's incarnation the update refers to */
        long incarnation();
    }

    /** {@code member} is alive at {@code incarnation}: refutes suspicions of lower incarnations. */
    record Alive(NetId member, long incarnation) implements Update {
    }

    /** {@code from} suspects {@code member} at {@code incarnation}. */
    record Suspect(NetId member, long incarnation, NetId from) implements Update {
    }

    /** {@code from} declares {@code member} dead at {@code incarnation}; {@code from == member} means it left. */
    record Dead(NetId member, long incarnation, NetId from) implements Update {
    }
}
