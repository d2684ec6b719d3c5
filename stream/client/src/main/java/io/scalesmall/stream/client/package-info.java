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
 * and unacknowledged batches are resent unchanged; the node stores each message once (producer id + sequence
 * numbers). A refused message fails with
 * {@link io.scalesmall.stream.client.StreamException} and its {@link io.scalesmall.stream.protocol.ErrorCode}
 * ({@code LOG_FULL}, {@code MESSAGE_TOO_LARGE}, ...); one not acknowledged within {@code deliveryTimeout} fails with
 * an unknown outcome.
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
 * (daemon threads shared by the JVM's producers and consumers): callbacks must not block.
 */
package io.scalesmall.stream.client;
