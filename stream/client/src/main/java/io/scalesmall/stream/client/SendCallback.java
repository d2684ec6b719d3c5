package io.scalesmall.stream.client;

/**
 * What {@link StreamProducer#send(byte[], SendCallback)} calls once a message is settled: the cheap alternative to a
 * {@link java.util.concurrent.CompletableFuture} per message (no future, no boxed offset; a producer completes a
 * whole acknowledged batch in one loop over its callbacks).
 *
 * <p>Called exactly once per message. Called on a client I/O thread (the producer's connection's event loop), in
 * sequence order for the messages of one ACK, except when the send fails before it is queued (too large, too many in
 * flight, producer closed): then on the sending thread, before {@code send} returns. Must not block: every other
 * message of that I/O thread waits meanwhile. A {@link RuntimeException} it throws is logged (WARN) and does not
 * stop the other callbacks.
 */
@FunctionalInterface
public interface SendCallback {
    /**
     * @param offset the message's offset in the stream (&ge; 0) on success; {@code -1} with {@code ack=none}, when
     *               the node could not tell, or when {@code error} is set
     * @param error  null on success; otherwise why the message failed: a {@link StreamException} (with an
     *               {@link io.scalesmall.stream.protocol.ErrorCode} when the node refused it, none when it was not
     *               acknowledged in time, did not fit in flight, or the producer closed)
     */
    void onComplete(long offset, Throwable error);
}
