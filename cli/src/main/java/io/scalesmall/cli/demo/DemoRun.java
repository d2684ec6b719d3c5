package io.scalesmall.cli.demo;

import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.Offsets;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Recorder;

/**
 * The demo's data path: sends every message of a {@link DemoInput} to its stream through producers that know every
 * node, then reads each stream back from the cluster and compares it byte for byte.
 *
 * <p>What "verified" means: every message was acknowledged at the requested level; the stream's end offset equals
 * the number of messages sent (nothing lost, nothing stored twice); the message at offset i is, byte for byte,
 * the i-th line sent. Not thread-safe: one demo thread runs it (acks arrive on client I/O threads and only touch
 * the atomic counters and the latency recorder).
 */
final class DemoRun {
    /** Per stream: the stream name and the offset each message was acknowledged at (-1: not acknowledged). */
    record Sent(String stream, long[] offsets) {
    }

    /** What sending did. */
    record SendReport(List<Sent> sent, long acked, long failed, String firstError, long nanos,
            org.HdrHistogram.Histogram latencyMicros) {
    }

    /** What reading back found; {@code problems} empty when all is well. */
    record VerifyReport(long messages, long bytes, long nanos, List<String> problems) {
    }

    private final DemoInput input;
    private final AckMode ack;
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final Recorder latency = new Recorder(3);

    DemoRun(DemoInput input, AckMode ack) {
        this.input = input;
        this.ack = ack;
    }

    static String streamName(int i) {
        return "demo-" + i;
    }

    /** @return how many messages have been acknowledged so far (for a progress bar) */
    long acked() {
        return acked.get() + failed.get();
    }

    /**
     * Sends everything and waits for every acknowledgement (or failure).
     *
     * @param nodes     every node's data address: the producers find each stream's head from there
     * @param halfway   run once when half the messages have been sent (the chaos hook); may be null
     * @param timeout   how long to wait for the last acknowledgements
     */
    SendReport send(List<InetSocketAddress> nodes, Runnable halfway, Duration timeout) throws InterruptedException {
        long start = System.nanoTime();
        List<Sent> sent = new ArrayList<>();
        List<StreamProducer> producers = new ArrayList<>();
        try {
            for (int s = 0; s < input.streams().size(); s++) {
                long[] offsets = new long[input.streams().get(s).size()];
                Arrays.fill(offsets, -1);
                sent.add(new Sent(streamName(s), offsets));
                producers.add(StreamProducer.create(ProducerConfig.of(nodes, streamName(s)).withAck(ack)
                        .withDeliveryTimeout(timeout)));
            }
            long total = input.messages();
            long issued = 0;
            boolean chaosDone = halfway == null;
            // Interleave the streams, a slice of each at a time, so that all of them are in flight at once.
            int[] next = new int[producers.size()];
            boolean more = true;
            while (more) {
                more = false;
                for (int s = 0; s < producers.size(); s++) {
                    List<byte[]> msgs = input.streams().get(s);
                    int end = Math.min(msgs.size(), next[s] + 256);
                    for (int i = next[s]; i < end; i++) {
                        send(producers.get(s), sent.get(s).offsets(), i, msgs.get(i));
                        issued++;
                        if (!chaosDone && issued >= total / 2) {
                            chaosDone = true;
                            halfway.run();
                        }
                    }
                    next[s] = end;
                    more |= end < msgs.size();
                }
            }
            long deadline = System.nanoTime() + timeout.toNanos();
            for (StreamProducer p : producers) {
                try {
                    p.flush().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException e) {
                    firstError.compareAndSet(null, String.valueOf(e.getCause()));
                } catch (TimeoutException e) {
                    firstError.compareAndSet(null, p + ": not every message acknowledged within " + timeout);
                }
            }
        } finally {
            for (StreamProducer p : producers) {
                p.close(Duration.ofSeconds(5));
            }
        }
        return new SendReport(sent, acked.get(), failed.get(), firstError.get(), System.nanoTime() - start,
                latency.getIntervalHistogram());
    }

    private void send(StreamProducer p, long[] offsets, int index, byte[] message) {
        long t0 = System.nanoTime();
        p.send(message, (offset, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error.toString());
            } else {
                offsets[index] = offset;
                latency.recordValue(Math.max(0, (System.nanoTime() - t0) / 1_000));
                acked.incrementAndGet();
            }
        });
    }

    /**
     * Reads every stream back through a consumer that knows {@code nodes} and compares it with what was sent.
     */
    VerifyReport verify(List<InetSocketAddress> nodes, SendReport report, Duration timeout) {
        long start = System.nanoTime();
        List<String> problems = new ArrayList<>();
        long messages = 0;
        long bytes = 0;
        try (StreamConsumer consumer = StreamConsumer.create(nodes)) {
            for (int s = 0; s < input.streams().size(); s++) {
                List<byte[]> expected = input.streams().get(s);
                Sent sent = report.sent().get(s);
                for (int i = 0; i < sent.offsets().length; i++) {
                    if (sent.offsets()[i] != i) {
                        problems.add(sent.stream() + ": message " + i + " acknowledged at offset " + sent.offsets()[i]
                                + (sent.offsets()[i] < 0 ? " (not acknowledged)" : " (expected " + i + ")"));
                        break;
                    }
                }
                try {
                    Offsets o = consumer.offsets(sent.stream()).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                    if (o.end() != expected.size()) {
                        problems.add(sent.stream() + ": end offset " + o.end() + ", sent " + expected.size()
                                + (o.end() > expected.size() ? " (stored twice?)" : " (lost?)"));
                    }
                    long at = 0;
                    while (at < expected.size()) {
                        Fetched f = consumer.fetch(sent.stream(), at, 10_000, 4 << 20, Duration.ZERO)
                                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                        if (f.messages().isEmpty()) {
                            problems.add(sent.stream() + ": nothing readable at offset " + at);
                            break;
                        }
                        for (int k = 0; k < f.messages().size() && at < expected.size(); k++, at++) {
                            byte[] got = f.messages().get(k);
                            if (!Arrays.equals(got, expected.get((int) at))) {
                                problems.add(sent.stream() + ": offset " + at + " differs from the line sent");
                                at = expected.size();
                                break;
                            }
                            messages++;
                            bytes += got.length;
                        }
                    }
                } catch (ExecutionException e) {
                    problems.add(sent.stream() + ": " + e.getCause());
                } catch (TimeoutException e) {
                    problems.add(sent.stream() + ": no answer within " + timeout);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    problems.add("interrupted");
                    break;
                }
            }
        }
        return new VerifyReport(messages, bytes, System.nanoTime() - start, problems);
    }
}
