package io.scalesmall.chatter.swim;

import static io.scalesmall.chatter.swim.SwimSim.MS;
import static io.scalesmall.chatter.swim.SwimSim.S;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.NetId;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, "Crash": a crashed member is suspected, then declared dead by every survivor within the documented
 * bound. With N = 100 and the LAN config, 1 % loss and 1–5 ms delay, over several seeds.
 *
 * <p>The bound, from the config: some survivor probes the crashed member within about one period (N - 1
 * probers, one probe each per period), its probe fails at the period's end (probe timeout and indirect probes
 * included), its suspicion times out after at most the suspicion maximum, and the verdict spreads by gossip:
 * {@code 2 * period + suspicionMax(N) + 2 s}. For N = 100: 2 s + 48 s + 2 s = 52 s. Independent confirmations
 * bring the timeout down toward the suspicion minimum, {@code 4 * log10(100) * 1 s = 8 s}, so the time seen
 * is about 8 s + a few periods: the goal of "all agree within 8 s" is below the suspicion minimum of
 * memberlist's LAN defaults at N = 100 and is not met by this config.
 */
class CrashDetectionTest {
    private static final int N = 100;

    @Test
    void crashedMemberIsSuspectedThenDeadEverywhereWithinTheBound() {
        SwimConfig config = SwimConfig.lan();
        long bound = 2 * config.protocolPeriod().toNanos() + config.suspicionMax(N).toNanos() + 2 * S;
        StringBuilder report = new StringBuilder();
        long worst = 0;
        for (long seed = 1; seed <= 5; seed++) {
            SwimSim sim = SwimSim.full(seed, N, config, 0.01, 1 * MS, 5 * MS);
            sim.runUntil(10 * S);
            assertThat(sim.observations).as("seed %d: no state change before the crash", seed).isEmpty();
            NetId victim = SwimSim.id((int) (seed * 17 % N));
            long crashAt = sim.nowNanos();
            sim.host(victim).crashed = true;
            Map<NetId, Long> suspectAt = new HashMap<>();
            Map<NetId, Long> deadAt = new HashMap<>();
            int[] seen = {0};
            boolean all = sim.runUntil(crashAt + bound, () -> {
                for (; seen[0] < sim.observations.size(); seen[0]++) {
                    SwimSim.Observation o = sim.observations.get(seen[0]);
                    if (o.change().member().equals(victim)) {
                        if (o.change().to() == MemberState.SUSPECT) {
                            suspectAt.putIfAbsent(o.observer(), o.atNanos() - crashAt);
                        } else if (o.change().to() == MemberState.DEAD) {
                            deadAt.putIfAbsent(o.observer(), o.atNanos() - crashAt);
                        }
                    }
                }
                return deadAt.size() == N - 1;
            });
            long firstSuspect = suspectAt.values().stream().mapToLong(Long::longValue).min().orElse(-1);
            long firstDead = deadAt.values().stream().mapToLong(Long::longValue).min().orElse(-1);
            long lastDead = deadAt.values().stream().mapToLong(Long::longValue).max().orElse(-1);
            report.append(String.format("seed %d: first suspect %.2f s, first dead %.2f s, all %d dead %.2f s%n", seed,
                    firstSuspect / 1e9, firstDead / 1e9, deadAt.size(), lastDead / 1e9));
            assertThat(all).as("seed %d: all %d survivors see %s dead within %.1f s; %s", seed, N - 1, victim,
                    bound / 1e9, report).isTrue();
            for (SwimSim.Observation o : sim.observations) {
                assertThat(o.change().member()).as("seed %d: only the victim changes state: %s", seed, o)
                        .isEqualTo(victim);
            }
            worst = Math.max(worst, lastDead);
        }
        System.out.printf("CrashDetectionTest N=%d LAN, bound %.1f s, worst %.2f s%n%s", N, bound / 1e9, worst / 1e9,
                report);
    }
}
