package io.scalesmall.cli.bench;

import io.scalesmall.cli.CliRun;
import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.cli.Main;
import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code scalesmall bench} end to end, on loopback: small runs, checked for what they report, not for speed. */
class BenchCommandTest {
    private final CliRun cli = new CliRun();
    private final StringWriter out = cli.out;
    private final StringWriter err = cli.err;

    private int run(String... args) {
        return cli.run(args);
    }

    @Test
    void anInProcessRunReportsEveryMessageAcknowledgedAndConsumed() {
        assertThat(run("bench", "--messages", "2000", "--size", "50", "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("2,000 messages of 50 bytes, ack memory=1, 1 producer(s), 1 stream(s), 1 consumer(s)")
                .contains("chain: 1 in-process node, file log in ")
                .contains(" (segments grow as they fill, batches written behind, ring of 8,388,608 bytes); ack memory=1"
                        + " (each send waits until 1 copy holds it in memory)")
                .containsPattern("nodes: node 0 \\(head\\) /127\\.0\\.0\\.1:[0-9]+ holds 2,000 \\([0-9,]+ fsyncs"
                        + "(, p50 [0-9.]+ ms, p99 [0-9.]+ ms)?; 0 segment rolls, 0 into a file written ahead\\) of")
                .contains("produced: 2,000 acknowledged, 0 failed in")
                .contains("msgs/s").contains("MB/s")
                .containsPattern("ack latency \\(ms\\): p50 [0-9.]+  p99 [0-9.]+  p99\\.9 [0-9.]+ .*n=2,000\\)")
                .contains("consumed: 2,000 messages by 1 consumer(s)")
                .doesNotContain("TIMED OUT").doesNotContain("failure");
    }

    @Test
    void diskAcksWithSeveralProducersStreamsAndConsumersKeepTheLogInADataDir(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("log");
        assertThat(run("bench", "--messages", "3001", "--ack", "disk=1", "--producers", "3", "--streams", "2",
                "--consumers", "3", "--rate", "20000", "--data-dir", data.toString())).as(err.toString()).isZero();
        // streams 0 and 1 get 2 producers' and 1 producer's messages: 1001 + 1000 and 1000; consumer 2 reads stream 0
        assertThat(out.toString()).contains("produced: 3,001 acknowledged, 0 failed")
                .contains("rate 20,000 msgs/s").contains("n=3,001)")
                .containsPattern("rate: 20,000 msgs/s asked, [0-9,]+ msgs/s sent, [0-9,]+ msgs/s acknowledged; sends"
                        + " behind schedule \\(ms\\): p50 [0-9.]+  p99 [0-9.]+  max [0-9.]+")
                .contains("consumed: 5,002 messages by 3 consumer(s)")
                .containsPattern("holds 3,001 \\([1-9][0-9]* fsyncs, p50 [0-9.]+ ms, p99 [0-9.]+ ms; 0 segment rolls,"
                        + " 0 into a file written ahead\\)");
        try (var files = Files.list(data)) {
            assertThat(files.map(p -> p.getFileName().toString())).contains("0000000000.seg");
        }
    }

    @Test
    void aRunAgainstANodeGivenByAddress() throws Exception {
        try (MemoryMessageLog log = new MemoryMessageLog();
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback())) {
            String node = "127.0.0.1:" + server.address().getPort();
            // memory=1, not none: with no ack the run may end before the node has appended (the count below raced)
            assertThat(run("bench", "--node", node, "--messages", "500", "--ack", "memory=1", "--consumers", "0",
                    "--no-progress")).as(err.toString()).isZero();
            assertThat(out.toString())
                    .contains("nodes: /127.0.0.1:" + server.address().getPort() + " (given by --node)")
                    .contains("chain: the cluster's own")
                    .contains("500 acknowledged").doesNotContain("consumed:").doesNotContain("rate:");
            assertThat(log.streamCount()).isEqualTo(1);
        }
    }

    @Test
    void aWarmUpIsTheRunsFirstMessagesOnTheSameStreamsAndIsNotMeasured() throws Exception {
        try (MemoryMessageLog log = new MemoryMessageLog();
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback())) {
            assertThat(run("bench", "--node", "127.0.0.1:" + server.address().getPort(), "--messages", "3000",
                    "--warmup", "7000", "--rate", "100000", "--no-progress")).as(err.toString()).isZero();
            assertThat(out.toString())
                    .contains("warm-up: 7,000 messages first, unmeasured (the same producers and streams): 7,000"
                            + " acknowledged, 0 failed")
                    .contains("produced: 3,000 acknowledged").contains("n=3,000)")
                    .contains("consumed: 10,000 messages (warm-up included)");
            assertThat(log.streamCount()).as("one stream: the warm-up's are the run's").isEqualTo(1);
            // At 100,000 msgs/s the 3,000 measured messages are due over 30 ms, after the warm-up's 70 ms: counted
            // from the warm-up's start, the send rate would be 30,000 msgs/s at most.
            Matcher sent = Pattern.compile("rate: 100,000 msgs/s asked, ([0-9,]+) msgs/s sent").matcher(out.toString());
            assertThat(sent.find()).as(out.toString()).isTrue();
            assertThat(Long.parseLong(sent.group(1).replace(",", ""))).isGreaterThan(50_000);
        }
    }

