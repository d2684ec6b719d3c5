package io.scalesmall.chatter.swim;

import static io.scalesmall.chatter.swim.SwimSim.MS;
import static io.scalesmall.chatter.swim.SwimSim.S;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.NetId;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Issue 4, "False deaths" under CPU starvation: one node handles every packet late (FIFO, each 1.0–1.5 s after it
 * arrives: 2–3 times the probe timeout) while its timers fire on time. Counts healthy members (every one but the
 * starved node) declared dead, over the same simulated time and seed, with Lifeguard on and off.
 */
class StarvationTest {
    private static final int N = 50;
    private static final long DURATION = 600 * S;

    record Count(long observerDeaths, long distinctDeaths, int maxHealth) {
    }

    static Count run(long seed, boolean lifeguard, long starveMin, long starveMax) {
        SwimSim sim = SwimSim.full(seed, N, SwimConfig.lan().withLifeguard(lifeguard), 0.01, 1 * MS, 5 * MS);
        NetId starved = SwimSim.id(7);
        sim.host(starved).starveMinNanos = starveMin;
        sim.host(starved).starveMaxNanos = starveMax;
        int[] maxHealth = {0};
        long step = 1 * S;
        for (long t = step; t <= DURATION; t += step) {
            sim.runUntil(t);
            maxHealth[0] = Math.max(maxHealth[0], sim.host(starved).fd.localHealth());
        }
        long observerDeaths = 0;
        Set<String> distinct = new HashSet<>();
        for (SwimSim.Observation o : sim.observations) {
            if (o.change().to() == MemberState.DEAD && !o.change().member().equals(starved)) {
                observerDeaths++;
                distinct.add(o.change().member() + "@" + o.change().incarnation());
            }
        }
        return new Count(observerDeaths, distinct.size(), maxHealth[0]);
    }

    /**
     * Sums five seeds. Without Lifeguard the starved node's suspicions (fixed at the minimum, 3.4 s at N = 50 with the LAN period of 500 ms)
     * expire before it has handled the refutations queued behind its backlog, so it declares healthy members
     * dead, and sometimes the verdict spreads. With Lifeguard its local health rises to the ceiling, stretching
     * its probe timeout past its lag and its suspicions 9-fold.
     */
    @Test
    void lifeguardCutsFalseDeathsOfHealthyMembers() {
        long onDeaths = 0;
        long offDeaths = 0;
        StringBuilder report = new StringBuilder();
        for (long seed = 1; seed <= 5; seed++) {
            Count on = run(seed, true, 1000 * MS, 1500 * MS);
            Count off = run(seed, false, 1000 * MS, 1500 * MS);
            report.append(String.format("  seed %d: lifeguard on %s, off %s%n", seed, on, off));
            onDeaths += on.observerDeaths();
            offDeaths += off.observerDeaths();
        }
        System.out.printf("StarvationTest N=%d, %d s per seed, healthy members seen dead: on %d, off %d%n%s", N,
                DURATION / S, onDeaths, offDeaths, report);
        assertThat(offDeaths).as("the scenario produces false deaths without Lifeguard%n%s", report).isPositive();
        // At least 50x fewer, with zero counted as one, so a ratio is shown rather than assumed.
        assertThat(Math.max(onDeaths, 1) * 50).as("at least 50x fewer with Lifeguard%n%s", report)
                .isLessThanOrEqualTo(offDeaths);
    }
}
