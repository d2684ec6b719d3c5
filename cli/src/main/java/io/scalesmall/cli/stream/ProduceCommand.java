package io.scalesmall.cli.stream;

import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamException;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code scalesmall produce}: sends each line of a file or of standard input as one message (the line's bytes,
 * without its {@code \n} or {@code \r\n}) and prints a summary. Exit 0 when every message was acknowledged, 1 when
 * some failed (the first error is printed), 2 on bad arguments or an unreadable file. With several {@code --node}s
 * the producer finds the head of the stream's chain among them and fails over when it dies (see
 * {@link StreamProducer}); the summary names the node that acknowledged last.
 */
@Command(name = "produce", mixinStandardHelpOptions = true,
        description = {"Sends each line of FILE (or standard input) to a stream as one message; prints a summary.",
            "--ack: none (fire and forget), memory=N (N copies in memory) or disk=N (N copies on disk, default disk=1)."})
public final class ProduceCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--node", paramLabel = "HOST:PORT[,HOST:PORT...]", split = ",",
            defaultValue = NodeAddress.DEFAULT, converter = NodeAddress.class,
            description = {"Data ports of nodes of the cluster, comma-separated or repeated (default ${DEFAULT-VALUE}).",
                "Any of them will do: the producer is redirected to the head of the"
                    + " stream's chain, and fails over to the others when the head dies."})
    List<InetSocketAddress> nodes;

    @Option(names = "--stream", paramLabel = "S", required = true, description = "The stream (1..255 UTF-8 bytes).")
    String stream;

    @Option(names = "--ack", paramLabel = "none|memory=N|disk=N", defaultValue = "disk=1",
            description = "What each message waits for (default ${DEFAULT-VALUE}).")
    String ack;

    @Option(names = "--file", paramLabel = "F", description = "Read lines from F instead of standard input ('-' = stdin).")
    Path file;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ProducerConfig config;
        try {
            config = ProducerConfig.of(nodes, stream).withAck(AckMode.parse(ack));
        } catch (IllegalArgumentException e) {
            err.println("scalesmall produce: " + e.getMessage());
            return 2;
        }
        long start = System.nanoTime();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        long bytes = 0;
        InetSocketAddress head;
        try (InputStream in = file == null || file.toString().equals("-") ? System.in : Files.newInputStream(file);
                StreamProducer producer = StreamProducer.create(config)) {
            BufferedInputStream lines = new BufferedInputStream(in, 1 << 16);
            for (byte[] line; (line = readLine(lines)) != null; ) {
                futures.add(producer.send(line));
                bytes += line.length;
            }
            producer.flush().join();
            head = producer.node();
        } catch (IOException e) {
            err.println("scalesmall produce: cannot read " + (file == null ? "standard input" : file) + ": "
                    + e.getMessage());
            return 2;
        }
        long first = Long.MAX_VALUE;
        long last = -1;
        int failed = 0;
        Throwable firstError = null;
        for (CompletableFuture<Long> f : futures) {
            try {
                long o = f.get();
                first = Math.min(first, o);
                last = Math.max(last, o);
            } catch (ExecutionException e) {
                failed++;
                firstError = firstError == null ? e.getCause() : firstError;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return 1;
            }
        }
        long ms = Math.max(1, Duration.ofNanos(System.nanoTime() - start).toMillis());
        int ok = futures.size() - failed;
        out.printf("produced %d of %d messages (%d bytes) to stream '%s' at %s, ack %s%s, in %d ms (%d msg/s)%n",
                ok, futures.size(), bytes, stream, head.getHostString() + ":" + head.getPort(), config.ack(),
                last >= 0 ? ", offsets " + first + ".." + last : "", ms, ok * 1000L / ms);
        if (failed > 0) {
            err.println("scalesmall produce: " + failed + " messages failed; first error: "
                    + (firstError instanceof StreamException se ? se.getMessage() : String.valueOf(firstError)));
            return 1;
        }
        return 0;
    }

    /** @return the next line's bytes without its line end, or null at the end of input */
    static byte[] readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        byte[] out = line.toByteArray();
        if (out.length > 0 && out[out.length - 1] == '\r') {
            return Arrays.copyOf(out, out.length - 1);
        }
        return out;
    }
}
