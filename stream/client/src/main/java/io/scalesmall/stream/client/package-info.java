/**
 * The Java client of a scalesmall node's data port (docs/wire-format.md, part 2). Embed the
 * {@code io.scalesmall:scalesmall-stream-client} artifact; it brings the protocol module, Netty and slf4j, not the
 * server or the log.
 *
 * <h2>Producing</h2>
 * <pre>{@code
 * ProducerConfig config = ProducerConfig.of(new InetSocketAddress("10.0.0.5", 29998), "orders")
 *         .withAck(AckMode.memory(1));                  // default disk=1
 * try (StreamProducer producer = StreamProducer.create(config)) {
 *     CompletableFuture<Long> offset = producer.send("hello".getBytes(StandardCharsets.UTF_8));
 *     offset.thenAccept(o -> System.out.println("stored at " + o));
 *     producer.flush().join();                         // wait for everything sent so far
 * }
 * }</pre>
 * {@link io.scalesmall.stream.client.StreamProducer#send} never waits for the network: messages are batched (up to
 * {@code batchBytes} or {@code linger}), each future completes with the message's offset once the node acknowledged
 * it as the {@link io.scalesmall.stream.protocol.AckMode} asks ({@code none}, {@code memory=N}, {@code disk=N}).
 * Completion is per message, in one of two forms: a {@code CompletableFuture<Long>} ({@code send(message)}), or,
 * cheaper at high rates (no future, no boxed offset), a {@link io.scalesmall.stream.client.SendCallback}:
 * <pre>{@code
 * producer.send(bytes, (offset, error) -> { if (error != null) log(error); });   // on an I/O thread: do not block
 * }</pre>
 * At most {@code maxInFlight} messages are pending; then {@code send} blocks (up to {@code maxBlock}) or fails at
 * once, as configured; room comes back a batch at a time as the node acknowledges. A lost connection is re-opened
 * (to the same head, or after a failover to the new one: see below) and unacknowledged batches are resent unchanged;
 * the node stores each message once (producer id + sequence numbers). A refused message fails with
 * {@link io.scalesmall.stream.client.StreamException} and its {@link io.scalesmall.stream.protocol.ErrorCode}
 * ({@code LOG_FULL}, {@code MESSAGE_TOO_LARGE}, ...); one not acknowledged within {@code deliveryTimeout} fails with
 * an unknown outcome.
 *
 * <h2>A cluster: redirects and failover</h2>
 * Give the producer several nodes ({@link io.scalesmall.stream.client.ProducerConfig#of(java.util.List, String)}):
 * any nodes of the cluster, in the order to try them. A stream's new data goes to the <em>head</em> of its
 * replication chain; a node that is not the head answers {@code NOT_HEAD} naming it, and the producer reconnects
 * there at once (its {@code INIT}, then every unacknowledged batch). When the head's connection fails, the producer
 * reconnects to it (backoff from {@code reconnectBackoff}, doubling to 2 s) for up to {@code failoverTimeout}
 * (default 2 s), then tries the other nodes it knows (the list, then the last head) until one is, or names, the
 * new head. A node that says it is shutting down is left at once; a head that answers {@code CATCHING_UP} (it is
 * still pulling the stream from its previous holders) is tried again as after a lost connection. What was not
 * acknowledged is resent with the same
 * producer id and sequence numbers: the new head, a former replica that stores the producer ids and sequences it
 * replicated, stores each message once and acknowledges the ones it already held with their offsets.
 * <p>Guarantees, for one producer: every message whose future completed normally is stored, at the offset it
 * completed with, by as many copies as its ack mode asked, and stays so across a failover as long as one of those
 * copies becomes the head (placement's job); messages are stored in the order the producer sealed them, each once.
 * A message not acknowledged within {@code deliveryTimeout} fails with an unknown outcome (it may be stored). Bounds:
 * one connect attempt takes at most {@code failoverTimeout} (within 200 ms .. 5 s); a search that follows more than
 * {@code maxRedirects} (default 5) redirects in a row, or comes back to a node that already redirected it, is a
 * loop: the producer starts again at its next node after a backoff, and once loops have gone on for
 * {@code failoverTimeout} it gives up — pending and later sends fail with a
 * {@link io.scalesmall.stream.client.StreamException} of code {@code NOT_HEAD} naming the path
 * ({@code a -> b -> a (a cycle)}). A head that refuses the session ({@code REDUNDANCY_UNAVAILABLE}: its chain is
 * shorter than the ack mode needs) fails the producer as well. Not covered: a head that hangs without closing its
 * connection (nothing detects it but {@code deliveryTimeout}).
 * <pre>{@code
 * List<InetSocketAddress> nodes = List.of(new InetSocketAddress("10.0.0.5", 29998),
 *         new InetSocketAddress("10.0.0.6", 29998), new InetSocketAddress("10.0.0.7", 29998));
 * ProducerConfig config = ProducerConfig.of(nodes, "orders").withAck(AckMode.disk(2))
 *         .withFailover(Duration.ofSeconds(2), 5);            // the defaults
 * StreamConsumer consumer = StreamConsumer.create(nodes);
 * }</pre>
 * A consumer given several nodes reads from one at a time, first to last: every member of a chain holds the same
 * messages at the same offsets, and FETCH works at any node holding the stream. When its connection fails, the
 * requests in flight fail (code null) and the next request goes to the next node; a
 * {@link io.scalesmall.stream.client.StreamConsumer#follow} retries by itself, from the offset after the last message
 * it delivered, so it delivers every message once, without gaps (given that the nodes agree on the stream's
 * contents). A follow also moves on from a node that is shutting down or behind (its end below the follow's
 * position).
 *
 * <h2>Consuming</h2>
 * <pre>{@code
 * try (StreamConsumer consumer = StreamConsumer.create(new InetSocketAddress("10.0.0.5", 29998))) {
 *     Offsets o = consumer.offsets("orders").join();
 *     Fetched f = consumer.fetch("orders", o.first(), 1000, 1 << 20, Duration.ZERO).join();
 *     Subscription s = consumer.follow("orders", f.nextOffset(), (offset, message) -> handle(offset, message));
 *     ...
 *     s.close();
 * }
 * }</pre>
 *
 * <h2>Threads</h2>
 * Producers and consumers are thread-safe. Futures complete, and follow handlers run, on the client's I/O threads
 * (daemon threads shared by the JVM's producers and consumers): callbacks must not block. On Linux 6.12 and later
 * those threads ask the kernel for a 300 µs scheduler slice, so that an ack is handled soon after it arrives even
 * when busy threads hold the CPUs; this needs JNA ({@code net.java.dev.jna:jna}) on the class path, which the library
 * does not bring itself, and the system property {@code scalesmall.client.io-slice-us} changes it (0: the kernel's
 * default). See {@link io.scalesmall.sched.ThreadSlice}.
 */
package io.scalesmall.stream.client;
