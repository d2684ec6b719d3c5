package io.scalesmall.cli.bench;

import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scalesmall bench}: producers and consumers against a node's data port (or an in-process node), with a
 * progress bar; prints messages/s, MB/s and ack latency percentiles (HdrHistogram). Results go to standard output,
 * the progress bar to standard error. Exit code 0 when every message was acknowledged (and consumed), 1 when some
 * failed or the run timed out, 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures a node: producers send messages and wait for acks, consumers follow the streams.",
            "Without --node it starts a node in this process (a file log in a temp dir, on 127.0.0.1).",
            "Prints messages/s, MB/s (payload, 2^20 bytes) and ack latency p50/p99/p99.9 (HdrHistogram).",
            "With --rate, sends are scheduled and latency counts from the scheduled time (no coordinated omission)."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "HOST:PORT",
            description = "The node's data port (default: start a node in this process).")
    String node;

    @Option(names = "--messages", defaultValue = "1000000", description = "Messages to send in all (default ${DEFAULT-VALUE}).")
    long messages;

    @Option(names = "--size", defaultValue = "100", description = "Bytes per message, 0..1048576 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--ack", defaultValue = "memory=1",
            description = "none, memory=N or disk=N: what each send waits for (default ${DEFAULT-VALUE}).")
    String ack;

    @Option(names = "--producers", defaultValue = "1", description = "Producers, each with its own connection, 1..1024 (default ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--streams", defaultValue = "1", description = "Streams, 1..producers; producer i writes stream i % streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--consumers", defaultValue = "1", description = "Consumers following the streams, 0..1024; consumer i follows stream i % streams (default ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--rate", defaultValue = "0", description = "Messages/s over all producers; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--batch-bytes", defaultValue = "65536", description = "Producer batch size in bytes (default ${DEFAULT-VALUE}).")
    int batchBytes;

    @Option(names = "--linger-ms", defaultValue = "1", description = "Producer linger in ms (default ${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "MESSAGES",
            description = "Send this many messages first, unmeasured, to other streams (JIT warm-up; default ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--data-dir", description = "The in-process node's log directory (default: a temp dir, deleted after).")
    Path dataDir;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AckMode ackMode;
        InetSocketAddress address = null;
        try {
            ackMode = AckMode.parse(ack);
            if (node != null) {
                address = parseNode(node);
            }
            check("--messages", messages, 1, Long.MAX_VALUE);
            check("--size", size, 0, 1 << 20);
            check("--producers", producers, 1, 1024);
            check("--streams", streams, 1, producers);
            check("--consumers", consumers, 0, 1024);
            check("--rate", rate, 0, Long.MAX_VALUE);
            check("--batch-bytes", batchBytes, 1, 15 << 20);
            check("--linger-ms", lingerMs, 0, 10_000);
            check("--timeout", timeoutSeconds, 1, 3600);
            check("--warmup", warmup, 0, Long.MAX_VALUE);
            if (dataDir != null && node != null) {
                throw new IllegalArgumentException("--data-dir is for the in-process node; it makes no sense with --node");
            }
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.flush();
            return 2;
        }
        String names = "bench-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        InProcessNode inProcess = address == null ? InProcessNode.start(dataDir) : null;
        try {
            InetSocketAddress target = inProcess != null ? inProcess.address() : address;
            BenchSettings s = new BenchSettings(target, messages, size, ackMode, producers, streams, consumers, rate,
                    batchBytes, Duration.ofMillis(lingerMs), Duration.ofSeconds(timeoutSeconds), names);
            if (warmup > 0) {
                BenchSettings w = new BenchSettings(target, warmup, size, ackMode, producers, streams, 0, 0, batchBytes,
                        s.linger(), s.timeout(), names + "-warmup");
                BenchResult wr = new BenchRun(w).run(null, false);
                err.printf("bench: warm-up: %,d of %,d messages acknowledged%n", wr.acked(), warmup);
                err.flush();
            }
            BenchResult r = new BenchRun(s).run(noProgress ? null : err, System.console() != null);
            String where = inProcess != null ? "in-process at " + target + ", file log in " + inProcess.dir()
                    + " (" + inProcess.fsyncs() + " fsyncs)" : target.toString();
            BenchReport.print(spec.commandLine().getOut(), s, r, where);
            return r.failed() == 0 && !r.timedOut() ? 0 : 1;
        } finally {
            if (inProcess != null) {
                inProcess.close();
            }
        }
    }

    private static void check(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + (max == Long.MAX_VALUE ? "" : max)
                    + ", got " + value);
        }
    }

    /**
     * {@code HOST:PORT} (an IPv6 host in brackets); the port defaults to the data port 29998 when left out.
     *
     * @throws IllegalArgumentException naming the text when it is not such an address
     */
    static InetSocketAddress parseNode(String text) {
        String host = text;
        int port = StreamServerConfig.DEFAULT_PORT;
        int colon = text.lastIndexOf(':');
        if (colon >= 0 && text.indexOf(']') < colon) {
            host = text.substring(0, colon);
            try {
                port = Integer.parseInt(text.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--node '" + text + "': the port is not a number", e);
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("--node '" + text + "' is not HOST:PORT with a port in 1..65535");
        }
        return new InetSocketAddress(host, port);
    }
}
