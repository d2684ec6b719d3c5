package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import static io.scalesmall.chatter.swim.SwimSim.MS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.wire.SwimMessage.Ack;
import io.scalesmall.wire.SwimMessage.Alive;
import io.scalesmall.wire.SwimMessage.Dead;
import io.scalesmall.wire.SwimMessage.Nack;
import io.scalesmall.wire.SwimMessage.Ping;
import io.scalesmall.wire.SwimMessage.PingReq;
import io.scalesmall.wire.SwimMessage.Suspect;
import io.scalesmall.topology.NetId;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** One detector driven by hand: merge rules, the probe cycle, Lifeguard's health, and the small parts. */
class FailureDetectorTest {
    private static final NetId SELF = SwimSim.id(0);
    private static final NetId A = SwimSim.id(1);
    private static final NetId B = SwimSim.id(2);

    record Sent(NetId to, List<SwimMessage> messages) {
    }

    private final List<Sent> sent = new ArrayList<>();
    private final List<Member.Change> changes = new ArrayList<>();

    private FailureDetector detector(SwimConfig config, int members) {
        FailureDetector fd = new FailureDetector(SELF, 1, config, (to, m) -> sent.add(new Sent(to, m)), new Random(1));
        for (int i = 1; i <= members; i++) {
            fd.addMember(0, SwimSim.id(i), 1);
        }
        fd.addListener((t, c) -> changes.add(c));
        return fd;
    }

    @Test
    void mergeRulesHigherIncarnationWinsAndStrongerStateAtEqual() {
        FailureDetector fd = detector(SwimConfig.lan(), 3);
        fd.onMessage(0, B, new Alive(A, 1));
        assertThat(fd.member(A).state()).isEqualTo(MemberState.ALIVE);
        fd.onMessage(0, B, new Suspect(A, 0, B));
        assertThat(fd.member(A).state()).as("older suspicion ignored").isEqualTo(MemberState.ALIVE);
        fd.onMessage(0, B, new Suspect(A, 1, B));
        assertThat(fd.member(A)).isEqualTo(new Member(A, MemberState.SUSPECT, 1));
        fd.onMessage(0, B, new Alive(A, 1));
        assertThat(fd.member(A).state()).as("equal incarnation does not refute").isEqualTo(MemberState.SUSPECT);
        fd.onMessage(0, B, new Alive(A, 2));
        assertThat(fd.member(A)).isEqualTo(new Member(A, MemberState.ALIVE, 2));
        fd.onMessage(0, B, new Dead(A, 2, B));
        assertThat(fd.member(A)).isEqualTo(new Member(A, MemberState.DEAD, 2));
        fd.onMessage(0, B, new Alive(A, 2));
        assertThat(fd.member(A).state()).as("dead stays dead at equal incarnation").isEqualTo(MemberState.DEAD);
        fd.onMessage(0, B, new Alive(A, 3));
        assertThat(fd.member(A).state()).isEqualTo(MemberState.ALIVE);
        fd.onMessage(0, A, new Dead(A, 3, A));
        assertThat(fd.member(A).state()).as("self-declared death is leaving").isEqualTo(MemberState.LEFT);
        fd.onMessage(0, B, new Alive(SwimSim.id(77), 5));
        assertThat(fd.member(SwimSim.id(77))).as("unknown members are the host's business").isNull();
        assertThat(changes).extracting(Member.Change::to).containsExactly(MemberState.SUSPECT, MemberState.ALIVE,
                MemberState.DEAD, MemberState.ALIVE, MemberState.LEFT);
    }

    @Test
    void suspicionOrDeathOfSelfIsRefutedWithAHigherIncarnation() {
        FailureDetector fd = detector(SwimConfig.lan(), 3);
        fd.onMessage(0, A, new Suspect(SELF, 1, A));
        assertThat(fd.incarnation()).isEqualTo(2);
        assertThat(fd.localHealth()).as("having to refute is a sign of ill health").isEqualTo(1);
        fd.onMessage(0, A, new Dead(SELF, 2, A));
        assertThat(fd.incarnation()).isEqualTo(3);
        assertThat(fd.piggyback(16)).contains(new Alive(SELF, 3));
    }

