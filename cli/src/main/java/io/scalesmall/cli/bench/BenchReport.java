package io.scalesmall.cli.bench;

import java.io.PrintWriter;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Prints a bench run's figures: the settings, messages/s and MB/s acknowledged (MB = 2^20 bytes of message payload,
 * as Kafka's ProducerPerformance counts), with a rate the rate asked, sent and acknowledged and how far sends fell
 * behind their schedule, ack latency percentiles in ms, and what the consumers received.
 */
final class BenchReport {
    private BenchReport() {
    }

    static void print(PrintWriter out, BenchSettings s, BenchResult r, String nodeDescription) {
        out.printf(Locale.ROOT, "scalesmall bench: %,d messages of %d bytes, ack %s, %d producer(s), %d stream(s),"
                + " %d consumer(s)%s, batch %d bytes, linger %d ms%n", s.messages(), s.size(), s.ack(), s.producers(),
                s.streams(), s.consumers(), s.rate() > 0 ? String.format(Locale.ROOT, ", rate %,d msgs/s", s.rate())
                        : "", s.batchBytes(), s.linger().toMillis());
        out.println("node: " + nodeDescription);
        double seconds = r.produceNanos() / 1e9;
        out.printf(Locale.ROOT, "produced: %,d acknowledged, %,d failed in %.3f s: %,.0f msgs/s, %.2f MB/s%n",
                r.acked(), r.failed(), seconds, perSecond(r.acked(), seconds),
                perSecond(r.acked() * (double) s.size(), seconds) / (1 << 20));
        if (s.rate() > 0) {
            double sendSeconds = r.sendNanos() / 1e9;
            Histogram lag = r.sendLagNanos();
            out.printf(Locale.ROOT, "rate: %,d msgs/s asked, %,.0f msgs/s sent, %,.0f msgs/s acknowledged; sends behind"
                    + " schedule (ms): p50 %.3f  p99 %.3f  max %.3f%n", s.rate(),
                    perSecond(s.messages(), sendSeconds), perSecond(r.acked(), seconds),
                    ms(lag.getValueAtPercentile(50)), ms(lag.getValueAtPercentile(99)), ms(lag.getMaxValue()));
        }
        Histogram h = r.latencyNanos();
        if (h.getTotalCount() > 0) {
            out.printf(Locale.ROOT, "ack latency (ms): p50 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (mean %.3f, n=%,d)%n",
                    ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
                    ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getMean() / 1e6, h.getTotalCount());
        }
        if (s.consumers() > 0) {
            double cs = r.consumeNanos() / 1e9;
            out.printf(Locale.ROOT, "consumed: %,d messages by %d consumer(s) in %.3f s: %,.0f msgs/s%n",
                    r.consumed(), s.consumers(), cs, perSecond(r.consumed(), cs));
        }
        if (r.firstError() != null) {
            out.println("first failure: " + r.firstError());
        }
        if (r.timedOut()) {
            out.println("TIMED OUT after " + s.timeout().toSeconds() + " s: some acknowledgements or messages never"
                    + " arrived; the figures above cover what did");
        }
        out.flush();
    }

    private static double perSecond(double count, double seconds) {
        return seconds > 0 ? count / seconds : 0;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
