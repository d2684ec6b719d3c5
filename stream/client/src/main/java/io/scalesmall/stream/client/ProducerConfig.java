package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.topology.StreamKeys;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link StreamProducer}. Immutable; checked when built ({@link IllegalArgumentException} naming the
 * field). Start from {@link #of(InetSocketAddress, String)} and change with the {@code with…} methods.
 *
 * @param node             the node's data port (default port 29998)
 * @param stream           the stream, 1..255 UTF-8 bytes
 * @param ack              what each send waits for; default {@link AckMode#DEFAULT} ({@code disk=1})
 * @param batchBytes       a batch is sent once its messages reach this many bytes (payload + 4 per message);
 *                         default 64 KiB; 1 .. 15 MiB. Larger batches: fewer frames, fewer syscalls, more latency.
 * @param linger           a batch that is not full is sent this long after its first message; default 1 ms;
 *                         0 .. 10 s. 0 sends each message as soon as the caller's thread lets go of the producer.
 * @param maxInFlight      messages sent or queued and not yet completed; default 100,000; 1 .. 2^30. The bound on
 *                         the producer's memory (with the message sizes).
 * @param blockWhenFull    at {@code maxInFlight}: true (default) blocks {@link StreamProducer#send} up to
 *                         {@code maxBlock}, then fails the send; false fails it at once. Either way the failed send's
 *                         future completes exceptionally with a {@link StreamException} (code null).
 * @param maxBlock         see {@code blockWhenFull}; default 60 s
 * @param deliveryTimeout  a message not acknowledged this long after it was sent (e.g. the node is down) fails, and
 *                         so does every message queued behind it; its outcome is then unknown (it may be stored).
 *                         Default 2 min; at least 1 ms.
 * @param reconnectBackoff the first wait before reconnecting; doubles per failed attempt up to 2 s; default 50 ms
 * @param producerId       the id that makes resends idempotent: non-zero, unique per producer (default random);
 *                         0 turns idempotence off (a message resent after a reconnect may then be stored twice)
 */
public record ProducerConfig(InetSocketAddress node, String stream, AckMode ack, int batchBytes, Duration linger,
        int maxInFlight, boolean blockWhenFull, Duration maxBlock, Duration deliveryTimeout, Duration reconnectBackoff,
        long producerId) {
    private static final SecureRandom IDS = new SecureRandom();

    public ProducerConfig {
        Objects.requireNonNull(node, "node");
        StreamKeys.nameBytes(stream);
        Objects.requireNonNull(ack, "ack");
        check("batchBytes", batchBytes, 1, 15 << 20);
        check("linger", linger.toMillis(), 0, 10_000);
        check("maxInFlight", maxInFlight, 1, 1 << 30);
        check("maxBlock", maxBlock.toMillis(), 0, Long.MAX_VALUE);
        check("deliveryTimeout", deliveryTimeout.toMillis(), 1, Long.MAX_VALUE);
        check("reconnectBackoff", reconnectBackoff.toMillis(), 1, 60_000);
    }

    private static void check(String field, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + v);
        }
    }

    /** The defaults for a stream on a node, with a fresh random producer id. */
    public static ProducerConfig of(InetSocketAddress node, String stream) {
        long id;
        do {
            id = IDS.nextLong();
        } while (id == 0);
        return new ProducerConfig(node, stream, AckMode.DEFAULT, 64 << 10, Duration.ofMillis(1), 100_000, true,
                Duration.ofSeconds(60), Duration.ofMinutes(2), Duration.ofMillis(50), id);
    }

    public ProducerConfig withAck(AckMode a) {
        return new ProducerConfig(node, stream, a, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId);
    }

    public ProducerConfig withBatchBytes(int bytes) {
        return new ProducerConfig(node, stream, ack, bytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId);
    }

    public ProducerConfig withLinger(Duration d) {
        return new ProducerConfig(node, stream, ack, batchBytes, d, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId);
    }

    public ProducerConfig withMaxInFlight(int n, boolean block, Duration maxBlockTime) {
        return new ProducerConfig(node, stream, ack, batchBytes, linger, n, block, maxBlockTime, deliveryTimeout,
                reconnectBackoff, producerId);
    }

    public ProducerConfig withDeliveryTimeout(Duration d) {
        return new ProducerConfig(node, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock, d,
                reconnectBackoff, producerId);
    }

    public ProducerConfig withProducerId(long id) {
        return new ProducerConfig(node, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, id);
    }
}
