package io.scalesmall.chatter;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.chatter.swim.Member;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.SwimMessage.Dead;
import io.scalesmall.wire.WireMessage;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.SwimPacket;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Verdicts travel with records (issue 4, churn): a node that holds a member DEAD or LEFT does not hand out that
 * member's live records, it sends the verdict instead; a peer that sends it such records is told the verdict; and a
 * verdict heard before the records keeps the member down when they arrive. Without these, records of departed
 * members circulated among nodes that joined after the verdicts' gossip, and a node's state grew with churn.
 */
class VerdictTest {
    private static final String G = "g";
    private static final NetId SELF = NetId.parse("10.0.0.1:29999");
    private static final NetId PEER = NetId.parse("10.0.0.2:29999");
    private static final NetId CRASHED = NetId.parse("10.0.0.3:29999");
    private static final NetId ACCUSER = NetId.parse("10.0.0.4:29999");

    private record Sent(NetId to, WireMessage message) {
    }

    /** Records what a node sends. */
    private static final class Recorder implements Outbox {
        final List<Sent> sent = new ArrayList<>();

        @Override
        public void multicast(WireMessage message) {
        }

        @Override
        public void send(NetId to, WireMessage message) {
            sent.add(new Sent(to, message));
        }

        @Override
        public void sendPacket(NetId to, WireMessage message) {
            sent.add(new Sent(to, message));
        }

        /** @return the failure-detector updates sent to {@code to}, by datagram or riding on gossip */
        List<SwimMessage> swimTo(NetId to) {
            List<SwimMessage> out = new ArrayList<>();
            for (Sent s : sent) {
                if (s.to().equals(to) && s.message() instanceof SwimPacket p) {
                    out.addAll(p.messages());
                } else if (s.to().equals(to) && s.message() instanceof Gossip g) {
                    out.addAll(g.updates());
                }
            }
            return out;
        }

        /** @return the group deltas sent to {@code to} */
        List<GroupState> deltasTo(NetId to) {
            List<GroupState> out = new ArrayList<>();
            for (Sent s : sent) {
                if (s.to().equals(to) && s.message() instanceof Gossip g && g.payload() instanceof GroupDeltaMessage d) {
                    out.add(d.delta());
                }
            }
            return out;
        }
    }

    private static GroupNode node(NetId id, long incarnation, Outbox out) {
        return new GroupNode(id, incarnation, ChatterConfig.lan(), out, () -> 1_000L, new Random(4));
    }

    /** @return the state of {@code id} alone in the group, joined at {@code incarnation} */
    private static GroupState joined(NetId id, long incarnation) {
        GroupNode n = node(id, incarnation, new Recorder());
        n.join(0, G, List.of());
        return n.state(G);
    }

    private static Gossip gossip(NetId from, long seqno, WireMessage payload) {
        return new Gossip(new BroadcastId(from, seqno), List.of(), List.of(), payload);
    }

    /** @return a node that knows CRASHED's records and holds it DEAD (incarnation 5) on ACCUSER's word */
    private static GroupNode holdingCrashedDead(Recorder out) {
        GroupNode n = node(SELF, 1, out);
        n.join(0, G, List.of());
        n.merge(0, joined(CRASHED, 5));
        assertThat(n.members(G)).contains(CRASHED);
        n.onMessage(0, Via.PACKET, new SwimPacket(ACCUSER, List.of(new Dead(CRASHED, 5, ACCUSER))));
        assertThat(n.detector().member(CRASHED).state()).isEqualTo(MemberState.DEAD);
        assertThat(n.members(G)).doesNotContain(CRASHED);
        out.sent.clear();
        return n;
    }

    @Test
    void aDeltaWithholdsLiveRecordsOfADeadMemberAndCarriesTheVerdict() {
        Recorder out = new Recorder();
        GroupNode n = holdingCrashedDead(out);
        GroupState peer = joined(PEER, 2);
        n.onMessage(1, Via.STREAM, gossip(PEER, 1, new DigestMessage(G, peer.digest(), peer.worldClock())));

        List<GroupState> deltas = out.deltasTo(PEER);
        assertThat(deltas).hasSize(1);
        assertThat(deltas.get(0).worldClock().members()).contains(SELF).doesNotContain(CRASHED);
        assertThat(out.swimTo(PEER)).contains(new Dead(CRASHED, 5, SELF));
    }

