package io.scalesmall.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.cli.ProgressBar;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.topology.StreamKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scalesmall demo}, the main job: starts a local cluster of node processes on loopback, shows its ring,
 * sends real input (the lines of the machine's readable logs under /var/log, or of {@code --input}) into several
 * streams with {@code --ack disk=2}, reads everything back and compares it byte for byte, and prints what it did
 * and how fast. With {@code --chaos} one node is killed ({@code kill -9}) halfway through the sending.
 *
 * <p>Exit 0 when every message was acknowledged and read back intact, exactly once, in order; 1 when anything
 * failed (each problem is printed); 2 on bad arguments or when the cluster could not start.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts a local cluster (3 node processes on loopback), shows the ring, sends every line of "
                + "/var/log's readable text files (or --input FILE) into several streams with --ack disk=2, reads it "
                + "all back, verifies it byte for byte and prints what it did and how fast.",
            "--chaos kills one node (kill -9) halfway and shows that nothing acknowledged was lost."})
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--input", paramLabel = "FILE", description = "Send the lines of FILE instead of /var/log's files.")
    Path input;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "3", description = "Node processes (default ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--weights", paramLabel = "W,W,...", split = ",",
            description = "Capacity weight of each node (default 1 for every node).")
    int[] weights;

    @Option(names = "--replicas", paramLabel = "R", defaultValue = "3", description = "Copies of each key's data (default ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--streams", paramLabel = "S", defaultValue = "8", description = "Streams to spread the input over (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--ack", paramLabel = "none|memory=N|disk=N", defaultValue = "disk=2",
            description = "What each message waits for (default ${DEFAULT-VALUE}).")
    String ack;

    @Option(names = "--max-bytes", paramLabel = "BYTES", defaultValue = "67108864",
            description = "Send at most this many bytes of input (default ${DEFAULT-VALUE}: 64 MiB).")
    long maxBytes;

    @Option(names = "--chaos", description = "Kill one node (kill -9) halfway through the sending.")
    boolean chaos;

    @Option(names = "--keep", description = "Keep the nodes' data and output directory (its path is printed).")
    boolean keep;

    @Option(names = "--timeout-s", paramLabel = "SECONDS", defaultValue = "120",
            description = "Longest wait for the cluster to settle and for the last acknowledgements (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--no-progress", description = "No progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        AckMode ackMode;
        int[] w = weights == null ? filled(nodes, 1) : weights;
        try {
            ackMode = AckMode.parse(ack);
            check(nodes >= 1 && nodes <= 16, "--nodes must be in 1..16, got " + nodes);
            check(w.length == nodes, "--weights names " + w.length + " weights for " + nodes + " nodes");
            check(Arrays.stream(w).allMatch(x -> x >= 1), "--weights must be >= 1");
            check(replicas >= 1 && replicas <= nodes, "--replicas must be in 1.." + nodes + ", got " + replicas);
            check(streams >= 1 && streams <= 1000, "--streams must be in 1..1000, got " + streams);
            check(maxBytes >= 1, "--max-bytes must be >= 1");
            check(!chaos || nodes >= 2, "--chaos needs at least 2 nodes");
        } catch (IllegalArgumentException e) {
            err.println("scalesmall demo: " + e.getMessage());
            return 2;
        }
        Duration timeout = Duration.ofSeconds(timeoutSeconds);
        DemoInput in;
        try {
            in = DemoInput.read(input, streams, maxBytes, MessageLog.MAX_MESSAGE_BYTES);
        } catch (IOException e) {
            err.println("scalesmall demo: " + e.getMessage());
            return 2;
        }
        out.printf("input: %,d lines (%,d bytes) from %d file(s)%s, in %d streams%s%n", in.messages(), in.bytes(),
                in.files().stream().flatMap(List::stream).distinct().count(), input == null ? " under /var/log" : "",
                in.streams().size(), in.truncated() ? " (stopped at --max-bytes)" : "");
        if (in.splitLines() > 0) {
            out.printf("       %,d lines longer than %,d bytes were cut into several messages%n", in.splitLines(),
                    MessageLog.MAX_MESSAGE_BYTES);
        }
        out.flush();
        long t0 = System.nanoTime();
        try (LocalCluster cluster = LocalCluster.start(w, replicas, keep, List.of())) {
            out.printf("cluster: %d node processes on 127.0.0.1, R = %d, data and output in %s%s%n", nodes, replicas,
                    cluster.dir(), keep ? "" : " (deleted at the end; --keep keeps it)");
            out.flush();
            JsonNode ring;
            try {
                ring = cluster.awaitRing(timeout);
            } catch (IOException e) {
                err.println("scalesmall demo: " + e.getMessage());
                return 2;
            }
            out.printf("ring settled after %.1f s:%n", (System.nanoTime() - t0) / 1e9);
            RingView.print(out, ring);
            out.flush();
            return run(cluster, ring, in, ackMode, timeout, out, err);
        } catch (IOException e) {
            err.println("scalesmall demo: cannot start the cluster: " + e.getMessage());
            return 2;
        }
    }

    private int run(LocalCluster cluster, JsonNode ring, DemoInput in, AckMode ackMode, Duration timeout,
            PrintWriter out, PrintWriter err) throws InterruptedException {
        DemoRun run = new DemoRun(in, ackMode);
        List<String> chaosLog = new ArrayList<>();
        Runnable halfway = !chaos ? null : () -> {
            // The victim: the head of the first stream's chain, so that its producer must move to a new head.
            LocalCluster.NodeProcess victim = headOf(cluster, ring, DemoRun.streamName(0));
            try {
                cluster.kill(victim);
                chaosLog.add(String.format("chaos: killed node %d (%s, kill -9) after %,d of %,d messages were sent",
                        victim.index, victim.id(), in.messages() / 2, in.messages()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scalesmall-demo-progress");
            t.setDaemon(true);
            return t;
        });
        ProgressBar bar = new ProgressBar(err, in.messages(), run::acked, System.console() != null,
                System.nanoTime());
        if (!noProgress) {
            ticker.scheduleAtFixedRate(() -> bar.draw(System.nanoTime()), 200, 200, TimeUnit.MILLISECONDS);
        }
        DemoRun.SendReport sent;
        try {
            sent = run.send(cluster.dataAddresses(), halfway, timeout);
        } finally {
            ticker.shutdownNow();
        }
        if (!noProgress) {
            bar.finish(System.nanoTime());
        }
        chaosLog.forEach(out::println);
        Histogram lat = sent.latencyMicros();
        double sendSeconds = sent.nanos() / 1e9;
        out.printf("sent:     %,d messages (%,d bytes) with --ack %s in %.2f s: %,.0f msg/s, %.1f MB/s; "
                + "ack latency p50 %.2f ms, p99 %.2f ms, max %.1f ms%n", sent.acked(), in.bytes(), ack, sendSeconds,
                sent.acked() / sendSeconds, in.bytes() / sendSeconds / 1e6, lat.getValueAtPercentile(50) / 1e3,
                lat.getValueAtPercentile(99) / 1e3, lat.getMaxValue() / 1e3);
        if (sent.failed() > 0 || sent.firstError() != null) {
            out.printf("          %,d messages failed; first error: %s%n", sent.failed(), sent.firstError());
        }
        DemoRun.VerifyReport v = run.verify(cluster.dataAddresses(), sent, timeout);
        double verifySeconds = v.nanos() / 1e9;
        out.printf("read:     %,d messages (%,d bytes) back in %.2f s: %,.0f msg/s%n", v.messages(), v.bytes(),
                verifySeconds, v.messages() / Math.max(1e-9, verifySeconds));
        boolean ok = v.problems().isEmpty() && sent.failed() == 0 && sent.firstError() == null
                && v.messages() == in.messages();
        for (String p : v.problems()) {
            out.println("PROBLEM:  " + p);
        }
        out.println(ok ? "verified: every message acknowledged, read back byte for byte, once, in order"
                + (chaos ? ", although a node was killed" : "") : "FAILED: see the problems above");
        out.flush();
        return ok ? 0 : 1;
    }

    /** @return the node heading {@code stream}'s chain in {@code ring} (the last node if the ring names none) */
    static LocalCluster.NodeProcess headOf(LocalCluster cluster, JsonNode ring, String stream) {
        long key = StreamKeys.keyOf(stream);
        for (JsonNode a : ring.path("arcs")) {
            if (a.path("start").asLong() <= key && key <= a.path("end").asLong() && a.path("chain").size() > 0) {
                String head = a.path("chain").get(0).asText();
                for (LocalCluster.NodeProcess n : cluster.nodes()) {
                    if (n.id().equals(head)) {
                        return n;
                    }
                }
            }
        }
        return cluster.nodes().get(cluster.nodes().size() - 1);
    }

    private static int[] filled(int n, int value) {
        int[] a = new int[Math.max(0, n)];
        Arrays.fill(a, value);
        return a;
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
