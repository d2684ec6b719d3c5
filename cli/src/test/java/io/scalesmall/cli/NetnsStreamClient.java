package io.scalesmall.cli;

import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.Offsets;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stream client program for the namespace tests, run by {@link NetnsNodes#spawnProgram} inside a namespace
 * (the test JVM cannot reach the namespace addresses). It writes what it saw, one record a line, to an output file
 * that the test reads; records are written whole and the file is flushed every 100 ms and at the end.
 *
 * <pre>
 * produce OUT NODES STREAMS MESSAGES RATE SEED ACK
 *   NODES: data addresses HOST:PORT,...; STREAMS: names, comma-separated; MESSAGES per stream; RATE: messages/s per
 *   stream (a tick every 20 ms sends what is due); SEED: of the payloads ({@link #payload}); ACK: e.g. disk=2.
 *   One producer per stream, knowing every node. Records: "A STREAM SEQ OFFSET" per acknowledged message,
 *   "F STREAM SEQ ERROR" per failed one, "S STREAM resent=N reconnects=N redirects=N failovers=N node=ADDR" per
 *   stream at the end, then "DONE".
 * read OUT TARGET...
 *   TARGET: LABEL/STREAM/HOST:PORT,... — reads STREAM from first to end through a consumer that knows those nodes
 *   (in order). Records: "R LABEL STREAM FIRST END", then "M LABEL OFFSET BASE64(MESSAGE)" per message, or
 *   "E LABEL ERROR" if it failed; then "DONE".
 * </pre>
 *
 * Exit 0 after "DONE", 2 on bad arguments. Waiting here is pacing of a load generator, not a test's sleep.
 */
final class NetnsStreamClient {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration FINISH_TIMEOUT = Duration.ofSeconds(100);

    private final BufferedWriter out;

    private NetnsStreamClient(BufferedWriter out) {
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !args[0].equals("produce") && !args[0].equals("read")
                || args[0].equals("produce") && args.length != 8) {
            System.err.println("usage: produce OUT NODES STREAMS MESSAGES RATE SEED ACK | read OUT TARGET...");
            System.exit(2);
        }
        ScheduledExecutorService flusher = Executors.newSingleThreadScheduledExecutor();
        try (BufferedWriter w = Files.newBufferedWriter(Path.of(args[1]), StandardCharsets.UTF_8)) {
            NetnsStreamClient c = new NetnsStreamClient(w);
            flusher.scheduleWithFixedDelay(c::flush, 100, 100, TimeUnit.MILLISECONDS);
            if (args[0].equals("produce")) {
                c.produce(addresses(args[2]), List.of(args[3].split(",")), Integer.parseInt(args[4]),
                        Integer.parseInt(args[5]), Long.parseLong(args[6]), AckMode.parse(args[7]));
            } else {
                for (int i = 2; i < args.length; i++) {
                    String[] t = args[i].split("/", 3);
                    c.read(t[0], t[1], addresses(t[2]));
                }
            }
            c.record("DONE");
            flusher.shutdownNow();
            c.flush();
        }
        System.exit(0);
    }

    /**
     * The payload of message {@code seq} of stream number {@code stream}: {@code "sSTREAM:SEQ:"} and 20..109 random
     * bytes (seeded by seed, stream and seq), Base64-encoded: printable, no spaces, different lengths.
     */
    static byte[] payload(long seed, int stream, int seq) {
        SplittableRandom rng = new SplittableRandom(seed ^ (stream * 0x9E3779B97F4A7C15L) ^ ((long) seq << 20));
        byte[] noise = new byte[20 + rng.nextInt(90)];
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) rng.nextInt(256);
        }
        String text = "s" + stream + ":" + seq + ":" + Base64.getEncoder().encodeToString(noise);
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private void produce(List<InetSocketAddress> nodes, List<String> streams, int messages, int rate, long seed,
            AckMode ack) throws InterruptedException {
        ScheduledExecutorService ticks = Executors.newScheduledThreadPool(streams.size());
        List<StreamProducer> producers = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(streams.size() * messages);
        long start = System.nanoTime();
        for (int s = 0; s < streams.size(); s++) {
            String name = streams.get(s);
            StreamProducer p = StreamProducer.create(ProducerConfig.of(nodes, name).withAck(ack).withBatchBytes(4_096)
                    .withMaxInFlight(5_000, true, FINISH_TIMEOUT).withDeliveryTimeout(FINISH_TIMEOUT));
            producers.add(p);
            int stream = s;
            AtomicLong next = new AtomicLong();
            // One task per stream: a producer blocked in failover holds back its own stream only.
            ticks.scheduleAtFixedRate(() -> {
                long due = Math.min(messages, (System.nanoTime() - start) * rate / 1_000_000_000L);
                for (long seq = next.get(); seq < due; seq = next.incrementAndGet()) {
                    int q = (int) seq;
                    p.send(payload(seed, stream, q), (offset, error) -> {
                        record(error == null ? "A " + name + " " + q + " " + offset
                                : "F " + name + " " + q + " " + String.valueOf(error).replace('\n', ' '));
                        done.countDown();
                    });
                }
            }, 0, 20, TimeUnit.MILLISECONDS);
        }
        boolean all = done.await(FINISH_TIMEOUT.toSeconds() + (long) messages / rate, TimeUnit.SECONDS);
        ticks.shutdownNow();
        for (int s = 0; s < streams.size(); s++) {
            StreamProducer p = producers.get(s);
            record("S " + streams.get(s) + " resent=" + p.resentBatches() + " reconnects=" + p.reconnects()
                    + " redirects=" + p.redirects() + " failovers=" + p.failovers() + " node=" + p.node()
                    + (all ? "" : " unfinished=" + done.getCount()));
            p.close(Duration.ofSeconds(5));
        }
    }

    private void read(String label, String stream, List<InetSocketAddress> nodes) {
        try (StreamConsumer consumer = StreamConsumer.create(nodes)) {
            Offsets o = consumer.offsets(stream).get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            record("R " + label + " " + stream + " " + o.first() + " " + o.end());
            long at = o.first();
            while (at < o.end()) {
                Fetched f = consumer.fetch(stream, at, 10_000, 1 << 20, Duration.ZERO)
                        .get(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                if (f.messages().isEmpty()) {
                    record("E " + label + " nothing at offset " + at + " of " + o.first() + ".." + o.end());
                    return;
                }
                at = f.firstOffset();
                StringBuilder sb = new StringBuilder();
                for (byte[] m : f.messages()) {
                    sb.append("M ").append(label).append(' ').append(at++).append(' ')
                            .append(Base64.getEncoder().encodeToString(m)).append('\n');
                }
                record(sb.substring(0, sb.length() - 1));
            }
        } catch (Exception e) {
            record("E " + label + " " + String.valueOf(e).replace('\n', ' '));
        }
    }

    private synchronized void record(String line) {
        try {
            out.write(line);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<InetSocketAddress> addresses(String list) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String a : list.split(",")) {
            int colon = a.lastIndexOf(':');
            out.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
        }
        return out;
    }
}