    @Test
    void aPeerSendingLiveRecordsOfADeadMemberIsToldTheVerdict() {
        Recorder out = new Recorder();
        GroupNode n = holdingCrashedDead(out);
        n.onMessage(1, Via.STREAM, gossip(PEER, 1, new GroupDeltaMessage(joined(CRASHED, 5))));
        assertThat(out.swimTo(PEER)).contains(new Dead(CRASHED, 5, SELF));

        out.sent.clear();
        n.onMessage(2, Via.STREAM, gossip(PEER, 2, new GroupDeltaMessage(joined(ACCUSER, 3))));
        assertThat(out.swimTo(PEER)).as("nothing to tell about a live member").noneMatch(m -> m instanceof Dead);
    }

    @Test
    void aVerdictHeardBeforeTheRecordsKeepsTheMemberDownUntilARestart() {
        Recorder out = new Recorder();
        GroupNode n = node(SELF, 1, out);
        n.join(0, G, List.of());
        n.onMessage(0, Via.PACKET, new SwimPacket(ACCUSER, List.of(new Dead(CRASHED, 5, ACCUSER),
                new Dead(PEER, 2, PEER))));
        assertThat(n.detector().member(CRASHED)).isEqualTo(new Member(CRASHED, MemberState.DEAD, 5));
        assertThat(n.detector().member(PEER)).as("a leave").isEqualTo(new Member(PEER, MemberState.LEFT, 2));
        assertThat(n.detector().piggyback(16)).as("news to this node only: not re-gossiped").isEmpty();

        n.merge(1, joined(CRASHED, 5));
        n.merge(1, joined(PEER, 2));
        assertThat(n.detector().member(CRASHED).state()).isEqualTo(MemberState.DEAD);
        assertThat(n.detector().member(PEER).state()).isEqualTo(MemberState.LEFT);
        assertThat(n.members(G)).containsExactly(SELF);

        n.merge(2, joined(CRASHED, 9));
        assertThat(n.detector().member(CRASHED)).as("a restart: a higher incarnation")
                .isEqualTo(new Member(CRASHED, MemberState.ALIVE, 9));
        assertThat(n.members(G)).containsExactly(SELF, CRASHED);
    }

    @Test
    void aVerdictWithoutRecordsIsForgottenAfterTwoTtls() {
        Recorder out = new Recorder();
        GroupNode n = node(SELF, 1, out);
        n.join(0, G, List.of());
        n.onMessage(0, Via.PACKET, new SwimPacket(ACCUSER, List.of(new Dead(CRASHED, 5, ACCUSER))));
        long ttl = ChatterConfig.lan().tombstoneTtl().toNanos();
        long step = ChatterConfig.lan().compactionInterval().toNanos();
        long now = 0;
        while (now < 2 * ttl + 2 * step) {
            now += step;
            n.tick(now);
        }
        assertThat(n.detector().member(CRASHED)).as("gone after two TTLs (purge, then forget)").isNull();
        assertThat(n.forgottenMembers()).isZero();
    }

    @Test
    void noVerdictIsSentWhileNothingIsDown() {
        Recorder out = new Recorder();
        GroupNode n = node(SELF, 1, out);
        n.join(0, G, List.of());
        n.merge(0, joined(CRASHED, 5));
        out.sent.clear();
        n.onMessage(1, Via.STREAM, gossip(PEER, 1, new DigestMessage(G, joined(PEER, 2).digest(),
                WorldClock.empty().with(PEER, joined(PEER, 2).worldClock().get(PEER)))));
        assertThat(out.deltasTo(PEER)).singleElement()
                .satisfies(d -> assertThat(d.worldClock().members()).contains(SELF, CRASHED));
        assertThat(out.swimTo(PEER)).noneMatch(m -> m instanceof Dead);
    }
}
