package io.scalesmall.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code produce} and {@code consume} with several {@code --node}s against a chain of servers on loopback. */
class ClusterCommandTest {
    private LoopbackChain cluster;

    @AfterEach
    void stop() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    private record Run(int exit, String out, String err, String messages) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        ((ConsumeCommand) cl.getSubcommands().get("consume").getCommand()).sink = sink;
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString(), sink.toString(StandardCharsets.UTF_8));
    }

    private static String hp(InetSocketAddress a) {
        return "127.0.0.1:" + a.getPort();
    }

    @Test
    void produceFindsTheHeadAndConsumeSkipsADeadNode(@TempDir Path dir) throws Exception {
        cluster = new LoopbackChain(3).chain(1, 0); // node 1 is the head, node 0 its replica
        cluster.kill(2);
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "a\nb\nc\n");
        String dead = hp(cluster.address(2));
        Run p = run("produce", "--node", dead + "," + hp(cluster.address(0)), "--stream", "s", "--ack", "disk=2",
                "--file", f.toString());
        assertThat(p.exit()).as(p.err()).isZero();
        assertThat(p.out()).contains("produced 3 of 3 messages").contains("at " + hp(cluster.address(1)))
                .contains("offsets 0..2");
        assertThat(cluster.read(0, "s")).isEqualTo(List.of("a", "b", "c"));
        Run c = run("consume", "--node", dead, "--node", hp(cluster.address(0)), "--stream", "s");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.messages()).isEqualTo("a\nb\nc\n");
        assertThat(c.err()).contains("trying the next node");
    }

    @Test
    void aRepeatedNodeIsABadArgument() throws Exception {
        cluster = new LoopbackChain(1);
        String n = hp(cluster.address(0));
        Run p = run("produce", "--node", n + "," + n, "--stream", "s", "--file", "-");
        assertThat(p.exit()).isEqualTo(2);
        assertThat(p.err()).contains("must not repeat");
        Run c = run("consume", "--node", n, "--node", n, "--stream", "s");
        assertThat(c.exit()).isEqualTo(2);
        assertThat(c.err()).contains("must not repeat");
    }
}
