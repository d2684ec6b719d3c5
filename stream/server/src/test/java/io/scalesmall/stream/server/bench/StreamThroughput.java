package io.scalesmall.stream.server.bench;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A throughput run of the message path, not a test: producers in this JVM send {@code messages} messages of
 * {@code size} bytes with the given ack mode to a {@link StreamServer} (in this JVM over {@code memory} or
 * {@code file} log, or at {@code host:port}), over loopback TCP, and it prints messages/s, MB/s and ack latency
 * percentiles (sampled: every 64th message). Run it with the test classpath:
 *
 * <pre>
 * java -cp stream/server/target/test-classes:stream/server/target/classes:$(cat cp.txt) \
 *   io.scalesmall.stream.server.bench.StreamThroughput MESSAGES SIZE ACK PRODUCERS memory|file|HOST:PORT [RATE]
 * </pre>
 *
 * RATE (messages/s over all producers) paces the senders, for latency at a given load; without it they send as
 * fast as the in-flight limit lets them.
 */
public final class StreamThroughput {
    private StreamThroughput() {
    }

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        AckMode ack = AckMode.parse(args[2]);
        int producers = Integer.parseInt(args[3]);
        String target = args[4];
        long rate = args.length > 5 ? Long.parseLong(args[5]) : 0;
        MessageLog log = null;
        StreamServer server = null;
        InetSocketAddress node;
        if (target.equals("memory") || target.equals("file")) {
            log = target.equals("memory") ? new MemoryMessageLog()
                    : FileMessageLog.open(Files.createTempDirectory("ssbench"), FileLogConfig.DEFAULT);
            server = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(1));
            node = server.address();
        } else {
            int colon = target.lastIndexOf(':');
            node = new InetSocketAddress(target.substring(0, colon), Integer.parseInt(target.substring(colon + 1)));
        }
        for (int round = 0; round < 2; round++) { // the first round warms the JIT up
            run(node, messages, size, ack, producers, rate, round == 0 ? "warm-up" : "measured");
        }
        if (server != null) {
            server.close();
            log.close();
        }
    }

    private static void run(InetSocketAddress node, int messages, int size, AckMode ack, int producers, long rate,
            String label)
            throws Exception {
        byte[] payload = new byte[size];
        new Random(1).nextBytes(payload);
        int each = messages / producers;
        int samples = each / 64 + 1;
        AtomicLongArray latencies = new AtomicLongArray(samples * producers);
        List<Thread> threads = new ArrayList<>();
        List<StreamProducer> ps = new ArrayList<>();
        String stream = "bench-" + System.nanoTime();
        long start = System.nanoTime();
        for (int p = 0; p < producers; p++) {
            StreamProducer producer = StreamProducer.create(ProducerConfig.of(node, stream + "-" + p).withAck(ack)
                    .withBatchBytes(64 << 10).withLinger(Duration.ofMillis(1)));
            ps.add(producer);
            int id = p;
            threads.add(new Thread(() -> {
                CompletableFuture<Long> last = null;
                long begin = System.nanoTime();
                double perNano = rate / (double) producers / 1e9;
                for (int i = 0; i < each; i++) {
                    while (rate > 0 && i > (System.nanoTime() - begin) * perNano) {
                        LockSupport.parkNanos(50_000);
                    }
                    if ((i & 63) == 0) {
                        long t0 = System.nanoTime();
                        int slot = id * samples + (i >> 6);
                        last = producer.send(payload);
                        last.thenRun(() -> latencies.set(slot, System.nanoTime() - t0));
                    } else {
                        last = producer.send(payload);
                    }
                }
                producer.flush().join();
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        long nanos = System.nanoTime() - start;
        for (StreamProducer p : ps) {
            p.close();
        }
        long[] l = new long[latencies.length()];
        int n = 0;
        for (int i = 0; i < l.length; i++) {
            if (latencies.get(i) > 0) {
                l[n++] = latencies.get(i);
            }
        }
        long[] s = Arrays.copyOf(l, n);
        Arrays.sort(s);
        double secs = nanos / 1e9;
        System.out.printf("%s: %d messages of %d bytes, ack %s, %d producers: %.0f msg/s, %.1f MB/s; "
                + "ack latency p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms (%d samples, %s)%n", label,
                (long) each * producers, size, ack, producers, each * producers / secs,
                each * (long) producers * size / secs / 1e6, pct(s, 0.5), pct(s, 0.99), pct(s, 0.999), n,
                rate > 0 ? "paced at " + rate + " msg/s" : "at full load");
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, q * sorted.length)] / 1e6;
    }
}
