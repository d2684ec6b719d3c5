package io.scalesmall.wire;

import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.WorldClock;
import java.util.List;

/**
 * Every message scalesmall sends between nodes, as decoded values. Protocol code handles these, never
 * bytes; {@link Wire} turns them into frames and back. Immutable.
 */
public sealed interface WireMessage {
    /** @return the frame type this message travels as */
    FrameType type();

    /** @return the result of the handler method for this message's type */
    <R> R accept(Handler<R> handler);

    /** One method per message type (the adapter style of aeron's decoders). */
    interface Handler<R> {
        R onGossip(Gossip gossip);

        R onGroupState(GroupStateMessage message);

        R onGroupDelta(GroupDeltaMessage message);

        R onDigest(DigestMessage message);

        R onSwim(SwimPacket packet);
    }

    /** A whole group state. */
    record GroupStateMessage(GroupState state) implements WireMessage {
        /** @throws IllegalArgumentException if state is null */
        public GroupStateMessage {
            if (state == null) {
                throw new IllegalArgumentException("state: null");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.GROUP_STATE;
        }

        @Override
        public <R> R accept(Handler<R> handler) {
            return handler.onGroupState(this);
        }
    }

    /** A delta of a group state, e.g. one write, or what {@link GroupState#delta} computed for a peer. */
    record GroupDeltaMessage(GroupState delta) implements WireMessage {
        /** @throws IllegalArgumentException if delta is null */
        public GroupDeltaMessage {
            if (delta == null) {
                throw new IllegalArgumentException("delta: null");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.GROUP_DELTA;
        }

        @Override
        public <R> R accept(Handler<R> handler) {
            return handler.onGroupDelta(this);
        }
    }

    /**
     * A group's digest and world clock: a peer whose digest differs answers with the delta since that clock.
     *
     * @param group  the group name
     * @param digest {@link GroupState#digest()} of the sender's state
     * @param clock  the sender's world clock
     */
    record DigestMessage(String group, long digest, WorldClock clock) implements WireMessage {
        /** @throws IllegalArgumentException naming the field if the group name is invalid or clock null */
        public DigestMessage {
            GroupState.checkGroupName(group);
            if (clock == null) {
                throw new IllegalArgumentException("clock: null");
            }
        }

        @Override
        public FrameType type() {
            return FrameType.DIGEST;
        }

        @Override
        public <R> R accept(Handler<R> handler) {
            return handler.onDigest(this);
        }
    }

    /**
     * The envelope of a broadcast (seed 002, "Gossip"; reference §2.3).
     *
     * @param current      this broadcast's id: the sender and its broadcast seqno
     * @param seen         whose multicast the sender has heard, the highest seqno of each
     * @param distribution the nodes the receiver must forward the payload to
     * @param payload      the message broadcast; not itself a gossip
     * @param updates      failure-detector updates riding on this copy (piggyback); hop-local: a forwarder attaches
     *                     its own, not these
     */
    record Gossip(BroadcastId current, List<BroadcastId> seen, List<NetId> distribution, WireMessage payload,
            List<SwimMessage.Update> updates) implements WireMessage {
        /** @throws IllegalArgumentException naming the field if one is null or the payload is a gossip */
        public Gossip {
            if (current == null) {
                throw new IllegalArgumentException("current: null");
            }
            if (seen == null || holdsNull(seen)) {
                throw new IllegalArgumentException("seen: null or holds null");
            }
            if (distribution == null || holdsNull(distribution)) {
                throw new IllegalArgumentException("distribution: null or holds null");
            }
            if (payload == null) {
                throw new IllegalArgumentException("payload: null");
            }
            if (payload instanceof Gossip) {
                throw new IllegalArgumentException("payload: a gossip cannot carry a gossip");
            }
            if (payload instanceof SwimPacket) {
                throw new IllegalArgumentException("payload: a gossip does not carry a SWIM packet");
            }
            if (updates == null || holdsNull(updates)) {
                throw new IllegalArgumentException("updates: null or holds null");
            }
            seen = List.copyOf(seen);
            distribution = List.copyOf(distribution);
            updates = List.copyOf(updates);
        }

        /** A gossip with no piggybacked updates. */
        public Gossip(BroadcastId current, List<BroadcastId> seen, List<NetId> distribution, WireMessage payload) {
            this(current, seen, distribution, payload, List.of());
        }

        /** @return this gossip carrying {@code piggyback} instead of its updates */
        public Gossip withUpdates(List<SwimMessage.Update> piggyback) {
            return new Gossip(current, seen, distribution, payload, piggyback);
        }

        @Override
        public FrameType type() {
            return FrameType.GOSSIP;
        }

        @Override
        public <R> R accept(Handler<R> handler) {
            return handler.onGossip(this);
        }
    }

    /**
     * A failure-detector packet, sent by UDP unicast to one node: probes, acks, nacks and piggybacked updates.
     *
     * @param from     the sender's id
     * @param messages at least one; a receiver applies the updates before the rest
     */
    record SwimPacket(NetId from, List<SwimMessage> messages) implements WireMessage {
        /** @throws IllegalArgumentException naming the field if one is null or messages is empty */
        public SwimPacket {
            if (from == null) {
                throw new IllegalArgumentException("from: missing");
            }
            if (messages == null || messages.isEmpty() || holdsNull(messages)) {
                throw new IllegalArgumentException("messages: null, empty or holds null");
            }
            messages = List.copyOf(messages);
        }

        @Override
        public FrameType type() {
            return FrameType.SWIM;
        }

        @Override
        public <R> R accept(Handler<R> handler) {
            return handler.onSwim(this);
        }
    }

    // List.contains(null) throws on immutable lists, so look by hand.
    private static boolean holdsNull(List<?> list) {
        for (Object o : list) {
            if (o == null) {
                return true;
            }
        }
        return false;
    }
}