    @Test
    void probeCycleGoesDirectThenIndirectThenSuspects() {
        SwimConfig config = SwimConfig.lan();
        FailureDetector fd = detector(config, 6);
        fd.tick(0);
        Sent ping = sent.stream().filter(s -> s.messages().get(0) instanceof Ping).findFirst().orElseThrow();
        NetId target = ping.to();
        long seq = ((Ping) ping.messages().get(0)).seq();
        sent.clear();
        fd.tick(config.probeTimeout().toNanos());
        List<Sent> reqs = sent.stream().filter(s -> s.messages().get(0) instanceof PingReq).toList();
        assertThat(reqs).hasSize(config.indirectProbes()).noneMatch(s -> s.to().equals(target));
        // Two of three intermediaries nack: one missing nack raises local health by one.
        long beforeDeadline = config.protocolPeriod().toNanos() - 10 * MS;
        fd.onMessage(beforeDeadline, reqs.get(0).to(), new Nack(seq));
        fd.onMessage(beforeDeadline, reqs.get(1).to(), new Nack(seq));
        fd.tick(config.protocolPeriod().toNanos());
        assertThat(fd.member(target).state()).isEqualTo(MemberState.SUSPECT);
        assertThat(fd.localHealth()).isEqualTo(1);
        assertThat(fd.stats().failedProbes()).isEqualTo(1);
    }

    @Test
    void directAckInTimeLowersLocalHealthAndRelaysForwardAcks() {
        FailureDetector fd = detector(SwimConfig.lan(), 3);
        fd.onMessage(0, A, new Suspect(SELF, 1, A)); // health 1
        sent.clear();
        fd.tick(0);
        Sent ping = sent.stream().filter(s -> s.messages().get(0) instanceof Ping).findFirst().orElseThrow();
        fd.onMessage(3 * MS, ping.to(), new Ack(((Ping) ping.messages().get(0)).seq()));
        assertThat(fd.localHealth()).isZero();

        sent.clear();
        fd.onMessage(10 * MS, A, new PingReq(99, B));
        Ping relayed = (Ping) sent.get(0).messages().get(0);
        assertThat(sent.get(0).to()).isEqualTo(B);
        fd.onMessage(12 * MS, B, new Ack(relayed.seq()));
        assertThat(sent.get(1).to()).isEqualTo(A);
        assertThat(sent.get(1).messages().get(0)).isEqualTo(new Ack(99));
    }

    @Test
    void suspicionExpiresAtTheMaximumWithoutConfirmationsAndSoonerWithThem() {
        SwimConfig config = SwimConfig.lan();
        int n = 10;
        long min = config.suspicionMin(n).toNanos();
        long max = config.suspicionMax(n).toNanos();
        FailureDetector lone = detector(config, n - 1);
        lone.onMessage(0, B, new Suspect(A, 1, B));
        lone.tick(max - 1);
        assertThat(lone.member(A).state()).isEqualTo(MemberState.SUSPECT);
        lone.tick(max);
        assertThat(lone.member(A).state()).isEqualTo(MemberState.DEAD);

        FailureDetector confirmed = detector(config, n - 1);
        confirmed.onMessage(0, B, new Suspect(A, 1, B));
        for (int i = 3; i < 3 + config.suspicionBeta() - 2; i++) {
            confirmed.onMessage(0, SwimSim.id(i), new Suspect(A, 1, SwimSim.id(i)));
        }
        confirmed.tick(min - 1);
        assertThat(confirmed.member(A).state()).isEqualTo(MemberState.SUSPECT);
        confirmed.tick(min);
        assertThat(confirmed.member(A).state()).as("k confirmations bring it to the minimum")
                .isEqualTo(MemberState.DEAD);
        assertThat(confirmed.stats().deathsDeclared()).isEqualTo(1);
    }

