package io.scalesmall.wire;

import com.google.protobuf.ByteString;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.SwimMessage.Ack;
import io.scalesmall.wire.SwimMessage.Alive;
import io.scalesmall.wire.SwimMessage.Dead;
import io.scalesmall.wire.SwimMessage.Nack;
import io.scalesmall.wire.SwimMessage.Ping;
import io.scalesmall.wire.SwimMessage.PingReq;
import io.scalesmall.wire.SwimMessage.Suspect;
import io.scalesmall.wire.SwimMessage.Update;
import io.scalesmall.wire.WireMessage.SwimPacket;
import io.scalesmall.wire.proto.NetIdMsg;
import io.scalesmall.wire.proto.ProbeMsg;
import io.scalesmall.wire.proto.SeqMsg;
import io.scalesmall.wire.proto.SwimEntryMsg;
import io.scalesmall.wire.proto.SwimMsg;
import io.scalesmall.wire.proto.UpdateMsg;
import java.util.ArrayList;
import java.util.List;

/**
 * Maps {@link SwimMessage}s to {@code SwimEntryMsg} (messages.proto) and back, for {@link Messages}. Decoding
 * failures are {@link IllegalArgumentException}s naming the field path, which {@link Messages} reports as
 * {@code INVALID_FIELD}. Thread-safe (stateless).
 */
final class SwimCodec {
    private SwimCodec() {
    }

    static SwimMsg packet(SwimPacket p) {
        SwimMsg.Builder b = SwimMsg.newBuilder().setFrom(netId(p.from()));
        p.messages().forEach(m -> b.addMessages(entry(m)));
        return b.build();
    }

    static SwimPacket packet(SwimMsg m) {
        if (!m.hasFrom()) {
            throw new IllegalArgumentException("from: missing");
        }
        NetId from = netId(m.getFrom(), "from");
        if (m.getMessagesCount() == 0) {
            throw new IllegalArgumentException("messages: empty");
        }
        List<SwimMessage> out = new ArrayList<>(m.getMessagesCount());
        for (int i = 0; i < m.getMessagesCount(); i++) {
            out.add(entry(m.getMessages(i), "messages[" + i + "]"));
        }
        return new SwimPacket(from, out);
    }

    static SwimEntryMsg entry(SwimMessage m) {
        SwimEntryMsg.Builder b = SwimEntryMsg.newBuilder();
        if (m instanceof Ping p) {
            b.setPing(ProbeMsg.newBuilder().setSeq(p.seq()).setTarget(netId(p.target())));
        } else if (m instanceof Ack a) {
            b.setAck(SeqMsg.newBuilder().setSeq(a.seq()));
        } else if (m instanceof PingReq r) {
            b.setPingReq(ProbeMsg.newBuilder().setSeq(r.seq()).setTarget(netId(r.target())));
        } else if (m instanceof Nack n) {
            b.setNack(SeqMsg.newBuilder().setSeq(n.seq()));
        } else if (m instanceof Alive a) {
            b.setAlive(UpdateMsg.newBuilder().setMember(netId(a.member())).setIncarnation(a.incarnation()));
        } else if (m instanceof Suspect s) {
            b.setSuspect(UpdateMsg.newBuilder().setMember(netId(s.member())).setIncarnation(s.incarnation())
                    .setFrom(netId(s.from())));
        } else if (m instanceof Dead d) {
            b.setDead(UpdateMsg.newBuilder().setMember(netId(d.member())).setIncarnation(d.incarnation())
                    .setFrom(netId(d.from())));
        }
        return b.build();
    }

    /** Decodes one entry; {@code field} names it in errors. */
    static SwimMessage entry(SwimEntryMsg e, String field) {
        try {
            switch (e.getKindCase()) {
                case PING:
                    return new Ping(e.getPing().getSeq(), target(e.getPing()));
                case ACK:
                    return new Ack(e.getAck().getSeq());
                case PING_REQ:
                    return new PingReq(e.getPingReq().getSeq(), target(e.getPingReq()));
                case NACK:
                    return new Nack(e.getNack().getSeq());
                case ALIVE:
                    return new Alive(member(e.getAlive()), e.getAlive().getIncarnation());
                case SUSPECT:
                    return new Suspect(member(e.getSuspect()), e.getSuspect().getIncarnation(), from(e.getSuspect()));
                case DEAD:
                    return new Dead(member(e.getDead()), e.getDead().getIncarnation(), from(e.getDead()));
                default:
                    throw new IllegalArgumentException("kind: none set");
            }
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(field + "." + x.getMessage(), x);
        }
    }

    /** Decodes a piggybacked update; anything but alive, suspect or dead is invalid there. */
    static Update update(SwimEntryMsg e, String field) {
        SwimMessage m = entry(e, field);
        if (m instanceof Update u) {
            return u;
        }
        throw new IllegalArgumentException(field + ": a " + m.getClass().getSimpleName() + " is not an update");
    }

    private static NetId target(ProbeMsg p) {
        if (!p.hasTarget()) {
            throw new IllegalArgumentException("target: missing");
        }
        return netId(p.getTarget(), "target");
    }

    private static NetId member(UpdateMsg u) {
        if (!u.hasMember()) {
            throw new IllegalArgumentException("member: missing");
        }
        return netId(u.getMember(), "member");
    }

    private static NetId from(UpdateMsg u) {
        if (!u.hasFrom()) {
            throw new IllegalArgumentException("from: missing");
        }
        return netId(u.getFrom(), "from");
    }

    private static NetIdMsg netId(NetId id) {
        return NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(id.addressBytes())).setPort(id.port()).build();
    }

    private static NetId netId(NetIdMsg m, String field) {
        try {
            return NetId.of(m.getAddress().toByteArray(), m.getPort());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(field + "." + e.getMessage(), e);
        }
    }
}
