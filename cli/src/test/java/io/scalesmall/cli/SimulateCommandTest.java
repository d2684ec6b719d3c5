package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** {@code scalesmall simulate}: a small run prints every figure; bad options get one line and exit 2. */
class SimulateCommandTest {
    // As on a terminal, so the bar is drawn at every step (off one it prints at most a line a second).
    private final CliRun cli = new CliRun(
            cl -> ((SimulateCommand) cl.getSubcommands().get("simulate").getCommand()).terminal = true);
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void aSmallRunReportsEveryPhase() {
        int code = run("simulate", "--nodes", "30", "--crashes", "1", "--partition-s", "20", "--seed", "3");
        assertThat(code).as("%s%s", out, err).isZero();
        assertThat(out.toString()).contains("simulating 30 nodes", "one change reaches 99.9 % / 100 %",
                "1 crash(es): first suspicion / all DEAD", "false deaths (before any split)          0",
                "split of 20 s healed", "steady traffic per node", "open TCP connections per node")
                .doesNotContain("not within the limit");
        assertThat(err.toString()).contains("\r[", "] 100%");
    }

    @Test
    void badOptionsAreOneLineAndExitTwo() {
        assertThat(run("simulate", "--nodes", "1")).isEqualTo(2);
        assertThat(err.toString().trim()).isEqualTo("simulate: nodes: 1 is not in 2..100000");
        assertThat(run("simulate", "--nodes", "10", "--crashes", "10")).isEqualTo(2);
        assertThat(err.toString()).contains("crashes: 10 is not in 0..9");
    }
}
