package io.scalesmall.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * What a bench run measured.
 *
 * @param acked         messages acknowledged as the ack mode asks
 * @param failed        messages whose send failed (their futures completed exceptionally)
 * @param firstError    the first failure's message, or null
 * @param produceNanos  from the start to the last acknowledgement (or failure), ns
 * @param latencyNanos  ack latency per acknowledged message, ns: from send (or its scheduled time, with a rate) to
 *                      the future's completion
 * @param consumed      messages the consumers received, over all consumers
 * @param consumeNanos  from the start to the last message a consumer needed, ns (0 without consumers)
 * @param timedOut      true if the run gave up waiting (some acks or messages never came)
 * @param sendNanos     from the start to the last producer's last {@code send()} return, ns
 * @param sendLagNanos  with a rate: per message, how late its {@code send()} was made after its scheduled time, ns
 *                      (empty without a rate)
 */
record BenchResult(long acked, long failed, String firstError, long produceNanos, Histogram latencyNanos,
        long consumed, long consumeNanos, boolean timedOut, long sendNanos, Histogram sendLagNanos) {
}
