package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import static io.scalesmall.chatter.swim.SwimSim.MS;
import static io.scalesmall.chatter.swim.SwimSim.S;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.wire.SwimMessage.Suspect;
import io.scalesmall.topology.NetId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4, refutation by incarnation: a live member falsely suspected (one node is told so, as if an accuser
 * had gossiped it) hears of it, bumps its incarnation and is ALIVE again everywhere; no one declares it dead.
 */
class RefutationTest {
    private static final int N = 30;

    @ParameterizedTest(name = "lifeguard {0}, seed {1}")
    @CsvSource({"true, 11", "true, 12", "false, 11", "false, 12"})
    void falselySuspectedMemberRefutesAndIsAliveEverywhere(boolean lifeguard, long seed) {
        SwimSim sim = SwimSim.full(seed, N, SwimConfig.lan().withLifeguard(lifeguard), 0.01, 1 * MS, 5 * MS);
        sim.runUntil(5 * S);
        NetId victim = SwimSim.id(5);
        NetId accuser = SwimSim.id(9);
        sim.host(SwimSim.id(0)).fd.onMessage(sim.nowNanos(), accuser, new Suspect(victim, 1, accuser));
        assertThat(sim.host(SwimSim.id(0)).fd.member(victim).state()).isEqualTo(MemberState.SUSPECT);
        sim.runUntil(sim.nowNanos() + 20 * S);

        assertThat(sim.host(victim).fd.incarnation()).as("seed %d: the victim refuted", seed).isEqualTo(2);
        assertThat(sim.host(victim).fd.stats().refutations()).isPositive();
        for (SwimSim.Observation o : sim.observations) {
            assertThat(o.change().to()).as("seed %d: %s", seed, o).isIn(MemberState.SUSPECT, MemberState.ALIVE);
        }
        for (SwimSim.Host h : sim.hosts()) {
            if (!h.id.equals(victim)) {
                assertThat(h.fd.member(victim)).as("seed %d, seen by %s", seed, h.id)
                        .isEqualTo(new Member(victim, MemberState.ALIVE, 2));
            }
        }
        PauseTest.assertAliveEverywhere(sim, seed);
    }
}
