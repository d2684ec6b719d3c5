package io.scalesmall.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.cli.CliRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The main job end to end: real node processes on loopback (three JVMs), real replication, a real {@code kill -9}.
 */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void sendsReadsBackAndVerifiesEveryLineAlthoughTheHeadOfAStreamIsKilled() throws IOException {
        long seed = 42;
        Random r = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            lines.add(i + " " + Long.toHexString(r.nextLong()) + " GET /items/" + r.nextInt(1000));
        }
        Path input = Files.write(dir.resolve("input.log"), lines);
        CliRun cli = new CliRun();
        int code = cli.run("demo", "--input", input.toString(), "--streams", "4", "--chaos", "--no-progress");
        String out = cli.out.toString();
        assertThat(code).as("seed %d; stdout:%n%s%nstderr:%n%s", seed, out, cli.err).isZero();
        assertThat(out).contains("input: 20,000 lines", "ring settled", "chaos: killed node",
                "sent:     20,000 messages", "read:     20,000 messages",
                "verified: every message acknowledged, read back byte for byte, once, in order, although a node was "
                        + "killed");
    }

    @Test
    void badArgumentsExitTwoWithAReason() {
        CliRun cli = new CliRun();
        assertThat(cli.run("demo", "--nodes", "3", "--weights", "1,2")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--weights names 2 weights for 3 nodes");
        assertThat(cli.run("demo", "--replicas", "4")).isEqualTo(2);
        assertThat(cli.err.toString()).contains("--replicas must be in 1..3");
        assertThat(cli.run("demo", "--input", dir.resolve("missing").toString())).isEqualTo(2);
        assertThat(cli.err.toString()).contains("missing: not readable");
    }
}
