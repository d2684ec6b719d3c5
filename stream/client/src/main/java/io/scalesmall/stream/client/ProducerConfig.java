package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.topology.StreamKeys;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Settings of a {@link StreamProducer}. Immutable; checked when built ({@link IllegalArgumentException} naming the
 * field). Start from {@link #of(InetSocketAddress, String)} (one node) or {@link #of(List, String)} (a bootstrap list)
 * and change with the {@code with…} methods.
 *
 * @param nodes            the bootstrap list: data ports of nodes of the cluster (default port 29998), 1..64, no
 *                         duplicates, tried in this order. Any of them will do: a node that is not the head of the
 *                         stream's chain redirects the producer to the head ({@code NOT_HEAD}). A single node that
 *                         serves alone is a list of one.
 * @param stream           the stream, 1..255 UTF-8 bytes
 * @param ack              what each send waits for; default {@link AckMode#DEFAULT} ({@code disk=1})
 * @param batchBytes       a batch is sent once its messages reach this many bytes (payload + 4 per message);
 *                         default 64 KiB; 1 .. 15 MiB. Larger batches: fewer frames, fewer syscalls, more latency.
 * @param linger           a batch that is not full is sent this long after its first message; default 1 ms;
 *                         0 .. 10 s, to the nanosecond. 0 sends each message as soon as the caller's thread lets go
 *                         of the producer. While messages keep coming, a send seals the batch once its linger ran
 *                         out (checked every 16 sends), so sub-millisecond lingers hold; a batch that no send
 *                         follows waits for the event loop's timer, which may fire up to a millisecond late (NIO
 *                         selects in whole milliseconds).
 * @param maxInFlight      messages sent or queued and not yet completed; default 100,000; 1 .. 2^30. The bound on
 *                         the producer's memory (with the message sizes).
 * @param blockWhenFull    at {@code maxInFlight}: true (default) blocks {@link StreamProducer#send} up to
 *                         {@code maxBlock}, then fails the send; false fails it at once. Either way the failed send's
 *                         future completes exceptionally with a {@link StreamException} (code null).
 * @param maxBlock         see {@code blockWhenFull}; default 60 s
 * @param deliveryTimeout  a message not acknowledged this long after it was sent (e.g. the node is down) fails, and
 *                         so does every message queued behind it; its outcome is then unknown (it may be stored).
 *                         Default 2 min; at least 1 ms.
 * @param reconnectBackoff the first wait before reconnecting; doubles per failed attempt up to 2 s; default 50 ms;
 *                         1 ms .. 60 s
 * @param producerId       the id that makes resends idempotent: non-zero, unique per producer (default random);
 *                         0 turns idempotence off (a message resent after a reconnect may then be stored twice)
 * @param failoverTimeout  how long the producer keeps reconnecting to the head it had a session with before it tries
 *                         the other known nodes (failover), and how long redirect loops may go on before it gives up;
 *                         also bounds one connect attempt (at least 200 ms, at most 5 s). Default 2 s; 1 ms .. 10 min
 * @param maxRedirects     {@code NOT_HEAD} redirects followed in a row from one starting node before the search
 *                         counts as a loop; default 5; 0 .. 64 (0: never follow a redirect)
 */
public record ProducerConfig(List<InetSocketAddress> nodes, String stream, AckMode ack, int batchBytes,
        Duration linger, int maxInFlight, boolean blockWhenFull, Duration maxBlock, Duration deliveryTimeout,
        Duration reconnectBackoff, long producerId, Duration failoverTimeout, int maxRedirects) {
    private static final SecureRandom IDS = new SecureRandom();
    /** The most bootstrap addresses a producer or consumer takes. */
    public static final int MAX_NODES = 64;

    public ProducerConfig {
        nodes = checkNodes(nodes);
        StreamKeys.nameBytes(stream);
        Objects.requireNonNull(ack, "ack");
        check("batchBytes", batchBytes, 1, 15 << 20);
        check("linger", linger.toMillis(), 0, 10_000);
        check("maxInFlight", maxInFlight, 1, 1 << 30);
        check("maxBlock", maxBlock.toMillis(), 0, Long.MAX_VALUE);
        check("deliveryTimeout", deliveryTimeout.toMillis(), 1, Long.MAX_VALUE);
        check("reconnectBackoff", reconnectBackoff.toMillis(), 1, 60_000);
        check("failoverTimeout", failoverTimeout.toMillis(), 1, 600_000);
        check("maxRedirects", maxRedirects, 0, 64);
    }

    /**
     * Checks a bootstrap list: 1..{@value #MAX_NODES} addresses, none null, no duplicates.
     *
     * @return an unmodifiable copy
     * @throws IllegalArgumentException if the list is empty, too long or repeats an address
     * @throws NullPointerException     if the list or an address is null
     */
    static List<InetSocketAddress> checkNodes(List<InetSocketAddress> nodes) {
        List<InetSocketAddress> copy = List.copyOf(Objects.requireNonNull(nodes, "nodes"));
        check("nodes (count)", copy.size(), 1, MAX_NODES);
        if (copy.stream().distinct().count() != copy.size()) {
            throw new IllegalArgumentException("nodes must not repeat an address: " + copy);
        }
        return copy;
    }

    private static void check(String field, long v, long min, long max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + v);
        }
    }

    /** The defaults for a stream on a node, with a fresh random producer id. */
    public static ProducerConfig of(InetSocketAddress node, String stream) {
        return of(List.of(Objects.requireNonNull(node, "node")), stream);
    }

    /** The defaults for a stream on a cluster reached through {@code nodes}, with a fresh random producer id. */
    public static ProducerConfig of(List<InetSocketAddress> nodes, String stream) {
        long id;
        do {
            id = IDS.nextLong();
        } while (id == 0);
        return new ProducerConfig(nodes, stream, AckMode.DEFAULT, 64 << 10, Duration.ofMillis(1), 100_000, true,
                Duration.ofSeconds(60), Duration.ofMinutes(2), Duration.ofMillis(50), id, Duration.ofSeconds(2), 5);
    }

    /** @return the first bootstrap address (the node, for a producer of one node) */
    public InetSocketAddress node() {
        return nodes.get(0);
    }

    public ProducerConfig withAck(AckMode a) {
        return new ProducerConfig(nodes, stream, a, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withBatchBytes(int bytes) {
        return new ProducerConfig(nodes, stream, ack, bytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withLinger(Duration d) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, d, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withMaxInFlight(int n, boolean block, Duration maxBlockTime) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, linger, n, block, maxBlockTime, deliveryTimeout,
                reconnectBackoff, producerId, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withDeliveryTimeout(Duration d) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock, d,
                reconnectBackoff, producerId, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withProducerId(long id) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, id, failoverTimeout, maxRedirects);
    }

    public ProducerConfig withReconnectBackoff(Duration d) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, d, producerId, failoverTimeout, maxRedirects);
    }

    /** @param timeout see {@link #failoverTimeout}; @param redirects see {@link #maxRedirects} */
    public ProducerConfig withFailover(Duration timeout, int redirects) {
        return new ProducerConfig(nodes, stream, ack, batchBytes, linger, maxInFlight, blockWhenFull, maxBlock,
                deliveryTimeout, reconnectBackoff, producerId, timeout, redirects);
    }
}
