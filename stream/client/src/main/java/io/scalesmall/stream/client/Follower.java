package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.ErrorCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * One {@link StreamConsumer#follow}: a chain of long-poll FETCHes, the next sent when the handler has seen the
 * previous reply's messages. Connection failures back off (100 ms doubling to 2 s) and retry from the same offset
 * (the consumer has moved to its next node by then); an error the node reports ends it, unless the consumer has
 * other nodes to ask and the error is one of a node, not of the request ({@link #elsewhere}). Thread-safe: the chain runs one step at a time; {@link #close} may come from
 * any thread.
 */
final class Follower implements Subscription {
    private static final int MAX_MESSAGES = 10_000;
    private static final int MAX_BYTES = 1 << 20;

    private final StreamConsumer consumer;
    private final String stream;
    private final StreamConsumer.MessageHandler handler;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile long position;
    private volatile boolean closed;
    private int failures;

    Follower(StreamConsumer consumer, String stream, long from, StreamConsumer.MessageHandler handler) {
        this.consumer = consumer;
        this.stream = stream;
        this.position = from;
        this.handler = handler;
    }

    void next() {
        if (closed || consumer.isClosed()) {
            done.complete(null);
            return;
        }
        consumer.fetch(stream, position, MAX_MESSAGES, MAX_BYTES, Duration.ofMillis(StreamConsumer.FOLLOW_WAIT_MILLIS))
                .whenComplete((r, t) -> {
                    if (t != null) {
                        Throwable c = t instanceof CompletionException ? t.getCause() : t;
                        if (c instanceof StreamException se && se.code() != null) {
                            if (!elsewhere(se)) {
                                done.completeExceptionally(se);
                                return;
                            }
                            consumer.moveOn();
                        }
                        long delay = Math.min(2_000, 100L << Math.min(failures++, 5));
                        ClientLoops.group().schedule(this::next, delay, TimeUnit.MILLISECONDS);
                        return;
                    }
                    failures = 0;
                    long at = r.fromOffset();
                    try {
                        for (byte[] m : r.messages()) {
                            if (closed) {
                                break;
                            }
                            handler.onMessage(at, m);
                            at++;
                            position = at;
                        }
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                        return;
                    }
                    next();
                });
    }

    /**
     * @return whether another node may serve the FETCH the node refused: with several nodes, when it is shutting
     *         down, or behind (OFFSET_OUT_OF_RANGE with the position at or above its first offset, so past its end)
     */
    private boolean elsewhere(StreamException se) {
        if (consumer.nodes().size() < 2) {
            return false;
        }
        return se.code() == ErrorCode.SHUTTING_DOWN
                || se.code() == ErrorCode.OFFSET_OUT_OF_RANGE && position >= se.detail();
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    public CompletableFuture<Void> done() {
        return done;
    }

    @Override
    public void close() {
        closed = true;
        done.complete(null);
    }
}
