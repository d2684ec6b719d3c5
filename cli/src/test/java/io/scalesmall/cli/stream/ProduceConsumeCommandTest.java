package io.scalesmall.cli.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.cli.Main;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code produce} and {@code consume} against an in-process stream server on loopback. */
class ProduceConsumeCommandTest {
    private MemoryMessageLog log;
    private StreamServer server;
    private String node;

    @BeforeEach
    void start() throws Exception {
        log = new MemoryMessageLog();
        server = StreamServer.start(log, StreamServerConfig.loopback());
        node = "127.0.0.1:" + server.address().getPort();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        log.close();
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
        CommandLine consume = cl.getSubcommands().get("consume");
        ((ConsumeCommand) consume.getCommand()).sink = sink;
        int exit = cl.execute(args);
        return new Run(exit, out.toString(), err.toString(), sink.toString(StandardCharsets.UTF_8));
    }

    @Test
    void producedLinesComeBackOnePerLine(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "alpha\r\nbeta\n\ngamma δ\nlast-without-newline");
        Run p = run("produce", "--node", node, "--stream", "s", "--file", f.toString(), "--ack", "memory=1");
        assertThat(p.exit()).as(p.err()).isZero();
        assertThat(p.out()).contains("produced 5 of 5 messages").contains("offsets 0..4").contains("ack memory=1");
        Run c = run("consume", "--node", node, "--stream", "s");
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.messages()).isEqualTo("alpha\nbeta\n\ngamma δ\nlast-without-newline\n");
        assertThat(run("consume", "--node", node, "--stream", "s", "--from", "2", "--count", "2").messages())
                .isEqualTo("\ngamma δ\n");
    }

    @Test
    void followWaitsForNewMessagesUntilCount(@TempDir Path dir) throws Exception {
        CompletableFuture<Run> follower = CompletableFuture.supplyAsync(
                () -> run("consume", "--node", node, "--stream", "live", "--follow", "--count", "3"));
        await().atMost(Duration.ofSeconds(10)).until(() -> server.parkedFetches() == 1);
        Path f = dir.resolve("in.txt");
        Files.writeString(f, "one\ntwo\nthree\nfour\n");
        assertThat(run("produce", "--node", node, "--stream", "live", "--file", f.toString()).exit()).isZero();
        Run c = follower.get(20, TimeUnit.SECONDS);
        assertThat(c.exit()).as(c.err()).isZero();
        assertThat(c.messages()).isEqualTo("one\ntwo\nthree\n");
    }

    @Test
    void errorsAreOneLineWithAnExitCode(@TempDir Path dir) throws Exception {
        Run badAck = run("produce", "--node", node, "--stream", "s", "--ack", "fast", "--file", "-");
        assertThat(badAck.exit()).isEqualTo(2);
        assertThat(badAck.err()).contains("ack 'fast' is not none, memory=N or disk=N");
        Run badNode = run("consume", "--node", "nohostport", "--stream", "s");
        assertThat(badNode.exit()).isEqualTo(2);
        assertThat(badNode.err()).contains("'nohostport' is not HOST:PORT");
        Run beyond = run("consume", "--node", node, "--stream", "s", "--from", "7");
        assertThat(beyond.exit()).isEqualTo(1);
        assertThat(beyond.err()).contains("OFFSET_OUT_OF_RANGE");
        Path f = dir.resolve("one.txt");
        Files.writeString(f, "x\n");
        Run tooMany = run("produce", "--node", node, "--stream", "s", "--ack", "disk=3", "--file", f.toString());
        assertThat(tooMany.exit()).isEqualTo(1);
        assertThat(tooMany.out()).contains("produced 0 of 1 messages");
        assertThat(tooMany.err()).contains("REDUNDANCY_UNAVAILABLE");
        Run missing = run("produce", "--node", node, "--stream", "s", "--file", dir.resolve("nope").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).contains("cannot read");
    }
}
