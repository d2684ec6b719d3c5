package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety with a real process (issue 5, "Must show"): a {@code scalesmall node} JVM (the packaged jar, as
 * failsafe builds it) on loopback, producers in this JVM sending with {@code disk=1}, then {@code kill -9} of the
 * node mid-stream and a restart on the same log. Every message acknowledged before, during or after the crash
 * must be there once, at its acknowledged offset, in its producer's order, byte for byte; the producers reconnect
 * and resend what was not acknowledged, and the restarted node (its producer state rebuilt from the log) stores
 * none of it twice. Then a torn batch at the tail: a batch cut in half in the last segment must be truncated on
 * restart with a WARN line, and never served.
 */
class StreamCrashIT {
    private static final String STREAM = "crash";
    private static final int PRODUCERS = 3;

    @TempDir
    Path work;
    private final List<Process> nodes = new ArrayList<>();
    private Path jar;
    private int gossipPort;
    private int dataPort;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @AfterEach
    void killLeftovers() {
        for (Process p : nodes) {
            p.destroyForcibly();
        }
    }

    /** Starts the node JVM; returns once its data port answers. Output goes to {@code node-N.log}. */
    private Process startNode(int run) throws Exception {
        Path log = work.resolve("node-" + run + ".log");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-jar", jar.toString(), "node", "--bind", "127.0.0.1", "--port", String.valueOf(gossipPort),
                "--data-port", String.valueOf(dataPort), "--multicast", "off", "--http", "off",
                "--data-dir", work.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().remove("SCALESMALL_CONFIG");
        Process p = pb.start();
        nodes.add(p);
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!p.isAlive()) {
                throw new AssertionError("node exited with " + p.exitValue() + ":\n" + Files.readString(log));
            }
            return Files.readString(log).contains("running;");
        });
        return p;
    }

    /** kill -9: {@link Process#destroyForcibly()} sends SIGKILL on Linux; the JVM gets no chance to flush. */
    private static void kill9(Process p) throws InterruptedException {
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    }

    private InetSocketAddress data() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), dataPort);
    }

    private List<byte[]> readAll(StreamConsumer consumer, String stream) throws Exception {
        List<byte[]> out = new ArrayList<>();
        long at = 0;
        while (true) {
            Fetched f = consumer.fetch(stream, at, 10_000, 1 << 20, Duration.ZERO).get(30, TimeUnit.SECONDS);
            if (f.messages().isEmpty()) {
                return out;
            }
            out.addAll(f.messages());
            at = f.nextOffset();
        }
    }

    @Test
    void kill9LosesNothingAcknowledgedAndATornTailIsNeverServed() throws Exception {
        Path built = Path.of(System.getProperty("scalesmall.jar", "target/scalesmall.jar"));
        assertThat(built).as("the packaged CLI jar (run 'mvn package' first)").isRegularFile();
        jar = work.resolve("scalesmall.jar");
        Files.copy(built, jar); // a concurrent 'mvn package' cannot swap it under the node
        gossipPort = freePort();
        dataPort = freePort();
        long seed = new SecureRandom().nextLong();
        System.out.println("StreamCrashIT seed=" + seed + " work=" + work);

        Process node = startNode(1);
        Map<Long, String> acked = new ConcurrentHashMap<>();
        List<String> twice = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean stop = new AtomicBoolean();
        List<StreamProducer> producers = new ArrayList<>();
        List<Thread> senders = new ArrayList<>();
        for (int p = 0; p < PRODUCERS; p++) {
            StreamProducer producer = StreamProducer.create(ProducerConfig.of(data(), STREAM).withAck(AckMode.disk(1))
                    .withBatchBytes(4_096).withMaxInFlight(20_000, true, Duration.ofMinutes(2)));
            producers.add(producer);
            int id = p;
            Random rng = new Random(seed + p);
            Thread t = new Thread(() -> {
                for (long i = 0; !stop.get(); i++) {
                    byte[] noise = new byte[30 + rng.nextInt(90)];
                    rng.nextBytes(noise);
                    String payload = "p" + id + ":" + i + ":" + Base64.getEncoder().encodeToString(noise);
                    producer.send(payload.getBytes(StandardCharsets.UTF_8)).thenAccept(offset -> {
                        String before = acked.put(offset, payload);
                        if (before != null) {
                            twice.add("offset " + offset + ": " + before + " and " + payload);
                        }
                    });
                }
            }, "sender-" + p);
            t.start();
            senders.add(t);
        }
        // Crash mid-stream, with acknowledged messages behind it and unacknowledged ones in flight.
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= 20_000);
        kill9(node);
        int ackedAtCrash = acked.size();
        node = startNode(2);
        await().atMost(Duration.ofSeconds(60)).until(() -> acked.size() >= ackedAtCrash + 20_000);
        stop.set(true);
        for (Thread t : senders) {
            t.join();
        }
        for (StreamProducer p : producers) {
            p.flush().get(60, TimeUnit.SECONDS);
            assertThat(p.resentBatches()).as("batches resent after the crash").isPositive();
            p.close();
        }

        assertThat(twice).as("seed %d: offsets acknowledged to two messages", seed).isEmpty();
        try (StreamConsumer consumer = StreamConsumer.create(data())) {
            List<byte[]> all = readAll(consumer, STREAM);
            Map<String, Long> seen = new HashMap<>();
            long[] lastSeq = new long[PRODUCERS];
            Arrays.fill(lastSeq, -1);
            for (int off = 0; off < all.size(); off++) {
                String m = new String(all.get(off), StandardCharsets.UTF_8);
                Long before = seen.put(m, (long) off);
                assertThat(before).as("seed %d: message at %d also at %s: stored twice", seed, off, before).isNull();
                String[] parts = m.split(":");
                int p = Integer.parseInt(parts[0].substring(1));
                long seq = Long.parseLong(parts[1]);
                assertThat(seq).as("seed %d: producer %d's order at offset %d", seed, p, off).isGreaterThan(lastSeq[p]);
                lastSeq[p] = seq;
            }
            for (Map.Entry<Long, String> e : acked.entrySet()) {
                assertThat(e.getKey()).as("seed %d: acknowledged offset within the log", seed).isLessThan(all.size());
                assertThat(new String(all.get(e.getKey().intValue()), StandardCharsets.UTF_8))
                        .as("seed %d: acknowledged message at offset %d, intact", seed, e.getKey()).isEqualTo(e.getValue());
            }
            System.out.println("StreamCrashIT: " + acked.size() + " acknowledged (" + ackedAtCrash
                    + " before the crash), " + all.size() + " stored, all acknowledged ones once, in order, intact");

            tornTail(consumer, all.size());
        }
    }

    /** Appends one batch, cuts it in half in the last segment while the node is down, restarts. */
    private void tornTail(StreamConsumer oldConsumer, long end) throws Exception {
        oldConsumer.close();
        Path segments = work.resolve("data").resolve("log");
        Path last;
        long before;
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(data(), STREAM).withAck(AckMode.disk(1)))) {
            last = lastSegment(segments);
            before = Files.size(last);
            assertThat(p.send("the torn one".getBytes(StandardCharsets.UTF_8)).get(30, TimeUnit.SECONDS)).isEqualTo(end);
        }
        kill9(nodes.get(nodes.size() - 1));
        assertThat(lastSegment(segments)).isEqualTo(last);
        long after = Files.size(last);
        assertThat(after).isGreaterThan(before);
        try (FileChannel ch = FileChannel.open(last, StandardOpenOption.WRITE)) {
            ch.truncate(before + (after - before) / 2); // the batch record, torn in the middle
        }
        startNode(3);
        String log = Files.readString(work.resolve("node-3.log"));
        assertThat(log).as("the truncation is logged").contains("truncating a torn tail").contains(last.getFileName().toString());
        try (StreamConsumer consumer = StreamConsumer.create(data())) {
            assertThat(consumer.offsets(STREAM).get(30, TimeUnit.SECONDS).end()).as("the torn batch is gone")
                    .isEqualTo(end);
            List<byte[]> all = readAll(consumer, STREAM);
            assertThat(all).hasSize((int) end);
            assertThat(all).noneMatch(m -> new String(m, StandardCharsets.UTF_8).equals("the torn one"));
        }
    }

    private static Path lastSegment(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".seg")).sorted().reduce((a, b) -> b).orElseThrow();
        }
    }
}
