package io.scalesmall.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalClock;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import io.scalesmall.wire.proto.BroadcastIdMsg;
import io.scalesmall.wire.proto.DigestMsg;
import io.scalesmall.wire.proto.DotSetMsg;
import io.scalesmall.wire.proto.GossipMsg;
import io.scalesmall.wire.proto.GroupStateMsg;
import io.scalesmall.wire.proto.ItemMsg;
import io.scalesmall.wire.proto.MemberMsg;
import io.scalesmall.wire.proto.NetIdMsg;
import io.scalesmall.wire.proto.SwimMsg;
import io.scalesmall.wire.proto.WorldClockMsg;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps {@link WireMessage}s to their protobuf bytes (messages.proto) and back, validating every decoded field
 * with the data types' own rules. No framing, no crypto: that is {@link FrameCodec}. Thread-safe (stateless).
 */
public final class Messages {
    private Messages() {
    }

    /** @return the protobuf bytes of {@code m} */
    public static byte[] toBytes(WireMessage m) {
        return m.accept(new WireMessage.Handler<byte[]>() {
            @Override
            public byte[] onGossip(Gossip g) {
                GossipMsg.Builder b = GossipMsg.newBuilder().setCurrent(broadcastId(g.current()))
                        .setPayloadType(g.payload().type().id())
                        .setPayload(ByteString.copyFrom(toBytes(g.payload())));
                g.seen().forEach(s -> b.addSeen(broadcastId(s)));
                g.distribution().forEach(n -> b.addDistribution(netId(n)));
                g.updates().forEach(u -> b.addUpdates(SwimCodec.entry(u)));
                return b.build().toByteArray();
            }

            @Override
            public byte[] onSwim(WireMessage.SwimPacket p) {
                return SwimCodec.packet(p).toByteArray();
            }

            @Override
            public byte[] onGroupState(GroupStateMessage msg) {
                return groupState(msg.state()).toByteArray();
            }

            @Override
            public byte[] onGroupDelta(GroupDeltaMessage msg) {
                return groupState(msg.delta()).toByteArray();
            }

            @Override
            public byte[] onDigest(DigestMessage d) {
                return DigestMsg.newBuilder().setGroup(d.group()).setDigest(d.digest())
                        .setClock(worldClock(d.clock())).build().toByteArray();
            }
        });
    }

    /**
     * Decodes the protobuf bytes of a message of type {@code type}.
     *
     * @throws CodecException {@code MALFORMED} if the bytes are not that protobuf message,
     *                        {@code INVALID_FIELD} (naming the field and value) if a field breaks a rule
     */
    public static WireMessage fromBytes(FrameType type, byte[] bytes) throws CodecException {
        return fromBytes(type, bytes, Long.MAX_VALUE);
    }

    /**
     * As {@link #fromBytes(FrameType, byte[])}, first checking that the message holds at most
     * {@code maxElements} repeated-field elements (see {@link ProtoBudget}); {@link Wire} passes
     * {@code maxFrameBytes / 16}.
     *
     * @throws CodecException {@code OVERSIZED} if it holds more
     */
    public static WireMessage fromBytes(FrameType type, byte[] bytes, long maxElements) throws CodecException {
        if (maxElements != Long.MAX_VALUE) {
            ProtoBudget.check(descriptor(type), bytes, maxElements);
        }
        try {
            switch (type) {
                case GOSSIP:
                    return gossip(GossipMsg.parseFrom(bytes), maxElements);
                case GROUP_STATE:
                    return new GroupStateMessage(groupState(GroupStateMsg.parseFrom(bytes)));
                case GROUP_DELTA:
                    return new GroupDeltaMessage(groupState(GroupStateMsg.parseFrom(bytes)));
                case DIGEST:
                    DigestMsg d = DigestMsg.parseFrom(bytes);
                    return new DigestMessage(d.getGroup(), d.getDigest(), worldClock(d.getClock(), "clock"));
                case SWIM:
                    return SwimCodec.packet(SwimMsg.parseFrom(bytes));
                default:
                    throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "type " + type);
            }
        } catch (InvalidProtocolBufferException e) {
            throw new CodecException(CodecException.Reason.MALFORMED, type + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CodecException(CodecException.Reason.INVALID_FIELD, type + ": " + e.getMessage(), e);
        }
    }

