package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.HostPort;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages to one stream on one node, asynchronously, in batches: {@link #send(byte[])} returns at once with a
 * future of the message's offset; {@link #send(byte[], SendCallback)} calls a callback instead, which costs less per
 * message (no future, no boxed offset: the choice for high rates). Messages are batched until {@link ProducerConfig#batchBytes} or
 * {@link ProducerConfig#linger}, sent as DATA frames with consecutive sequence numbers, and completed when the node
 * acknowledges them as the {@link ProducerConfig#ack} mode asks.
 *
 * <p><b>The head.</b> The producer connects to the first of {@link ProducerConfig#nodes}; a node that is not the
 * head of the stream's chain answers {@code NOT_HEAD} with the head's address, and the producer goes there at once.
 * When the head's connection fails, the producer reconnects to it for up to {@link ProducerConfig#failoverTimeout},
 * then tries the other nodes (the list, then the last head), whose redirects lead to the new head (failover). More
 * than {@link ProducerConfig#maxRedirects} redirects in a row, or a redirect back to a node that already redirected,
 * is a loop; loops going on for the failover timeout fail the producer ({@link StreamException}, code
 * {@code NOT_HEAD}). The rules in full: {@code HeadRoute}; the guarantees: the package documentation.
 *
 * <p><b>Failures.</b> When the connection drops the producer reconnects (backoff from
 * {@link ProducerConfig#reconnectBackoff}, doubling to 2 s; to another node as above) and resends every
 * unacknowledged batch, byte for byte;
 * with a producer id the node stores each message once (idempotent append) and acks the resend with the original
 * offsets. At most as many batches as the node remembers per producer (INIT_OK says; 64) are unacknowledged at a
 * time, so every resend is recognised. A message the node refuses (too large, log full) fails with a
 * {@link StreamException} carrying the code and is never resent. A message not acknowledged within
 * {@link ProducerConfig#deliveryTimeout} fails (outcome unknown). With {@code ack=none} messages complete (offset -1)
 * once the frame is written to the socket; nothing is resent after that.
 *
 * <p><b>Back-pressure.</b> At most {@link ProducerConfig#maxInFlight} messages are in flight (queued, sent, not yet
 * completed); then {@code send} blocks up to {@link ProducerConfig#maxBlock} or fails at once
 * ({@link ProducerConfig#blockWhenFull}). Room comes back a batch at a time, when the node acknowledges (or refuses)
 * it, just before that batch's messages complete. A send called on the client's own I/O thread (from a callback)
 * never blocks: it fails instead of deadlocking.
 *
 * <p><b>Threads.</b> Thread-safe; any number of threads may send. Futures complete, and callbacks run, on the
 * client's I/O threads (they must not block), except for a send refused before it was queued (too large, no room
 * in flight, closed): that one completes on the sending thread, before {@code send} returns. One sender thread's messages get increasing offsets, in the order it sent them.
 */
public final class StreamProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProducer.class);
    /** Assumed until the node's INIT_OK says otherwise: the log's limit. */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    private final ProducerConfig config;
    /** The producer's loop: its connection and its timers. */
    private final EventLoop loop = ClientLoops.group().next();
    private final AtomicLong resentBatches = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final AtomicLong redirects = new AtomicLong();
    /** Where it connects; used on {@link #loop} only. */
    private final HeadRoute route;
    /** {@link HeadRoute#target()}, for other threads (toString). */
    private volatile InetSocketAddress target;
    /** One connect attempt's limit: the failover timeout within 200 ms .. 5 s. */
    private final int connectTimeoutMillis;
    private final ProducerState state;
    private final ScheduledFuture<?> timeoutCheck;

    private StreamProducer(ProducerConfig config) {
        this.config = config;
        this.route = new HeadRoute(config.nodes(), config.maxRedirects(), config.failoverTimeout().toNanos(),
                config.reconnectBackoff().toNanos());
        this.target = route.target();
        this.connectTimeoutMillis = (int) Math.max(200, Math.min(ClientChannel.CONNECT_TIMEOUT_MILLIS,
                config.failoverTimeout().toMillis()));
        this.state = new ProducerState(config, loop, resentBatches);
        long every = Math.max(1, Math.min(1000, config.deliveryTimeout().toMillis() / 4));
        this.timeoutCheck = loop.scheduleAtFixedRate(this::expire, every, every, TimeUnit.MILLISECONDS);
    }

    /**
     * The delivery-timeout check, logging what it throws instead of throwing it: a periodic task that throws is never
     * run again, and no message would time out after that.
     */
    private void expire() {
        try {
            state.expire();
        } catch (RuntimeException e) {
            LOG.warn("stream '{}': the delivery-timeout check failed; trying again at its next turn", config.stream(),
                    e);
        }
    }

    /**
     * Creates a producer and starts connecting (to the first node of {@link ProducerConfig#nodes}); sends may begin
     * at once (they wait for the connection).
     */
    public static StreamProducer create(ProducerConfig config) {
        StreamProducer p = new StreamProducer(Objects.requireNonNull(config, "config"));
        p.loop.execute(p::connect);
        return p;
    }

    /**
     * Sends one message; its future completes once it is settled. Costs a future and a boxed offset per message:
     * {@link #send(byte[], SendCallback)} is the cheaper form.
     *
     * @param message 0..(node limit, 1 MiB by default) bytes; kept by the producer until its batch is sealed (at most
     *                {@code linger} after the call): do not change it before
     * @return the message's offset once the node acknowledged it (-1 with {@code ack=none}, or when the node could
     *         not tell); fails with {@link StreamException} as the class comment says
     * @throws NullPointerException if {@code message} is null
     */
    public CompletableFuture<Long> send(byte[] message) {
        MessageFuture f = new MessageFuture();
        send(message, f);
        return f;
    }

    /**
     * Sends one message and calls {@code callback} once it is settled: with its offset, or with why it failed (see
     * {@link SendCallback} for the threads). Allocates nothing per message beyond the producer's batch arrays.
     *
     * @param message  as for {@link #send(byte[])}
     * @param callback called exactly once
     * @throws NullPointerException if an argument is null
     */
    public void send(byte[] message, SendCallback callback) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(callback, "callback");
        int limit = state.maxMessageBytes();
        StreamException refused;
        if (message.length > limit) {
            refused = new StreamException(ErrorCode.MESSAGE_TOO_LARGE, limit, "a message of " + message.length
                    + " bytes exceeds the node's limit of " + limit);
        } else {
            refused = state.add(message, callback);
        }
        if (refused != null) {
            Batch.call(callback, AckFrame.UNKNOWN_OFFSET, refused);
        }
    }

    /**
     * For latency measurements: inside a {@link SendCallback} (or a future's completion) on a client I/O thread, the
     * {@link System#nanoTime} at which that thread began completing the ACK (or the failed or unacknowledged batch)
     * the callback belongs to -- the same value for all its messages, read once instead of once per message;
     * anywhere else, {@link System#nanoTime} itself.
     *
     * <p>Why: a clock read costs 20–70 ns (more on some virtual machines), and one per message was the largest cost
     * on the ack path of a bench at 3M msgs/s (one ACK completes a few thousand messages). The value is earlier than
     * a per-message read by at most the time the ACK's earlier callbacks took. Thread-safe (per thread).
     *
     * @return nanoseconds, as {@link System#nanoTime}
     */
    public static long completionNanos() {
        return ClientLoops.completionNanos();
    }

    /** A per-message future that is its own callback: one object per message. */
    private static final class MessageFuture extends CompletableFuture<Long> implements SendCallback {
        @Override
        public void onComplete(long offset, Throwable error) {
            if (error == null) {
                complete(offset);
            } else {
                completeExceptionally(error);
            }
        }
    }

    /**
     * Sends the open batch now and returns a future that completes (normally) once every message sent before this
     * call has completed (its future completed, its callback ran), successfully or not.
     */
    public CompletableFuture<Void> flush() {
        return state.flush();
    }

    // ---- the connection ---------------------------------------------------------------------------

    /** On the loop (or at creation): opens a connection to the route's target. */
    private void connect() {
        if (state.isClosed()) {
            return;
        }
        InetSocketAddress node = route.target();
        target = node;
        // The connection lives on the producer's own loop, with its timers: one thread for its I/O.
        ChannelFuture cf = ClientChannel.connect(loop, node, connectTimeoutMillis, new ClientChannel.Listener() {
            @Override
            public void onActive(Channel ch) {
                onConnected(ch);
            }

            @Override
            public void onFrame(Channel ch, Frame f) {
                StreamProducer.this.onFrame(ch, f);
            }

            @Override
            public void onClosed(Channel ch, Throwable cause) {
                LOG.debug("connection to {} closed{}", node, cause == null ? "" : ": " + cause);
                if (state.disconnected(ch)) {
                    reconnect();
                }
            }
        });
        cf.addListener(done -> {
            if (!done.isSuccess()) {
                LOG.debug("cannot connect to {}: {}", node, done.cause().toString());
                reconnect();
            }
        });
    }

    /** On the loop: the connection closed or could not open; asks the route where to go next. */
    private void reconnect() {
        if (state.isClosed()) {
            return;
        }
        InetSocketAddress from = route.target();
        HeadRoute.Next next = route.closed(System.nanoTime());
        if (!next.address().equals(from)) {
            LOG.debug("stream '{}': {} -> {} in {} ms", config.stream(), from, next.address(),
                    next.delayNanos() / 1_000_000);
        }
        reconnects.incrementAndGet();
        loop.schedule(this::connect, next.delayNanos(), TimeUnit.NANOSECONDS);
    }

    private void onConnected(Channel ch) {
        if (!state.connected(ch)) {
            ch.close();
            return;
        }
        AckMode ack = config.ack();
        ByteBuf out = ch.alloc().buffer();
        FrameCodec.encode(new InitFrame(config.producerId(), ack, Math.max(1, ack.copies()), 0, config.stream(),
                List.of()), out);
        ch.writeAndFlush(out, ch.voidPromise());
    }

    private void onFrame(Channel ch, Frame f) {
        if (f instanceof AckFrame a) {
            state.ack(ch, a);
        } else if (f instanceof ErrorFrame e && e.count() == 0 && e.errorCode() == ErrorCode.NOT_HEAD) {
            onNotHead(ch, e);
        } else if (f instanceof ErrorFrame e) {
            if (e.count() == 0 && e.errorCode() == ErrorCode.SHUTTING_DOWN && state.isCurrent(ch)) {
                route.leaving(); // do not wait for it: fail over as soon as it closes
            }
            state.error(ch, e);
            if (e.count() == 0 && e.errorCode() == ErrorCode.CATCHING_UP && state.isCurrent(ch)) {
                // The head is still pulling the stream from its previous holders: try again, as after a lost
                // connection (the head first, with backoff; unacknowledged batches are resent).
                ch.close();
            }
        } else if (f instanceof InitOkFrame ok) {
            if (state.initOk(ch, ok)) {
                route.sessionOpened();
            }
        } else {
            LOG.warn("node {} sent an unexpected {} frame; reconnecting", route.target(), f.type());
            ch.close();
        }
    }

    /** The node is not the head: follow the redirect (once the connection closed), or give up on a loop. */
    private void onNotHead(Channel ch, ErrorFrame e) {
        if (!state.isCurrent(ch)) {
            return;
        }
        redirects.incrementAndGet();
        InetSocketAddress head;
        try {
            head = HostPort.parse(e.text());
        } catch (IllegalArgumentException x) {
            LOG.warn("node {} answered NOT_HEAD with {}; trying another node", route.target(), x.getMessage());
            route.leaving();
            ch.close();
            return;
        }
        String giveUp = route.redirected(head, System.nanoTime());
        if (giveUp != null) {
            LOG.warn("producer on '{}' gives up: {}", config.stream(), giveUp);
            state.refuse(new StreamException(ErrorCode.NOT_HEAD, 0, giveUp + " (stream '" + config.stream() + "')"));
        } else {
            LOG.debug("stream '{}': {} is not the head, {} is", config.stream(), route.target(), head);
        }
        ch.close();
    }

    // ---- state ------------------------------------------------------------------------------------

    /** @return batches written again after a reconnect (tests, metrics) */
    public long resentBatches() {
        return resentBatches.get();
    }

    /** @return reconnect attempts made (tests, metrics) */
    public long reconnects() {
        return reconnects.get();
    }

    /** @return NOT_HEAD redirects received (tests, metrics) */
    public long redirects() {
        return redirects.get();
    }

    /** @return times the producer gave up on a failed head and went round the other nodes (tests, metrics) */
    public long failovers() {
        return route.failovers();
    }

    /** @return the node connected to now, or the next one tried: the head once a session is open */
    public InetSocketAddress node() {
        return target;
    }

    /** @return whether a session with the node is open now (connected and INIT acknowledged) */
    public boolean isConnected() {
        return state.isReady();
    }

    /** @return the producer's settings */
    public ProducerConfig config() {
        return config;
    }

    /** @return the producer's state in one line, for logs and test failures */
    @Override
    public String toString() {
        return "StreamProducer{node=" + target + ", stream=" + config.stream() + ", ack=" + config.ack() + ", "
                + state.describe() + ", resent="
                + resentBatches + ", reconnects=" + reconnects + ", redirects=" + redirects + "}";
    }

    /**
     * Sends what is batched, waits up to {@code timeout} for every message to complete, then closes the connection;
     * messages still pending fail with a {@link StreamException}. Idempotent.
     */
    public void close(Duration timeout) {
        try {
            flush().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // fail what is left below
        }
        Channel ch = state.close();
        timeoutCheck.cancel(false);
        if (ch != null) {
            ch.close().awaitUninterruptibly(1_000);
        }
    }

    /** {@link #close(Duration)} with the delivery timeout. */
    @Override
    public void close() {
        close(config.deliveryTimeout());
    }
}
