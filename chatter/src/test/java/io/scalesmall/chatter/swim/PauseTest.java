package io.scalesmall.chatter.swim;

import static io.scalesmall.chatter.swim.SwimSim.MS;
import static io.scalesmall.chatter.swim.SwimSim.S;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.NetId;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 4, "False deaths": a member paused (a stopped process: it handles nothing, then its backlog) for less
 * than the minimum suspicion time is never declared dead by anyone, with Lifeguard on or off; and, as a
 * control that the test can fail, a member paused far longer is declared dead, then refutes on resuming and is
 * alive everywhere again.
 */
class PauseTest {
    private static final int N = 50;

    @ParameterizedTest(name = "lifeguard {0}, seed {1}")
    @CsvSource({"true, 1", "true, 2", "true, 3", "false, 1", "false, 2", "false, 3"})
    void pauseShorterThanMinimumSuspicionIsNeverDeclaredDead(boolean lifeguard, long seed) {
        SwimConfig config = SwimConfig.lan().withLifeguard(lifeguard);
        // Suspicion minimum at N = 50: 4 * log10(50) * 1 s = 6.8 s; the pause is one period shorter.
        long pause = config.suspicionMin(N).toNanos() - config.protocolPeriod().toNanos();
        SwimSim sim = SwimSim.full(seed, N, config, 0.01, 1 * MS, 5 * MS);
        sim.runUntil(10 * S);
        NetId paused = SwimSim.id(3);
        sim.host(paused).pausedUntil = sim.nowNanos() + pause;
        sim.runUntil(sim.nowNanos() + pause + 60 * S);
        for (SwimSim.Observation o : sim.observations) {
            assertThat(o.change().to()).as("seed %d, pause %.1f s: %s", seed, pause / 1e9, o)
                    .isIn(MemberState.SUSPECT, MemberState.ALIVE);
        }
        assertThat(sim.observations).as("seed %d: the pause was noticed", seed)
                .anyMatch(o -> o.change().member().equals(paused) && o.change().to() == MemberState.SUSPECT);
        assertAliveEverywhere(sim, seed);
    }

    @ParameterizedTest(name = "lifeguard {0}")
    @CsvSource({"true", "false"})
    void longPauseIsDeclaredDeadThenRefutedOnResume(boolean lifeguard) {
        long seed = 7;
        SwimConfig config = SwimConfig.lan().withLifeguard(lifeguard);
        SwimSim sim = SwimSim.full(seed, N, config, 0.01, 1 * MS, 5 * MS);
        sim.runUntil(10 * S);
        NetId paused = SwimSim.id(3);
        sim.host(paused).pausedUntil = sim.nowNanos() + 60 * S;
        sim.runUntil(sim.nowNanos() + 60 * S);
        for (SwimSim.Host h : sim.hosts()) {
            if (!h.id.equals(paused)) {
                assertThat(h.fd.member(paused).state()).as("seed %d: seen by %s", seed, h.id).isEqualTo(MemberState.DEAD);
            }
        }
        sim.runUntil(sim.nowNanos() + 30 * S);
        assertAliveEverywhere(sim, seed);
        assertThat(sim.host(paused).fd.incarnation()).isGreaterThan(1);
    }

    static void assertAliveEverywhere(SwimSim sim, long seed) {
        for (SwimSim.Host h : sim.hosts()) {
            for (Member m : h.fd.members()) {
                assertThat(m.state()).as("seed %d: %s as seen by %s", seed, m, h.id).isEqualTo(MemberState.ALIVE);
            }
        }
    }
}
