package io.scalesmall.chatter;

import io.scalesmall.topology.NetId;
import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.WireMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import java.util.List;

/**
 * An {@link Outbox} that lets failure-detector updates ride on every gossip sent through it (SWIM's piggyback, onto
 * Chatter's traffic): at most {@link #PER_GOSSIP} per gossip, multicast or TCP. Datagrams (digest probes) pass as
 * they are. Not thread-safe: used on the {@link GroupNode}'s thread.
 */
final class PiggybackOutbox implements Outbox {
    /** At most this many failure-detector updates ride on one gossip. */
    static final int PER_GOSSIP = 8;
    private final Outbox out;
    private final Membership membership;

    PiggybackOutbox(Outbox out, Membership membership) {
        this.out = out;
        this.membership = membership;
    }

    @Override
    public void multicast(WireMessage message) {
        out.multicast(withUpdates(message));
    }

    @Override
    public void send(NetId to, WireMessage message) {
        out.send(to, withUpdates(message));
    }

    @Override
    public void sendPacket(NetId to, WireMessage message) {
        out.sendPacket(to, message);
    }

    private WireMessage withUpdates(WireMessage m) {
        if (m instanceof Gossip g) {
            List<SwimMessage.Update> u = membership.piggyback(PER_GOSSIP);
            return u.isEmpty() ? g : g.withUpdates(u);
        }
        return m;
    }
}