    private static com.google.protobuf.Descriptors.Descriptor descriptor(FrameType type) throws CodecException {
        switch (type) {
            case GOSSIP:
                return GossipMsg.getDescriptor();
            case GROUP_STATE:
            case GROUP_DELTA:
                return GroupStateMsg.getDescriptor();
            case DIGEST:
                return DigestMsg.getDescriptor();
            case SWIM:
                return SwimMsg.getDescriptor();
            default:
                throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "type " + type);
        }
    }

    // ---- encoding -------------------------------------------------------------------------------------

    private static NetIdMsg netId(NetId id) {
        return NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(id.addressBytes())).setPort(id.port()).build();
    }

    private static BroadcastIdMsg broadcastId(BroadcastId id) {
        return BroadcastIdMsg.newBuilder().setOrigin(netId(id.origin())).setSeqno(id.seqno()).build();
    }

    private static DotSetMsg dotSet(NetId member, DotSet d) {
        DotSetMsg.Builder b = DotSetMsg.newBuilder().setMember(netId(member)).setIncarnation(d.incarnation());
        for (int i = 0; i < d.rangeCount(); i++) {
            b.addRanges(d.low(i)).addRanges(d.high(i));
        }
        return b.build();
    }

    private static WorldClockMsg worldClock(WorldClock w) {
        WorldClockMsg.Builder b = WorldClockMsg.newBuilder();
        for (Map.Entry<NetId, DotSet> e : w.entries().entrySet()) {
            b.addEntries(dotSet(e.getKey(), e.getValue()));
        }
        return b.build();
    }

    private static GroupStateMsg groupState(GroupState s) {
        GroupStateMsg.Builder b = GroupStateMsg.newBuilder().setGroup(s.group());
        for (Map.Entry<NetId, DotSet> e : s.worldClock().entries().entrySet()) {
            MemberMsg.Builder m = MemberMsg.newBuilder().setClock(dotSet(e.getKey(), e.getValue()));
            for (TimedItem t : s.itemsOf(e.getKey()).items()) {
                Item it = t.item();
                m.addItems(ItemMsg.newBuilder().setOpValue(it.op().code()).setStart((int) it.start())
                        .setEnd((int) it.end()).setPort(it.port()).setPriority(it.priority())
                        .setCounter(t.updatedAt().counter()).setTimestampMs(t.timestampMillis()));
            }
            b.addMembers(m);
        }
        return b.build();
    }

    // ---- decoding: every IllegalArgumentException names its field path ---------------------------------

    private static NetId netId(NetIdMsg m, String field) {
        try {
            return NetId.of(m.getAddress().toByteArray(), m.getPort());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + "." + e.getMessage(), e);
        }
    }

    private static BroadcastId broadcastId(BroadcastIdMsg m, String field) {
        if (!m.hasOrigin()) {
            throw new IllegalArgumentException(field + ".origin: missing");
        }
        try {
            return new BroadcastId(netId(m.getOrigin(), field + ".origin"), m.getSeqno());
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith(field) ? e : new IllegalArgumentException(field + "." + e.getMessage(), e);
        }
    }

    private static DotSet dotSet(DotSetMsg m, String field) {
        long[] ranges = new long[m.getRangesCount()];
        for (int i = 0; i < ranges.length; i++) {
            ranges[i] = m.getRanges(i);
        }
        try {
            DotSet d = DotSet.of(m.getIncarnation(), ranges);
            if (d.isEmpty()) {
                throw new IllegalArgumentException("ranges: empty");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + "." + e.getMessage(), e);
        }
    }

    private static WorldClock worldClock(WorldClockMsg m, String field) {
        WorldClock w = WorldClock.empty();
        for (int i = 0; i < m.getEntriesCount(); i++) {
            DotSetMsg e = m.getEntries(i);
            String f = field + ".entries[" + i + "]";
            NetId member = member(e, f);
            if (w.get(member) != null) {
                throw new IllegalArgumentException(f + ".member: " + member + " appears twice");
            }
            w = w.with(member, dotSet(e, f));
        }
        return w;
    }

    private static NetId member(DotSetMsg e, String field) {
        if (!e.hasMember()) {
            throw new IllegalArgumentException(field + ".member: missing");
        }
        try {
            return NetId.of(e.getMember().getAddress().toByteArray(), e.getMember().getPort());
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(field + ".member." + x.getMessage(), x);
        }
    }

    private static GroupState groupState(GroupStateMsg m) {
        WorldClock clock = WorldClock.empty();
        List<TimedItem> items = new ArrayList<>();
        for (int i = 0; i < m.getMembersCount(); i++) {
            try {
                MemberMsg mm = m.getMembers(i);
                if (!mm.hasClock()) {
                    throw new IllegalArgumentException("clock: missing");
                }
                NetId member = member(mm.getClock(), "clock");
                if (clock.get(member) != null) {
                    throw new IllegalArgumentException("clock.member: " + member + " appears twice");
                }
                DotSet dots = dotSet(mm.getClock(), "clock");
                clock = clock.with(member, dots);
                for (int j = 0; j < mm.getItemsCount(); j++) {
                    try {
                        items.add(item(mm.getItems(j), member, dots.incarnation()));
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException("items[" + j + "]." + e.getMessage(), e);
                    }
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("members[" + i + "]." + e.getMessage(), e);
            }
        }
        try {
            return GroupState.of(m.getGroup(), clock, items);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("state." + e.getMessage(), e);
        }
    }

    private static TimedItem item(ItemMsg m, NetId member, long incarnation) {
        Op op = Op.fromCode(m.getOpValue());
        Item it = new Item(member, op, Integer.toUnsignedLong(m.getStart()), Integer.toUnsignedLong(m.getEnd()),
                m.getPort(), m.getPriority());
        return new TimedItem(it, new LocalClock(member, incarnation, m.getCounter()), m.getTimestampMs());
    }

    private static Gossip gossip(GossipMsg m, long maxElements) throws CodecException {
        if (!m.hasCurrent()) {
            throw new IllegalArgumentException("current: missing");
        }
        BroadcastId current = broadcastId(m.getCurrent(), "current");
        List<BroadcastId> seen = new ArrayList<>(m.getSeenCount());
        for (int i = 0; i < m.getSeenCount(); i++) {
            seen.add(broadcastId(m.getSeen(i), "seen[" + i + "]"));
        }
        List<NetId> distribution = new ArrayList<>(m.getDistributionCount());
        Set<NetId> unique = new HashSet<>();
        for (int i = 0; i < m.getDistributionCount(); i++) {
            NetId n = netId(m.getDistribution(i), "distribution[" + i + "]");
            if (unique.add(n)) {
                distribution.add(n);
            }
        }
        FrameType inner = FrameType.byId(m.getPayloadType());
        if (inner == null) {
            throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "gossip payload_type " + m.getPayloadType());
        }
        if (inner == FrameType.GOSSIP || inner == FrameType.SWIM) {
            throw new IllegalArgumentException("payload_type: a gossip cannot carry a " + inner);
        }
        WireMessage payload = fromBytes(inner, m.getPayload().toByteArray(), maxElements);
        List<SwimMessage.Update> updates = new ArrayList<>(m.getUpdatesCount());
        for (int i = 0; i < m.getUpdatesCount(); i++) {
            updates.add(SwimCodec.update(m.getUpdates(i), "updates[" + i + "]"));
        }
        return new Gossip(current, seen, distribution, payload, updates);
    }
}
