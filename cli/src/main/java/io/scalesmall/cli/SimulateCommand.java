package io.scalesmall.cli;

import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.sim.Simulation;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code scalesmall simulate}: N nodes of the real protocol code (dissemination, anti-entropy, SWIM) on the simulated
 * network, with a manual clock, seeded. Prints convergence and detection times, false deaths, traffic per node and
 * open connections per node. See {@link Simulation} for the phases.
 */
@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Runs N nodes of the real protocol on a simulated network (manual clock, seeded) and prints "
                + "convergence and crash-detection times, false deaths, traffic and open connections per node.",
            "Large N needs heap: about 150 bytes per member per node (mostly the failure detector's table), so "
                + "N = 10,000 wants SCALESMALL_JAVA_OPTS=-Xmx16g."})
final class SimulateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--nodes", defaultValue = "1000", description = "N, 2..100000 (default ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--seed", defaultValue = "1", description = "seeds every random choice (default ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--loss", defaultValue = "0", description = "probability 0..1 a message is lost (default ${DEFAULT-VALUE})")
    double loss;

    @Option(names = "--delay-ms", defaultValue = "1", description = "largest one-way link delay, ms; delays are "
            + "uniform in [delay/2, delay] (default ${DEFAULT-VALUE})")
    long delayMs;

    @Option(names = "--crashes", defaultValue = "1", description = "nodes crashed at once (default ${DEFAULT-VALUE})")
    int crashes;

    @Option(names = "--partition-s", defaultValue = "0", description = "a minority/majority split of this many "
            + "simulated seconds, then healing (default ${DEFAULT-VALUE}: none)")
    long partitionSeconds;

    @Option(names = "--minority", defaultValue = "0.3", description = "the split's minority fraction, 0..0.5 "
            + "(default ${DEFAULT-VALUE})")
    double minority;

    @Option(names = "--churn", defaultValue = "0", description = "members joining (and as many going) per simulated "
            + "second in the churn phase (default ${DEFAULT-VALUE}: none)")
    int churnPerSecond;

    @Option(names = "--churn-s", defaultValue = "60", description = "length of the churn phase, simulated seconds "
            + "(default ${DEFAULT-VALUE})")
    long churnSeconds;

    @Option(names = "--round-ms", defaultValue = "200", description = "anti-entropy round, ms (default "
            + "${DEFAULT-VALUE}, Serf's gossip interval)")
    long roundMs;

    /** Redraw the progress bar in place (a terminal) or print a line a second at most (a log). */
    boolean terminal = System.console() != null;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Simulation sim;
        try {
            ChatterConfig config = ChatterConfig.lan().withAntiEntropyInterval(Duration.ofMillis(roundMs));
            sim = new Simulation(nodes, seed, loss, delayMs / 2, delayMs, crashes, partitionSeconds, minority,
                    churnPerSecond, churnSeconds, config);
        } catch (IllegalArgumentException e) {
            err.println("simulate: " + e.getMessage());
            return 2;
        }
        out.printf("simulating %,d nodes, seed %d, loss %.1f %%, delay %d..%d ms, LAN config, round %d ms%n", nodes,
                seed, loss * 100, delayMs / 2, delayMs, roundMs);
        out.flush();
        AtomicLong steps = new AtomicLong();
        ProgressBar bar = new ProgressBar(err, 100, steps::get, terminal, System.nanoTime(), "steps");
        Simulation.Report r = sim.run(fraction -> {
            steps.set(Math.round(Math.max(0, Math.min(1, fraction)) * 100));
            bar.draw(System.nanoTime());
        });
        bar.finish(System.nanoTime());
        out.printf("formed (snapshot bootstrap, all agree)   %s%n", ms(r.formMs()));
        out.printf("one change reaches 99.9 %% / 100 %%        %s / %s%n", ms(r.change999Ms()), ms(r.change100Ms()));
        if (crashes > 0) {
            out.printf("%d crash(es): first suspicion / all DEAD  %s / %s%n", crashes, ms(r.firstSuspectMs()),
                    ms(r.allDeadMs()));
        }
        out.printf("false deaths (before any split)          %d%n", r.falseDeaths());
        if (partitionSeconds > 0) {
            out.printf("split of %d s healed (all agree) in      %s%n", partitionSeconds, ms(r.healMs()));
        }
        if (r.churnMembersHeld() >= 0) {
            out.printf("churn: most members one node held        %d%n", r.churnMembersHeld());
        }
        out.printf("steady traffic per node                  %.1f msg/s, %.2f kbit/s%n", r.messagesPerNodePerSecond(),
                r.bytesPerNodePerSecond() * 8 / 1000);
        out.printf("open TCP connections per node (steady)   max %d, mean %.1f (60 s idle timeout)%n",
                r.maxOpenConnections(), r.meanOpenConnections());
        out.printf("wall time                                %.1f s%n", r.wallMs() / 1000.0);
        boolean ok = r.change100Ms() >= 0 && (crashes == 0 || r.allDeadMs() >= 0)
                && (partitionSeconds == 0 || r.healMs() >= 0);
        return ok ? 0 : 1;
    }

    private static String ms(long ms) {
        return ms < 0 ? "not within the limit" : String.format("%,d ms", ms);
    }
}
