package io.scalesmall.cli.stream;

import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.Offsets;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scalesmall consume}: prints a stream's messages, one per line (the message's bytes, then {@code \n}).
 * Without {@code --follow} it stops at the end offset the stream had when it started; with it, it waits for new
 * messages until {@code --count} are printed or it is stopped. With several {@code --node}s it reads from the first
 * that answers and moves to the next when a connection fails, from the offset after the last one printed. Exit 0 on success, 1 when the node refused (e.g.
 * offset out of range: the first available offset is printed) or cannot be reached, 2 on bad arguments.
 */
@Command(name = "consume", mixinStandardHelpOptions = true,
        description = {"Prints the messages of a stream, one per line, from --from (default: the first offset held).",
            "Stops at the stream's end, after --count messages, or, with --follow, waits for new ones."})
public final class ConsumeCommand implements Callable<Integer> {
    /** How long one FETCH waits at the end of the stream when following. */
    private static final Duration FOLLOW_WAIT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "HOST:PORT[,HOST:PORT...]", split = ",",
            defaultValue = NodeAddress.DEFAULT, converter = NodeAddress.class,
            description = {"Data ports of nodes of the cluster, comma-separated or repeated (default ${DEFAULT-VALUE}).",
                "Any node holding the stream will do; when"
                    + " one fails, the next one is read from."})
    List<InetSocketAddress> nodes;

    @Option(names = "--stream", paramLabel = "S", required = true, description = "The stream.")
    String stream;

    @Option(names = "--from", paramLabel = "OFFSET", description = "The first offset to print (default: the first held).")
    Long from;

    @Option(names = "--count", paramLabel = "N", description = "Stop after N messages.")
    Long count;

    @Option(names = "--follow", description = "Keep waiting for new messages.")
    boolean follow;

    /** Where messages go; System.out unless a test sets it. */
    OutputStream sink = System.out;

    @Override
    public Integer call() {
        if (from != null && from < 0 || count != null && count < 0) {
            spec.commandLine().getErr().println("scalesmall consume: --from and --count must be >= 0");
            return 2;
        }
        StreamConsumer made;
        try {
            made = StreamConsumer.create(nodes);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("scalesmall consume: --node: " + e.getMessage());
            return 2;
        }
        OutputStream out = new BufferedOutputStream(sink, 1 << 16);
        try (StreamConsumer consumer = made) {
            Offsets offsets = retrying(() -> consumer.offsets(stream), REQUEST_TIMEOUT);
            long at = from == null ? offsets.first() : from;
            long end = follow ? Long.MAX_VALUE : offsets.end();
            long left = count == null ? Long.MAX_VALUE : count;
            if (at < offsets.first() || at > offsets.end()) {
                // let the node say it, with the range it holds
                long start = at;
                retrying(() -> consumer.fetch(stream, start, 1, 1, Duration.ZERO), REQUEST_TIMEOUT);
            }
            while (left > 0 && at < end) {
                Fetched f;
                long from = at;
                int max = (int) Math.min(left, 10_000);
                try {
                    f = retrying(() -> consumer.fetch(stream, from, max, 1 << 20, follow ? FOLLOW_WAIT : Duration.ZERO),
                            REQUEST_TIMEOUT.plus(FOLLOW_WAIT));
                } catch (StreamException e) {
                    if (!follow || e.code() != null) {
                        throw e;
                    }
                    spec.commandLine().getErr().println("scalesmall consume: " + e.getMessage() + "; retrying");
                    Thread.sleep(1_000); // no node reachable: retry until stopped
                    continue;
                }
                for (byte[] m : f.messages()) {
                    if (left == 0 || at >= end) {
                        break;
                    }
                    out.write(m);
                    out.write('\n');
                    at++;
                    left--;
                }
                out.flush();
                if (f.messages().isEmpty() && !follow) {
                    break;
                }
            }
            return 0;
        } catch (StreamException e) {
            spec.commandLine().getErr().println("scalesmall consume: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            spec.commandLine().getErr().println("scalesmall consume: cannot write: " + e.getMessage());
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            try {
                out.flush();
            } catch (IOException e) {
                // stdout gone
            }
        }
    }

    /**
     * Sends a request, and again while it fails without a node's error code (connection failures) and there is a
     * node of {@code --node} not yet tried: the consumer moves to its next node after each failure.
     */
    private <T> T retrying(Supplier<CompletableFuture<T>> request, Duration timeout) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return await(request.get(), timeout);
            } catch (StreamException e) {
                if (e.code() != null || attempt >= nodes.size()) {
                    throw e;
                }
                spec.commandLine().getErr().println("scalesmall consume: " + e.getMessage() + "; trying the next node");
            }
        }
    }

    private static <T> T await(CompletableFuture<T> f, Duration timeout)
            throws InterruptedException {
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof StreamException se ? se : new StreamException(e.getCause().toString(), e);
        } catch (TimeoutException e) {
            throw new StreamException("no reply within " + timeout.toMillis() + " ms");
        }
    }
}
