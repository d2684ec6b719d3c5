package io.scalesmall.cli.bench;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scalesmall bench}: producers and consumers against a running node or cluster ({@code --node}, a list; the
 * producers follow redirects to each stream's head) or against {@code --chain N} nodes started in this process
 * ({@link InProcessChain}: one replication chain, node 0 the head), with a progress bar; prints the chain length and
 * ack level, messages/s, MB/s and ack latency percentiles (HdrHistogram), and what each in-process node's log holds.
 * Results go to standard output, the progress bar to standard error. Exit code 0 when every message was acknowledged
 * (and consumed), 1 when some failed or the run timed out, 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {
            "Measures a node or a replication chain: producers send messages and wait for acks, consumers follow the"
                + " streams.",
            "Without --node it starts --chain N nodes in this process on 127.0.0.1 (default 1), each with its own"
                + " log (a file log in a temp dir by default), joined into one chain: node 0 the head of every stream,"
                + " then 1, 2, ...; producers and consumers connect to the head. With --node it measures a running"
                + " cluster (producers follow redirects to each stream's head).",
            "Prints the chain length and ack level, messages/s, MB/s (payload, 2^20 bytes) and ack latency"
                + " p50/p99/p99.9 (HdrHistogram), and what each in-process node's log holds.",
            "With --rate, sends are scheduled and latency counts from the scheduled time (no coordinated omission)."})
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "HOST:PORT[,HOST:PORT...]",
            description = "Data ports of a running node or cluster, tried in order; a node that is not a stream's head"
                    + " redirects producers to it (default: start --chain nodes in this process).")
    String node;

    @Option(names = "--chain", defaultValue = "1", paramLabel = "N",
            description = "In-process nodes in the replication chain, 1..5; each stream's chain is node 0 (head),"
                    + " 1, 2, ... (default ${DEFAULT-VALUE}: one node, no replication). --ack memory=N or disk=N"
                    + " with N up to the chain length waits for N copies.")
    int chain;

    @Option(names = "--log", defaultValue = "file", paramLabel = "file|memory",
            description = "The in-process nodes' logs: file (default: what a node runs; disk acks wait for fsync)"
                    + " or memory (network and CPU only: a disk ack waits for no fsync).")
    String logKind;

    @Option(names = "--messages", defaultValue = "1000000", description = "Messages to send in all (default ${DEFAULT-VALUE}).")
    long messages;

    @Option(names = "--size", defaultValue = "100", description = "Bytes per message, 0..1048576 (default ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--ack", defaultValue = "memory=1",
            description = "none, memory=N or disk=N: what each send waits for (default ${DEFAULT-VALUE}).")
    String ack;

    @Option(names = "--producers", defaultValue = "1", description = "Producers, each with its own connection, 1..1024 (default ${DEFAULT-VALUE}).")
    int producers;

    @Option(names = "--streams", defaultValue = "1", description = "Streams, 1..producers; producer i writes stream i %% streams (default ${DEFAULT-VALUE}).")
    int streams;

    @Option(names = "--consumers", defaultValue = "1", description = "Consumers following the streams, 0..1024; consumer i follows stream i %% streams (default ${DEFAULT-VALUE}).")
    int consumers;

    @Option(names = "--rate", defaultValue = "0", description = "Messages/s over all producers; 0 = as fast as possible (default ${DEFAULT-VALUE}).")
    long rate;

    @Option(names = "--batch-bytes", defaultValue = "65536", description = "Producer batch size in bytes (default ${DEFAULT-VALUE}).")
    int batchBytes;

    @Option(names = "--linger-ms", defaultValue = "1", description = "Producer linger in ms, 0..10000, fractions allowed"
            + " (e.g. 0.25; default ${DEFAULT-VALUE}).")
    double lingerMs;

    @Option(names = "--warmup", defaultValue = "0", paramLabel = "MESSAGES",
            description = "Send this many messages first, unmeasured: the same producers, connections and streams,"
                    + " at --rate when one is given, go straight on to the measured ones (JIT warm-up; default"
                    + " ${DEFAULT-VALUE}).")
    long warmup;

    @Option(names = "--timeout", defaultValue = "600", paramLabel = "SECONDS", description = "Give up after this long (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--data-dir", description = "The in-process file logs' directory, node i in node-i/ when"
            + " --chain > 1 (default: a temp dir, deleted after).")
    Path dataDir;

    @Option(names = "--io-slice-us", paramLabel = "N|off", description = "The scheduler slice in µs that the event"
            + " loops ask for, the bench's client and the in-process nodes (Linux 6.12+; 100..100000; off or 0: the"
            + " kernel's default; default: their own, 300 µs); a node given by --node keeps its own"
            + " --data-io-slice-us.")
    String ioSliceUs;

    @Option(names = "--preallocate", paramLabel = "on|off", description = "Whether the in-process nodes' file logs"
            + " write each next segment ahead of need, as fsynced zeros (default: off, the log's own); a node given by"
            + " --node keeps its own --log-preallocate.")
    String preallocate;

    @Option(names = "--write-behind", paramLabel = "BYTES|off", description = "Write-behind for the in-process nodes'"
            + " file logs: a background thread writes each batch into its segment, holding up to BYTES (at least"
            + " 1048576) not yet written; off: the appending event loop writes it (default: the node's default); a node"
            + " given by --node keeps its own --log-write-behind.")
    String writeBehind;

    @Option(names = "--no-progress", description = "Do not draw the progress bar.")
    boolean noProgress;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        AckMode ackMode;
        List<InetSocketAddress> addresses = null;
        InProcessChain.LogKind kind;
        Integer sliceMicros = null;
        FileLogConfig logConfig;
        try {
            ackMode = AckMode.parse(ack);
            if (node != null) {
                addresses = parseNodes(node);
            }
            kind = parseLogKind(logKind);
            check("--chain", chain, 1, InProcessChain.MAX_NODES);
            check("--messages", messages, 1, Long.MAX_VALUE);
            check("--size", size, 0, 1 << 20);
            check("--producers", producers, 1, 1024);
            check("--streams", streams, 1, producers);
            check("--consumers", consumers, 0, 1024);
            check("--rate", rate, 0, Long.MAX_VALUE);
            check("--batch-bytes", batchBytes, 1, 15 << 20);
            if (!(lingerMs >= 0 && lingerMs <= 10_000)) {
                throw new IllegalArgumentException("--linger-ms must be in 0..10000, got " + lingerMs);
            }
            check("--timeout", timeoutSeconds, 1, 3600);
            check("--warmup", warmup, 0, Long.MAX_VALUE);
            sliceMicros = ioSliceUs == null ? null : parseSlice(ioSliceUs);
            logConfig = preallocate == null ? FileLogConfig.DEFAULT
                    : FileLogConfig.DEFAULT.withPreallocate(parseOnOff("--preallocate", preallocate));
            if (writeBehind != null) {
                logConfig = logConfig.withWriteBehindBytes(parseWriteBehind(writeBehind));
            }
            if (node != null && (dataDir != null || chain != 1 || kind != InProcessChain.LogKind.FILE
                    || preallocate != null || writeBehind != null)) {
                throw new IllegalArgumentException("--data-dir, --chain, --log, --preallocate and --write-behind are for"
                        + " in-process nodes; with --node the cluster's own settings apply");
            }
            if (dataDir != null && kind == InProcessChain.LogKind.MEMORY) {
                throw new IllegalArgumentException("--data-dir is for file logs; --log memory keeps nothing on disk");
            }
            if (node == null && ackMode.copies() > chain) {
                throw new IllegalArgumentException("--ack " + ackMode + " waits for " + ackMode.copies()
                        + " copies but --chain " + chain + " has " + chain + " node(s)");
            }
        } catch (IllegalArgumentException e) {
            err.println("bench: " + e.getMessage());
            err.flush();
            return 2;
        }
        String names = "bench-" + HexFormat.of().toHexDigits(new SecureRandom().nextInt());
        // The client's loops read it when they start, with this JVM's first producer (ClientLoops; the client's
        // package comment): the report says what they ran with.
        String property = "scalesmall.client.io-slice-us";
        String before = System.getProperty(property);
        if (sliceMicros != null) {
            System.setProperty(property, Integer.toString(sliceMicros));
        }
        int nodeMicros = sliceMicros != null ? sliceMicros : StreamServerConfig.DEFAULT_IO_SLICE_MICROS;
        InProcessChain inProcess = null;
        try {
            inProcess = addresses == null ? InProcessChain.start(chain, kind, dataDir, nodeMicros,
                    logConfig) : null;
            List<InetSocketAddress> target = inProcess != null ? List.of(inProcess.head()) : addresses;
            BenchSettings s = new BenchSettings(target, messages, warmup, size, ackMode, producers, streams, consumers,
                    rate, batchBytes, Duration.ofNanos(Math.round(lingerMs * 1e6)), Duration.ofSeconds(timeoutSeconds),
                    names);
            BenchResult r = new BenchRun(s).run(noProgress ? null : err, System.console() != null);
            List<String> where = new ArrayList<>(inProcess != null ? BenchReport.describe(inProcess, s)
                    : BenchReport.describe(addresses, s));
            where.add(BenchReport.slice(inProcess != null ? nodeMicros : -1, r.clientSliceNanos()));
            BenchReport.print(spec.commandLine().getOut(), s, r, where);
            return r.failed() == 0 && r.warmupFailed() == 0 && !r.timedOut() ? 0 : 1;
        } finally {
            if (inProcess != null) {
                inProcess.close();
            }
            if (sliceMicros != null) {
                if (before == null) {
                    System.clearProperty(property);
                } else {
                    System.setProperty(property, before);
                }
            }
        }
    }

    /** Parses an on|off flag value. */
    /** {@code off} (0) or a number of bytes in the log's range ({@link FileLogConfig#writeBehindBytes}). */
    static long parseWriteBehind(String value) {
        String v = value.strip();
        if (v.equalsIgnoreCase("off")) {
            return 0;
        }
        long bytes;
        try {
            bytes = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--write-behind must be off or a number of bytes, got '" + value + "'",
                    e);
        }
        try {
            return FileLogConfig.DEFAULT.withWriteBehindBytes(bytes).writeBehindBytes();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--write-behind: " + e.getMessage(), e);
        }
    }

    static boolean parseOnOff(String flag, String value) {
        return switch (value.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(flag + " must be on or off, got '" + value + "'");
        };
    }

    private static void check(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " must be in " + min + ".." + (max == Long.MAX_VALUE ? "" : max)
                    + ", got " + value);
        }
    }

    /** {@code off} or 0 (0), or 100..100000, in µs. */
    private static int parseSlice(String text) {
        try {
            long micros = ThreadSlice.parseMicros(text);
            if (micros != 0) {
                check("--io-slice-us", micros, ThreadSlice.MIN_MICROS, ThreadSlice.MAX_MICROS);
            }
            return (int) micros;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--io-slice-us must be off or a number of µs, got '" + text + "'", e);
        }
    }

    /** {@code file} or {@code memory}, case-insensitive. */
    private static InProcessChain.LogKind parseLogKind(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "file" -> InProcessChain.LogKind.FILE;
            case "memory" -> InProcessChain.LogKind.MEMORY;
            default -> throw new IllegalArgumentException("--log '" + text + "' is not file or memory");
        };
    }

    /**
     * A comma-separated list of {@link #parseNode} addresses, 1..64 of them, none twice.
     *
     * @throws IllegalArgumentException naming the list or the address that is wrong
     */
    static List<InetSocketAddress> parseNodes(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            InetSocketAddress a = parseNode(part.strip());
            if (out.contains(a)) {
                throw new IllegalArgumentException("--node '" + text + "' names " + part.strip() + " twice");
            }
            out.add(a);
        }
        if (out.size() > ProducerConfig.MAX_NODES) {
            throw new IllegalArgumentException("--node takes at most " + ProducerConfig.MAX_NODES + " addresses, got "
                    + out.size());
        }
        return out;
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