    @Test
    void theReportSaysWhetherTheLogWroteBehind() {
        assertThat(run("bench", "--messages", "500", "--consumers", "0", "--no-progress", "--write-behind", "off"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains(" (segments grow as they fill, batches written by the event loop); ack");
        out.getBuffer().setLength(0);
        assertThat(run("bench", "--messages", "500", "--consumers", "0", "--no-progress", "--write-behind", "2097152"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).contains("batches written behind, ring of 2,097,152 bytes)");
    }

    @Test
    void theProgressBarGoesToStandardError() {
        assertThat(run("bench", "--messages", "1000", "--consumers", "0")).isZero();
        assertThat(out.toString()).doesNotContain("[#");
    }

    @Test
    void badOptionsAreRefusedWithOneLineAndExitCode2() {
        assertThat(run("bench", "--ack", "sometimes")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: ack 'sometimes' is not none, memory=N or disk=N");
        assertThat(run("bench", "--producers", "2", "--streams", "3")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --streams must be in 1..2, got 3");
        assertThat(run("bench", "--node", "localhost:x")).isEqualTo(2);
        assertThat(err.toString()).contains("--node 'localhost:x': the port is not a number");
        assertThat(run("bench", "--node", "localhost:70000")).isEqualTo(2);
        assertThat(run("bench", "--messages", "0")).isEqualTo(2);
        assertThat(run("bench", "--size", "2000000")).isEqualTo(2);
        assertThat(run("bench", "--node", "127.0.0.1:1", "--data-dir", "/tmp/x")).isEqualTo(2);
        assertThat(err.toString())
                .contains("--data-dir, --chain, --log, --preallocate and --write-behind are for in-process nodes");
        assertThat(run("bench", "--node", "127.0.0.1:1", "--write-behind", "off")).isEqualTo(2);
        assertThat(run("bench", "--write-behind", "lots")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --write-behind must be off or a number of bytes, got 'lots'");
        assertThat(run("bench", "--write-behind", "1000")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --write-behind: writeBehindBytes must be 0 (off) or in 1048576..");
        assertThat(run("bench", "--node", "127.0.0.1:1", "--preallocate", "off")).isEqualTo(2);
        assertThat(run("bench", "--preallocate", "sometimes")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --preallocate must be on or off, got 'sometimes'");
        assertThat(run("bench", "--node", "127.0.0.1:1", "--chain", "3")).isEqualTo(2);
        assertThat(run("bench", "--node", "127.0.0.1:1,127.0.0.1:1")).isEqualTo(2);
        assertThat(err.toString()).contains("names 127.0.0.1:1 twice");
        assertThat(run("bench", "--node", "127.0.0.1:1,")).isEqualTo(2);
        assertThat(run("bench", "--chain", "6")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --chain must be in 1..5, got 6");
        assertThat(run("bench", "--chain", "0")).isEqualTo(2);
        assertThat(run("bench", "--chain", "2", "--ack", "disk=3")).isEqualTo(2);
        assertThat(err.toString()).contains("--ack disk=3 waits for 3 copies but --chain 2 has 2 node(s)");
        assertThat(run("bench", "--log", "tape")).isEqualTo(2);
        assertThat(err.toString()).contains("--log 'tape' is not file or memory");
        assertThat(run("bench", "--log", "memory", "--data-dir", "/tmp/x")).isEqualTo(2);
        assertThat(err.toString()).contains("--data-dir is for file logs");
        assertThat(run("bench", "--io-slice-us", "50")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --io-slice-us must be in 100..100000, got 50");
        assertThat(run("bench", "--io-slice-us", "short")).isEqualTo(2);
        assertThat(err.toString()).contains("bench: --io-slice-us must be off or a number of µs, got 'short'");
    }

    @Test
    void theReportSaysWhichSchedulerSliceTheLoopsRanWithAndTheOptionLeavesNoPropertyBehind() {
        String property = "scalesmall.client.io-slice-us";
        String before = System.getProperty(property);
        assertThat(run("bench", "--messages", "1000", "--consumers", "0", "--no-progress", "--io-slice-us", "off"))
                .as(err.toString()).isZero();
        assertThat(out.toString()).containsPattern("scheduler slice: nodes' event loops the kernel's(?: default)?,"
                + " client's event loop ([0-9]+ µs|the kernel's \\(.+\\))\n");
        assertThat(System.getProperty(property)).isEqualTo(before);
    }

    @Test
    void theSliceLineNamesWhatApplied() {
        assertThat(BenchReport.slice(-1, -2)).isEqualTo("scheduler slice: client's event loop unknown (nothing"
                + " acknowledged)");
        assertThat(BenchReport.slice(-1, 300_000)).isEqualTo("scheduler slice: client's event loop 300 µs");
        assertThat(BenchReport.slice(-1, -1)).startsWith("scheduler slice: client's event loop the kernel's (");
        assertThat(BenchReport.slice(250, 1_400_000)).isEqualTo("scheduler slice: nodes' event loops "
                + (ThreadSlice.supported() ? "250 µs" : "the kernel's") + ", client's event loop 1400 µs");
    }

    @Test
    void aChainOfThreeFileLogsAcknowledgesDiskThreeAndEveryNodeHoldsEveryMessage(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("logs");
        assertThat(run("bench", "--chain", "3", "--ack", "disk=3", "--messages", "3000", "--producers", "2",
                "--streams", "2", "--consumers", "2", "--warmup", "500", "--data-dir", data.toString(),
                "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("chain: 3 in-process nodes, file logs in " + data
                        + " (segments grow as they fill, batches written behind, ring of 8,388,608 bytes); ack disk=3"
                        + " (each send waits until 3 copies have it on disk)")
                .containsPattern("nodes: node 0 \\(head\\) /127\\.0\\.0\\.1:[0-9]+ holds 3,500"
                        + " \\([1-9][0-9,]* fsyncs, p50 [0-9.]+ ms, p99 [0-9.]+ ms; 0 segment rolls, 0 into a file"
                        + " written ahead\\),"
                        + " node 1 /127\\.0\\.0\\.1:[0-9]+ holds 3,500 \\([1-9][0-9,]* fsyncs, p50 [0-9.]+ ms,"
                        + " p99 [0-9.]+ ms; 0 segment rolls, 0 into a file written ahead\\),"
                        + " node 2 /127\\.0\\.0\\.1:[0-9]+ holds 3,500 \\([1-9][0-9,]* fsyncs, p50 [0-9.]+ ms,"
                        + " p99 [0-9.]+ ms; 0 segment rolls, 0 into a file written ahead\\) of the run's messages"
                        + " \\(warm-up included\\)")
                .contains("produced: 3,000 acknowledged, 0 failed")
                .contains("warm-up: 500 messages first")
                .contains("consumed: 3,500 messages (warm-up included) by 2 consumer(s)")
                .doesNotContain("TIMED OUT").doesNotContain("failure");
        for (int i = 0; i < 3; i++) {
            try (var files = Files.list(data.resolve("node-" + i))) {
                assertThat(files.map(p -> p.getFileName().toString())).contains("0000000000.seg");
            }
        }
    }

    @Test
    void aChainOfMemoryLogsAcknowledgesMemoryTwo() {
        assertThat(run("bench", "--chain", "2", "--log", "memory", "--ack", "memory=2", "--messages", "2000",
                "--no-progress")).as(err.toString()).isZero();
        assertThat(out.toString())
                .contains("chain: 2 in-process nodes, memory logs (a disk ack waits for no fsync); ack memory=2"
                        + " (each send waits until 2 copies hold it in memory)")
                .containsPattern("node 0 \\(head\\) /127\\.0\\.0\\.1:[0-9]+ holds 2,000, node 1 /127\\.0\\.0\\.1:[0-9]+"
                        + " holds 2,000 of the run's messages")
                .contains("produced: 2,000 acknowledged, 0 failed").contains("consumed: 2,000 messages")
                .doesNotContain("fsyncs");
    }

    @Test
    void producersGivenAReplicaFollowTheRedirectToTheHead() throws Exception {
        try (InProcessChain chain = InProcessChain.start(3, InProcessChain.LogKind.MEMORY, null, 0,
                FileLogConfig.DEFAULT)) {
            String tail = "127.0.0.1:" + chain.address(2).getPort();
            String head = "127.0.0.1:" + chain.address(0).getPort();
            assertThat(run("bench", "--node", tail + "," + head, "--messages", "900", "--producers", "3",
                    "--streams", "3", "--ack", "memory=3", "--consumers", "0", "--no-progress"))
                    .as(err.toString()).isZero();
            assertThat(out.toString()).contains("900 acknowledged, 0 failed")
                    .contains("nodes: /" + tail + ", /" + head + " (given by --node)");
            assertThat(out.toString()).contains("ack memory=3");
            for (int i = 0; i < 3; i++) { // the head took every producer and replicated each stream to both others
                assertThat(((MemoryMessageLog) chain.log(i)).streamCount()).as("node " + i).isEqualTo(3);
            }
        }
    }

    @Test
    void nodeListsParse() {
        assertThat(BenchCommand.parseNodes("127.0.0.1:1, 127.0.0.1:2,[::1]:3")).extracting(a -> a.getPort())
                .containsExactly(1, 2, 3);
        assertThat(BenchCommand.parseNodes("127.0.0.1")).hasSize(1);
    }

    @Test
    void nodeAddressesParse() {
        assertThat(BenchCommand.parseNode("127.0.0.1:4000").getPort()).isEqualTo(4000);
        assertThat(BenchCommand.parseNode("127.0.0.1").getPort()).isEqualTo(StreamServerConfig.DEFAULT_PORT);
        assertThat(BenchCommand.parseNode("[::1]:5").getAddress().isLoopbackAddress()).isTrue();
        assertThat(BenchCommand.parseNode("[::1]").getPort()).isEqualTo(StreamServerConfig.DEFAULT_PORT);
    }

    @Test
    void helpListsBench() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("bench");
    }

    @Test
    void benchHelpDescribesTheChainAndTheLogsWithoutFormatWarnings() {
        assertThat(run("bench", "--help")).isZero();
        assertThat(out.toString()).contains("--chain=N").contains("node 0 (head), 1, 2")
                .contains("--log=file|memory").contains("--node=HOST:PORT[,HOST:PORT...]")
                .contains("consumer").contains("i follows stream i % streams");
        assertThat(err.toString()).doesNotContain("WARN");
    }
}
