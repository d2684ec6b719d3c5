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
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Runs one bench: producer threads send {@link BenchSettings#warmup()} then {@link BenchSettings#messages()} messages
 * through {@link StreamProducer}s (one per producer,
 * {@link StreamProducer#send(byte[], io.scalesmall.stream.client.SendCallback)}), consumers follow the streams with
 * {@link StreamConsumer#follow}, and a ticker draws the {@link ProgressBar}. Each measured acknowledgement's latency
 * goes into an HdrHistogram (3 significant digits, up to an hour). The clock starts once every producer's session is
 * open (connecting is not part of the run). The run ends when every send completed and every consumer received what
 * was acknowledged on its stream, or at the settings' timeout.
 *
 * <p><b>The warm-up is the run's first messages</b>, on the same producers, connections and streams, at the same
 * rate, and the measured ones follow without a break: steady state, as a long-running node is in. A warm-up run of its
 * own, on other producers and streams, ended with a wave of deoptimizations as the measured run's new connections and
 * sessions took branches the compiled code had never seen: at 2.43M msgs/s, 125 methods were made not entrant at the
 * switch and C2 recompiled for the next seconds, on the vCPUs the run needed (-XX:+PrintCompilation).
 *
 * <p>Latency is measured from {@code send()} -- or, with a rate, from the send's scheduled time, so that a stall counts
 * against every message it delays (Gil Tene's "coordinated omission"; HdrHistogram's and wrk2's approach) -- to the
 * message's completion on the client's I/O thread: the time that thread began completing the message's ACK
 * ({@link StreamProducer#completionNanos}, one clock read per ACK, not per message). With a rate, the producers are paced
 * open-loop: message i of a producer (warm-up included) is due at {@code start + i / (rate / producers)} whatever
 * happened to earlier ones; a producer behind schedule sends at once, and how far behind it was (the send lag) is
 * recorded too, which tells a producer that could not keep up (CPU, back-pressure) from acks that came late. Throughput
 * counts from the first measured message's send (or scheduled time).
 */
final class BenchRun {
    /** Latencies up to an hour, in ns, to 3 significant digits. */
    static Histogram newHistogram() {
        return new Histogram(TimeUnit.HOURS.toNanos(1), 3);
    }

    private final BenchSettings s;
    private final Payloads payloads;
    private final LongAdder consumed = new LongAdder();
    private final AtomicLong lastConsumed = new AtomicLong();

    BenchRun(BenchSettings settings) {
        this.s = settings;
        this.payloads = new Payloads(settings.size(), 0x5CA1E5L);
    }

    /**
     * Runs the bench, drawing progress on {@code progress} (null: none).
     *
     * @param terminal whether {@code progress} is a terminal (redraw in place)
     */
    BenchResult run(PrintWriter progress, boolean terminal) throws InterruptedException {
        long deadline = System.nanoTime() + s.timeout().toNanos();
        List<StreamProducer> producers = new ArrayList<>();
        for (int p = 0; p < s.producers(); p++) {
            producers.add(StreamProducer.create(ProducerConfig.of(s.nodes(), s.stream(p % s.streams()))
                    .withAck(s.ack()).withBatchBytes(s.batchBytes()).withLinger(s.linger())
                    .withDeliveryTimeout(s.timeout())));
        }
        for (StreamProducer p : producers) {
            while (!p.isConnected() && System.nanoTime() < deadline) {
                LockSupport.parkNanos(1_000_000); // sends would wait for the session; the clock starts after it
            }
        }
        List<StreamConsumer> consumerClients = new ArrayList<>();
        List<Subscription> subscriptions = new ArrayList<>();
        List<LongAdder> received = new ArrayList<>();
        for (int c = 0; c < s.consumers(); c++) {
            StreamConsumer consumer = StreamConsumer.create(s.nodes());
            LongAdder got = new LongAdder();
            consumerClients.add(consumer);
            received.add(got);
            subscriptions.add(consumer.follow(s.stream(c % s.streams()), 0, (offset, message) -> {
                got.increment();
                consumed.increment();
                lastConsumed.accumulateAndGet(System.nanoTime(), Math::max);
            }));
        }
        CountDownLatch completions = new CountDownLatch(s.producers());
        List<Tally> tallies = new ArrayList<>();
        for (int p = 0; p < s.producers(); p++) {
            long all = s.warmupOf(p) + s.messagesOf(p);
            tallies.add(new Tally(all, completions::countDown));
            if (all == 0) {
                completions.countDown();
            }
        }
        // Each producer's send lags, merged once the run is over: a merge as each producer finished ran (and had C2
        // compile, for 4-6 ms of a vCPU) while the last acks were still measured.
        List<Histogram> lags = new ArrayList<>();
        AtomicLong lastSend = new AtomicLong();
        // When the first measured message was sent (or due, with a rate); Long.MAX_VALUE until then.
        AtomicLong measuredStart = new AtomicLong(Long.MAX_VALUE);
        long start = System.nanoTime();
        ProgressBar bar = progress == null ? null : new ProgressBar(progress, s.warmup() + s.messages(),
                () -> tallies.stream().mapToLong(Tally::settled).sum(), terminal, start);
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < s.producers(); p++) {
            int producer = p;
            Histogram lag = newHistogram();
            lags.add(lag);
            Thread t = new Thread(() -> {
                send(producers.get(producer), producer, start, tallies.get(producer), lag, measuredStart);
                lastSend.accumulateAndGet(System.nanoTime(), Math::max);
            }, "bench-producer-" + p);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        boolean timedOut = !await(completions, deadline, bar);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        Histogram sendLag = newHistogram();
        for (Histogram lag : lags) {
            sendLag.add(lag); // after the join, or approximate when a producer is still stuck past the deadline
        }
        long[] ackedPerStream = new long[s.streams()];
        for (int p = 0; p < s.producers(); p++) {
            Tally t = tallies.get(p);
            ackedPerStream[p % s.streams()] += t.acked(Tally.WARMUP) + t.acked(Tally.MEASURED);
        }
        for (int c = 0; c < s.consumers() && !timedOut; c++) {
            long want = ackedPerStream[c % s.streams()];
            LongAdder got = received.get(c);
            while (got.sum() < want && !timedOut) {
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
        Histogram latency = newHistogram();
        long acked = 0;
        long failed = 0;
        long lastAck = 0;
        String firstError = null;
        long warmupAcked = 0;
        long warmupFailed = 0;
        for (Tally t : tallies) {
            t.addLatencies(Tally.MEASURED, latency);
            acked += t.acked(Tally.MEASURED);
            failed += t.failed(Tally.MEASURED);
            lastAck = Math.max(lastAck, t.lastNanos(Tally.MEASURED));
            warmupAcked += t.acked(Tally.WARMUP);
            warmupFailed += t.failed(Tally.WARMUP);
            firstError = firstError != null ? firstError : t.firstError();
        }
        long from = Math.min(measuredStart.get(), Math.max(lastAck, start)); // no measured send at all: 0 s
        return new BenchResult(acked, failed, firstError, Math.max(0, lastAck - from), latency, consumed.sum(),
                s.consumers() == 0 ? 0 : Math.max(0, lastConsumed.get() - start), timedOut,
                Math.max(0, lastSend.get() - from), sendLag, warmupAcked, warmupFailed,
                tallies.stream().mapToLong(Tally::ownerSliceNanos).max().orElse(-2));
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

    /**
     * One producer's loop: sends its warm-up, then its measured share, completions to {@code tally} in their
     * {@link Tally} phase, paced open-loop when a rate is set (each message due at its scheduled time; {@code lag} gets
     * how late each measured send was made); lowers {@code measuredStart} to its first measured message's send time
     * (or scheduled time, with a rate). The phase is computed, not branched on, so that the compiled loop goes on
     * unchanged from the warm-up into the measured messages (see {@link Tally}).
     */
    private void send(StreamProducer producer, int p, long start, Tally tally, Histogram lag,
            AtomicLong measuredStart) {
        long warm = s.warmupOf(p);
        long n = warm + s.messagesOf(p);
        double interval = s.rate() > 0 ? 1e9 * s.producers() / s.rate() : 0;
        Histogram[] lags = {newHistogram(), lag};
        long[] firstDue = {Long.MAX_VALUE, Long.MAX_VALUE}; // dues only grow: the first is the least
        long first = p; // message i of producer p is message p + i * producers overall (payload choice)
        long now = Long.MIN_VALUE;
        for (long i = 0; i < n; i++) {
            int phase = (int) ((warm - 1 - i) >>> 63); // WARMUP (0) while i < warm, then MEASURED (1)
            long due;
            if (interval > 0) {
                due = start + (long) (i * interval);
                // The clock is read only once the last reading is earlier than this message's due time: after a
                // wake-up the messages already due go out in a burst, their lag counted from the burst's start. A
                // read per message took a quarter of this thread's CPU (perf: __vdso_clock_gettime).
                if (now < due) {
                    now = System.nanoTime();
                    while (now < due) {
                        LockSupport.parkNanos(due - now);
                        now = System.nanoTime();
                    }
                }
                lags[phase].recordValue(Math.min(lag.getHighestTrackableValue(), now - due));
            } else {
                due = System.nanoTime();
            }
            firstDue[phase] = Math.min(firstDue[phase], due);
            producer.send(payloads.get(first + i * s.producers()), tally.callback(due, phase));
        }
        measuredStart.accumulateAndGet(firstDue[Tally.MEASURED], Math::min);
    }
}
