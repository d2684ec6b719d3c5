package io.scalesmall.cli.bench;

import io.scalesmall.cli.ProgressBar;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.client.Subscription;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Runs one bench: producer threads send {@link BenchSettings#messages()} messages through {@link StreamProducer}s
 * (one per producer), consumers follow the streams with {@link StreamConsumer#follow}, and a ticker draws the
 * {@link ProgressBar}. Each acknowledgement's latency goes into an HdrHistogram (3 significant digits, up to an
 * hour). The run ends when every send completed and every consumer received what was acknowledged on its stream,
 * or at the settings' timeout.
 *
 * <p>Latency is measured from {@code send()} -- or, with a rate, from the send's scheduled time, so that a stall
 * counts against every message it delays (Gil Tene's "coordinated omission"; HdrHistogram's own advice) -- to the
 * completion of its future on the client's I/O thread.
 */
final class BenchRun {
    /** Latencies up to an hour, in ns, to 3 significant digits. */
    static Histogram newHistogram() {
        return new ConcurrentHistogram(TimeUnit.HOURS.toNanos(1), 3);
    }

    private final BenchSettings s;
    private final Payloads payloads;
    private final Histogram latency = newHistogram();
    private final LongAdder acked = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final LongAdder[] ackedPerStream;
    private final LongAdder consumed = new LongAdder();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final AtomicLong lastAck = new AtomicLong();
    private final AtomicLong lastConsumed = new AtomicLong();

    BenchRun(BenchSettings settings) {
        this.s = settings;
        this.payloads = new Payloads(settings.size(), 0x5CA1E5L);
        this.ackedPerStream = new LongAdder[settings.streams()];
        for (int i = 0; i < ackedPerStream.length; i++) {
            ackedPerStream[i] = new LongAdder();
        }
    }

    /**
     * Runs the bench, drawing progress on {@code progress} (null: none).
     *
     * @param terminal whether {@code progress} is a terminal (redraw in place)
     */
    BenchResult run(PrintWriter progress, boolean terminal) throws InterruptedException {
        List<StreamConsumer> consumerClients = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        List<LongAdder> received = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < s.consumers(); c++) {
            StreamConsumer consumer = StreamConsumer.create(s.node());
            LongAdder got = new LongAdder();
            consumerClients.add(consumer);
            received.add(got);
            subscriptions.add(consumer.follow(s.stream(c % s.streams()), 0, (offset, message) -> {
                got.increment();
                consumed.increment();
                lastConsumed.accumulateAndGet(System.nanoTime(), Math::max);
            }));
        }
        List<StreamProducer> producers = new ArrayList<>();
        for (int p = 0; p < s.producers(); p++) {
            producers.add(StreamProducer.create(ProducerConfig.of(s.node(), s.stream(p % s.streams()))
                    .withAck(s.ack()).withBatchBytes(s.batchBytes()).withLinger(s.linger())
                    .withDeliveryTimeout(s.timeout())));
        }
        CountDownLatch completions = new CountDownLatch(1);
        AtomicLong outstanding = new AtomicLong(s.messages());
        ProgressBar bar = progress == null ? null
                : new ProgressBar(progress, s.messages(), () -> s.messages() - outstanding.get(), terminal, start);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < s.producers(); p++) {
            int producer = p;
            Thread t = new Thread(() -> send(producers.get(producer), producer, start, outstanding, completions),
                    "bench-producer-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        long deadline = start + s.timeout().toNanos();
        boolean timedOut = !await(completions, deadline, bar);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        for (int c = 0; c < s.consumers() && !timedOut; c++) {
            LongAdder want = ackedPerStream[c % s.streams()];
            LongAdder got = received.get(c);
            while (got.sum() < want.sum() && !timedOut) {
                timedOut = System.nanoTime() > deadline;
                LockSupport.parkNanos(1_000_000);
            }
        }
        if (bar != null) {
            bar.finish(System.nanoTime());
        }
        subscriptions.forEach(Subscription::close);
        consumerClients.forEach(StreamConsumer::close);
        producers.forEach(p -> p.close(Duration.ofSeconds(5)));
        return new BenchResult(acked.sum(), failed.sum(), firstError.get(), Math.max(0, lastAck.get() - start),
                latency, consumed.sum(), s.consumers() == 0 ? 0 : Math.max(0, lastConsumed.get() - start), timedOut);
    }

    /** Waits for {@code done}, drawing the bar every 200 ms; false at the deadline. */
    private static boolean await(CountDownLatch done, long deadlineNanos, ProgressBar bar) throws InterruptedException {
        while (true) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            if (done.await(Math.min(left, 200_000_000L), TimeUnit.NANOSECONDS)) {
                return true;
            }
            if (bar != null) {
                bar.draw(System.nanoTime());
            }
        }
    }

    /** One producer's loop: sends its share, paced when a rate is set, recording each completion. */
    private void send(StreamProducer producer, int p, long start, AtomicLong outstanding, CountDownLatch allDone) {
        long n = s.messagesOf(p);
        int stream = p % s.streams();
        double interval = s.rate() > 0 ? 1e9 * s.producers() / s.rate() : 0;
        long first = p; // message i of producer p is message p + i * producers overall (payload choice)
        for (long i = 0; i < n; i++) {
            long sentAt;
            if (interval > 0) {
                sentAt = start + (long) (i * interval);
                for (long now = System.nanoTime(); now < sentAt; now = System.nanoTime()) {
                    LockSupport.parkNanos(sentAt - now);
                }
            } else {
                sentAt = System.nanoTime();
            }
            long t0 = sentAt;
            producer.send(payloads.get(first + i * s.producers())).whenComplete((offset, error) -> {
                long now = System.nanoTime();
                if (error == null) {
                    latency.recordValue(Math.min(latency.getHighestTrackableValue(), Math.max(0, now - t0)));
                    acked.increment();
                    ackedPerStream[stream].increment();
                } else {
                    failed.increment();
                    firstError.compareAndSet(null, error.getMessage());
                }
                lastAck.accumulateAndGet(now, Math::max);
                if (outstanding.decrementAndGet() == 0) {
                    allDone.countDown();
                }
            });
        }
    }
}
