package io.scalesmall.cli.bench;

import org.HdrHistogram.Histogram;

/**
 * What a bench run measured.
 *
 * @param acked         measured messages acknowledged as the ack mode asks (the warm-up's are not counted here)
 * @param failed        messages whose send failed (their futures completed exceptionally)
 * @param firstError    the first failure's message, or null
 * @param produceNanos  from the start (of the measured messages: the first one's send, or its scheduled time with a
 *                      rate) to the last acknowledgement (or failure), ns
 * @param latencyNanos  ack latency per acknowledged message, ns: from send (or its scheduled time, with a rate) to
 *                      the future's completion
 * @param consumed      messages the consumers received, over all consumers, the warm-up's included
 * @param consumeNanos  from the run's first send (the warm-up's, if any) to the last message a consumer needed, ns
 *                      (0 without consumers)
 * @param timedOut      true if the run gave up waiting (some acks or messages never came)
 * @param sendNanos     from the start to the last producer's last {@code send()} return, ns
 * @param sendLagNanos  with a rate: per measured message, how late its {@code send()} was made after its scheduled
 *                      time, ns (empty without a rate)
 * @param warmupAcked   warm-up messages acknowledged
 * @param warmupFailed  warm-up messages whose send failed
 * @param clientSliceNanos the scheduler slice the client's I/O thread ran with when it completed the first message
 *                      (ns; -1 where slices are not supported, -2 if nothing was acknowledged)
 */
record BenchResult(long acked, long failed, String firstError, long produceNanos, Histogram latencyNanos,
        long consumed, long consumeNanos, boolean timedOut, long sendNanos, Histogram sendLagNanos, long warmupAcked,
        long warmupFailed, long clientSliceNanos) {
}