    @Test
    void suspicionTimeoutShrinksLogarithmically() {
        long min = 8_000;
        long max = 48_000;
        assertThat(Suspicion.timeoutNanos(0, 4, min, max)).isEqualTo(max);
        assertThat(Suspicion.timeoutNanos(1, 4, min, max)).isEqualTo(max - (long) (Math.log(2) / Math.log(5) * 40_000));
        assertThat(Suspicion.timeoutNanos(4, 4, min, max)).isEqualTo(min);
        assertThat(Suspicion.timeoutNanos(9, 4, min, max)).isEqualTo(min);
        assertThat(Suspicion.timeoutNanos(0, 0, min, max)).as("k = 0: the minimum").isEqualTo(min);
    }

    @Test
    void updateQueueSendsEachUpToItsLimitLeastSentFirstAndKeepsOnePerMember() {
        UpdateQueue q = new UpdateQueue();
        q.add(new Suspect(A, 1, B));
        q.add(new Alive(A, 2));
        q.add(new Alive(B, 1));
        assertThat(q.size()).as("a newer update about A replaces the older").isEqualTo(2);
        assertThat(q.take(1, 3)).containsExactly(new Alive(B, 1));
        assertThat(q.take(1, 3)).containsExactly(new Alive(A, 2));
        for (int i = 0; i < 2; i++) {
            assertThat(q.take(5, 3)).hasSize(2);
        }
        assertThat(q.isEmpty()).isTrue();
    }

    @Test
    void probeRingVisitsEveryMemberOncePerPass() {
        long seed = new Random().nextLong();
        Random random = new Random(seed);
        ProbeRing ring = new ProbeRing(random);
        Set<NetId> all = new HashSet<>();
        for (int i = 1; i <= 20; i++) {
            ring.add(SwimSim.id(i));
            all.add(SwimSim.id(i));
        }
        for (int pass = 0; pass < 5; pass++) {
            Set<NetId> seen = new HashSet<>();
            for (int i = 0; i < 20; i++) {
                assertThat(seen.add(ring.next(id -> true))).as("seed %d, pass %d", seed, pass).isTrue();
            }
            assertThat(seen).as("seed %d", seed).isEqualTo(all);
        }
        assertThat(ring.next(id -> false)).isNull();
    }

    @Test
    void configRejectsBadValuesNamingTheField() {
        SwimConfig lan = SwimConfig.lan();
        assertThatThrownBy(() -> new SwimConfig(Duration.ofSeconds(1), Duration.ofSeconds(1), 3, 4, 6, 8, true,
                Duration.ofMillis(200), 3, 4, 16)).hasMessageContaining("probeTimeout");
        assertThatThrownBy(() -> new SwimConfig(Duration.ZERO, Duration.ofMillis(500), 3, 4, 6, 8, true,
                Duration.ofMillis(200), 3, 4, 16)).hasMessageContaining("protocolPeriod: PT0S");
        assertThatThrownBy(() -> new SwimConfig(Duration.ofSeconds(1), Duration.ofMillis(500), -1, 4, 6, 8, true,
                Duration.ofMillis(200), 3, 4, 16)).hasMessageContaining("indirectProbes: -1");
        assertThat(lan.suspicionMin(100)).isEqualTo(Duration.ofSeconds(4));
        assertThat(lan.suspicionMax(100)).isEqualTo(Duration.ofSeconds(24));
        assertThat(lan.nackDelay()).isEqualTo(Duration.ofMillis(200));
        assertThat(lan.retransmitLimit(100)).isEqualTo(12);
        assertThat(SwimConfig.wan().nackDelay()).isEqualTo(Duration.ofMillis(1600));
        assertThat(SwimConfig.local().suspicionMin(1)).isEqualTo(Duration.ofSeconds(3));
    }
}
