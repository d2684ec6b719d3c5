package io.scalesmall.cli.bench;

import io.scalesmall.stream.protocol.AckMode;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * One bench run, as the command line gave it.
 *
 * @param nodes       the data ports producers and consumers start from (1..64, tried in order; a node that is not
 *                    a stream's head redirects producers to it)
 * @param messages    messages to send in all, at least 1, split evenly over the producers
 * @param warmup      messages each run sends first, 0 or more, split like {@code messages}, unmeasured: the same
 *                    producers, connections and streams, at the same rate, go straight on to the measured ones
 * @param size        bytes per message, 0..1 MiB
 * @param ack         what each send waits for
 * @param producers   producers, 1..1024, each with its own connection and thread; producer i writes stream
 *                    {@code i % streams}
 * @param streams     streams written, 1..producers
 * @param consumers   consumers following the streams (consumer i follows stream {@code i % streams}), 0..1024
 * @param rate        messages per second over all producers, 0 for as fast as they go; when set, each send is
 *                    scheduled and its latency counted from its scheduled time (no coordinated omission)
 * @param batchBytes  the producers' batch size in bytes
 * @param linger      the producers' linger time
 * @param timeout     the longest the run may take before it gives up on outstanding acks and messages
 * @param streamNames the prefix of the streams' names (a fresh one per run, so runs against one node do not mix)
 */
record BenchSettings(List<InetSocketAddress> nodes, long messages, long warmup, int size, AckMode ack, int producers, int streams,
        int consumers, long rate, int batchBytes, Duration linger, Duration timeout, String streamNames) {
    BenchSettings {
        nodes = List.copyOf(nodes);
    }

    /** The name of stream {@code i}. */
    String stream(int i) {
        return streamNames + "-" + i;
    }

    /** Measured messages producer {@code p} sends. */
    long messagesOf(int p) {
        return messages / producers + (p < messages % producers ? 1 : 0);
    }

    /** Warm-up messages producer {@code p} sends before its measured ones. */
    long warmupOf(int p) {
        return warmup / producers + (p < warmup % producers ? 1 : 0);
    }
}
