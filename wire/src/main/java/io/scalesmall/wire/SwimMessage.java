package io.scalesmall.wire;

import io.scalesmall.topology.NetId;

/**
 * The failure detector's messages: SWIM (Das, Gupta, Motivala 2002) with Lifeguard's nack (Dadgar et al. 2017),
 * after HashiCorp memberlist. Probes go to one node in a {@link WireMessage.SwimPacket}; {@link Update}s ride on
 * probes, on the detector's own gossip rounds and on every {@link WireMessage.Gossip} (piggyback). Immutable;
 * sequence numbers and incarnations are 0..2^63-1 ({@link IllegalArgumentException} otherwise, or on a null id).
 */
public sealed interface SwimMessage {

    /**
     * A direct probe: answer with {@link Ack} of the same seq. {@code target} lets a restarted node ignore a ping
     * meant for an earlier id at its address.
     */
    record Ping(long seq, NetId target) implements SwimMessage {
        /** @throws IllegalArgumentException if seq is negative or target null */
        public Ping {
            check(seq, "seq");
            notNull(target, "target");
        }
    }

    /** Answers {@link Ping} (directly) or {@link PingReq} (relayed by the intermediary), same seq. */
    record Ack(long seq) implements SwimMessage {
        /** @throws IllegalArgumentException if seq is negative */
        public Ack {
            check(seq, "seq");
        }
    }

    /** Asks the receiver to ping {@code target} and relay its ack as {@code Ack(seq)}. */
    record PingReq(long seq, NetId target) implements SwimMessage {
        /** @throws IllegalArgumentException if seq is negative or target null */
        public PingReq {
            check(seq, "seq");
            notNull(target, "target");
        }
    }

    /** Lifeguard: an intermediary's "I asked, the target did not answer": proof the requester is heard. */
    record Nack(long seq) implements SwimMessage {
        /** @throws IllegalArgumentException if seq is negative */
        public Nack {
            check(seq, "seq");
        }
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
        /** @throws IllegalArgumentException if member is null or incarnation negative */
        public Alive {
            notNull(member, "member");
            check(incarnation, "incarnation");
        }
    }

    /** {@code from} suspects {@code member} at {@code incarnation}. */
    record Suspect(NetId member, long incarnation, NetId from) implements Update {
        /** @throws IllegalArgumentException if an id is null or incarnation negative */
        public Suspect {
            notNull(member, "member");
            check(incarnation, "incarnation");
            notNull(from, "from");
        }
    }

    /** {@code from} declares {@code member} dead at {@code incarnation}; {@code from == member} means it left. */
    record Dead(NetId member, long incarnation, NetId from) implements Update {
        /** @throws IllegalArgumentException if an id is null or incarnation negative */
        public Dead {
            notNull(member, "member");
            check(incarnation, "incarnation");
            notNull(from, "from");
        }
    }

    private static void check(long value, String field) {
        if (value < 0) {
            throw new IllegalArgumentException(field + ": " + value + " is negative");
        }
    }

    private static void notNull(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
    }
}
