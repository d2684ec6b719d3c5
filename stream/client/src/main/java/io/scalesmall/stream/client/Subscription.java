package io.scalesmall.stream.client;

import java.util.concurrent.CompletableFuture;

/**
 * A running {@link StreamConsumer#follow}. {@link #close()} stops it (a message being delivered is finished first);
 * {@link #done()} completes normally when closed, exceptionally when following failed for good (e.g. the offset was
 * dropped by retention: {@link StreamException} with code OFFSET_OUT_OF_RANGE and the first offset as detail).
 * Thread-safe.
 */
public interface Subscription extends AutoCloseable {
    /** @return the offset the next delivered message will have */
    long position();

    /** @return completes when the subscription ends */
    CompletableFuture<Void> done();

    /** Stops delivering. Idempotent. */
    @Override
    void close();
}
