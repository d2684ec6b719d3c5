package io.scalesmall.cli.bench;

import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.protocol.AckMode;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * Prints a bench run's figures: the settings, the chain and what its nodes hold, messages/s and MB/s acknowledged
 * (MB = 2^20 bytes of message payload,
 * as Kafka's ProducerPerformance counts), with a rate the rate asked, sent and acknowledged and how far sends fell
 * behind their schedule, ack latency percentiles in ms, and what the consumers received.
 */
final class BenchReport {
    private BenchReport() {
    }

    /**
     * The lines that say what was measured when the bench started the nodes: the chain (length, log kind, head first)
     * and the ack level, then what each node's log holds of the run's streams, its fsyncs and how long they took
     * (p50, p99: a disk ack waits for one), read when the run is over (a replica behind the ack level may still be
     * catching up then).
     */
    static List<String> describe(InProcessChain c, BenchSettings s) {
        List<String> lines = new ArrayList<>();
        long behind = c.logConfig().writeBehindBytes();
        String logs = c.kind() == InProcessChain.LogKind.FILE ? "file log" + (c.size() > 1 ? "s" : "") + " in "
                + c.dir() + (c.logConfig().preallocate() ? " (segments written ahead" : " (segments grow as they fill")
                + (behind == 0 ? ", batches written by the event loop)"
                        : String.format(Locale.ROOT, ", batches written behind, ring of %,d bytes)", behind))
                : "memory log" + (c.size() > 1 ? "s" : "") + " (a disk ack waits for no fsync)";
        lines.add(String.format(Locale.ROOT, "chain: %d in-process node%s, %s; ack %s", c.size(),
                c.size() > 1 ? "s" : "", logs, ackMeaning(s.ack())));
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            long held = 0;
            for (int k = 0; k < s.streams(); k++) {
                held += c.held(i, s.stream(k));
            }
            nodes.append(i == 0 ? "node 0 (head) " : ", node " + i + " ").append(c.address(i))
                    .append(String.format(Locale.ROOT, " holds %,d", held));
            if (c.kind() == InProcessChain.LogKind.FILE) {
                Histogram f = c.fsyncLatencyNanos(i);
                long[] rolls = c.rolls(i);
                nodes.append(f.getTotalCount() == 0 ? String.format(Locale.ROOT, " (%,d fsyncs", c.fsyncs(i))
                        : String.format(Locale.ROOT, " (%,d fsyncs, p50 %.2f ms, p99 %.2f ms", c.fsyncs(i),
                                ms(f.getValueAtPercentile(50)), ms(f.getValueAtPercentile(99))));
                nodes.append(String.format(Locale.ROOT, "; %,d segment rolls, %,d into a file written ahead)",
                        rolls[0], rolls[1]));
            }
        }
        lines.add("nodes: " + nodes + " of the run's messages" + (s.warmup() > 0 ? " (warm-up included)" : ""));
        return lines;
    }

    /**
     * The line that says which scheduler slice the event loops ran with: the in-process nodes' ({@code nodeMicros}
     * asked, 0 = the kernel's; negative when the nodes are not in this process), and the client's as its I/O thread
     * found it ({@code clientNanos}, from {@link BenchResult#clientSliceNanos}).
     */
    static String slice(int nodeMicros, long clientNanos) {
        String client = clientNanos == -2 ? "unknown (nothing acknowledged)"
                : clientNanos < 0 ? "the kernel's (" + ThreadSlice.unsupportedReason() + ")"
                : clientNanos / 1000 + " µs";
        if (nodeMicros < 0) {
            return "scheduler slice: client's event loop " + client;
        }
        String nodes = !ThreadSlice.supported() ? "the kernel's" : nodeMicros == 0 ? "the kernel's default"
                : nodeMicros + " µs";
        return "scheduler slice: nodes' event loops " + nodes + ", client's event loop " + client;
    }

    /** The lines for a cluster given by {@code --node}: its addresses; the chain is the cluster's own. */
    static List<String> describe(List<InetSocketAddress> nodes, BenchSettings s) {
        return List.of("chain: the cluster's own (its placement decides; producers follow redirects to each stream's"
                + " head); ack " + ackMeaning(s.ack()), "nodes: " + nodes.stream().map(Object::toString)
                        .collect(Collectors.joining(", ")) + " (given by --node)");
    }

    private static String ackMeaning(AckMode a) {
        return a + switch (a.level()) {
            case NONE -> " (no acknowledgement waited for)";
            case MEMORY -> " (each send waits until " + a.copies() + " cop" + (a.copies() == 1 ? "y holds" : "ies hold")
                    + " it in memory)";
            case DISK -> " (each send waits until " + a.copies() + " cop" + (a.copies() == 1 ? "y has" : "ies have")
                    + " it on disk)";
        };
    }

    static void print(PrintWriter out, BenchSettings s, BenchResult r, List<String> nodeLines) {
        out.printf(Locale.ROOT, "scalesmall bench: %,d messages of %d bytes, ack %s, %d producer(s), %d stream(s),"
                + " %d consumer(s)%s, batch %d bytes, linger %s ms%n", s.messages(), s.size(), s.ack(), s.producers(),
                s.streams(), s.consumers(), s.rate() > 0 ? String.format(Locale.ROOT, ", rate %,d msgs/s", s.rate())
                        : "", s.batchBytes(), BigDecimal.valueOf(s.linger().toNanos(), 6).stripTrailingZeros().toPlainString());
        nodeLines.forEach(out::println);
        if (s.warmup() > 0) {
            out.printf(Locale.ROOT, "warm-up: %,d messages first, unmeasured (the same producers and streams): %,d"
                    + " acknowledged, %,d failed%n", s.warmup(), r.warmupAcked(), r.warmupFailed());
        }
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
            out.printf(Locale.ROOT, "consumed: %,d messages%s by %d consumer(s) in %.3f s: %,.0f msgs/s%n",
                    r.consumed(), s.warmup() > 0 ? " (warm-up included)" : "", s.consumers(), cs,
                    perSecond(r.consumed(), cs));
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
