package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends messages to one stream on one node, asynchronously, in batches: {@link #send} returns at once with a future
 * of the message's offset. Messages are batched until {@link ProducerConfig#batchBytes} or
 * {@link ProducerConfig#linger}, sent as DATA frames with consecutive sequence numbers, and completed when the node
 * acknowledges them as the {@link ProducerConfig#ack} mode asks.
 *
 * <p><b>Failures.</b> When the connection drops the producer reconnects (backoff from
 * {@link ProducerConfig#reconnectBackoff}, doubling to 2 s) and resends every unacknowledged batch, byte for byte;
 * with a producer id the node stores each message once (idempotent append) and acks the resend with the original
 * offsets. A message the node refuses (too large, log full) fails with a {@link StreamException} carrying the code
 * and is never resent. A message not acknowledged within {@link ProducerConfig#deliveryTimeout} fails (outcome
 * unknown). With {@code ack=none} futures complete (offset -1) once the frame is written to the socket; nothing is
 * resent after that.
 *
 * <p><b>Back-pressure.</b> At most {@link ProducerConfig#maxInFlight} messages are in flight; then {@code send}
 * blocks up to {@link ProducerConfig#maxBlock} or fails at once ({@link ProducerConfig#blockWhenFull}). A send
 * called on the client's own I/O thread (from a future's callback) never blocks: it fails instead of deadlocking.
 *
 * <p><b>Threads.</b> Thread-safe; any number of threads may send. Futures complete on the client's I/O threads:
 * callbacks must not block. Messages keep their order (one sender thread's sends get increasing offsets).
 */
public final class StreamProducer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamProducer.class);
    /** Assumed until the node's INIT_OK says otherwise: the log's limit. */
    static final int DEFAULT_MAX_MESSAGE_BYTES = 1 << 20;

    private final ProducerConfig config;
    private final Semaphore permits;
    private final EventLoop loop = ClientLoops.group().next();
    private final AtomicLong resentBatches = new AtomicLong();
    private final AtomicLong reconnects = new AtomicLong();
    private final ScheduledFuture<?> timeoutCheck;

    private final Object lock = new Object();
    // Guarded by lock:
    private Batch current = new Batch();
    private long nextSequence;
    private final InFlight inFlight = new InFlight();
    /** The connection, from connect until it closes; null between. */
    private Channel channel;
    /** INIT_OK received on {@link #channel}: batches may be written. */
    private boolean ready;
    private boolean closed;
    private int failedAttempts;
    private int maxFrameBytes = FrameCodec.DATA_OVERHEAD_BYTES + (2 << 20);
    private volatile int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
    /** Batches the node lets this producer have unacknowledged (its INIT_OK says; its idempotence window). */
    private int maxInFlightBatches = 1;

    private StreamProducer(ProducerConfig config) {
        this.config = config;
        this.permits = new Semaphore(config.maxInFlight());
        long every = Math.max(1, Math.min(1000, config.deliveryTimeout().toMillis() / 4));
        this.timeoutCheck = loop.scheduleAtFixedRate(this::expire, every, every, TimeUnit.MILLISECONDS);
    }

    /** Creates a producer and starts connecting; sends may begin at once (they wait for the connection). */
    public static StreamProducer create(ProducerConfig config) {
        StreamProducer p = new StreamProducer(Objects.requireNonNull(config, "config"));
        p.connect();
        return p;
    }

    /**
     * Sends one message.
     *
     * @param message 0..(node limit, 1 MiB by default) bytes; kept by the producer until sent: do not change it
     * @return the message's offset once the node acknowledged it (-1 with {@code ack=none}, or when the node could
     *         not tell); fails with {@link StreamException} as the class comment says
     */
    public CompletableFuture<Long> send(byte[] message) {
        Objects.requireNonNull(message, "message");
        CompletableFuture<Long> f = new CompletableFuture<>();
        if (message.length > maxMessageBytes) {
            f.completeExceptionally(new StreamException(ErrorCode.MESSAGE_TOO_LARGE, maxMessageBytes, "a message of "
                    + message.length + " bytes exceeds the node's limit of " + maxMessageBytes));
            return f;
        }
        if (!acquire()) {
            f.completeExceptionally(new StreamException(config.maxInFlight() + " messages in flight"
                    + (config.blockWhenFull() ? " for " + config.maxBlock().toMillis() + " ms" : "")));
            return f;
        }
        f.whenComplete((v, t) -> permits.release());
        synchronized (lock) {
            if (closed) {
                f.completeExceptionally(new StreamException("producer closed"));
                return f;
            }
            long add = message.length + FrameCodec.PER_MESSAGE_BYTES;
            if (current.size() > 0 && (current.bytes + add > config.batchBytes()
                    || current.bytes + add + FrameCodec.DATA_OVERHEAD_BYTES > maxFrameBytes)) {
                seal();
            }
            boolean first = current.size() == 0;
            current.add(message, f);
            if (current.bytes >= config.batchBytes()) {
                seal();
            } else if (first) {
                Batch b = current;
                Runnable linger = () -> {
                    synchronized (lock) {
                        if (current == b && b.size() > 0) {
                            seal();
                        }
                    }
                };
                if (config.linger().isZero()) {
                    loop.execute(linger);
                } else {
                    loop.schedule(linger, config.linger().toNanos(), TimeUnit.NANOSECONDS);
                }
            }
        }
        return f;
    }

    private boolean acquire() {
        if (!config.blockWhenFull() || inClientLoop()) {
            return permits.tryAcquire();
        }
        try {
            return permits.tryAcquire(config.maxBlock().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean inClientLoop() {
        for (var e : ClientLoops.group()) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Under lock: gives the open batch its sequences, queues it, writes it if connected. */
    private void seal() {
        Batch b = current;
        current = new Batch();
        b.seal(nextSequence);
        b.sealedAtNanos = System.nanoTime();
        nextSequence += b.size();
        inFlight.add(b);
        pump();
    }

    /**
     * Under lock: writes waiting batches while the node's in-flight limit allows. The writes are queued on the
     * connection's event loop, always (even from that loop), so frames leave in the order batches were sealed: a
     * write made directly on the loop would overtake writes other threads queued before it.
     */
    private void pump() {
        if (!ready) {
            return;
        }
        List<Batch> next = inFlight.nextToWrite(maxInFlightBatches);
        if (next.isEmpty()) {
            return;
        }
        for (Batch b : next) {
            if (b.sent) {
                resentBatches.incrementAndGet();
            }
            b.sent = true;
        }
        Channel ch = channel;
        ch.eventLoop().execute(() -> {
            for (Batch b : next) {
                write(ch, b);
            }
            ch.flush();
        });
    }

    /** On {@code ch}'s event loop: writes a sealed batch (flush separately). */
    private void write(Channel ch, Batch b) {
        ByteBuf frame = Unpooled.wrappedBuffer(b.frame);
        if (config.ack().level() != AckMode.Level.NONE) {
            ch.write(frame, ch.voidPromise());
            return;
        }
        ch.write(frame).addListener(done -> {
            if (done.isSuccess()) {
                synchronized (lock) {
                    inFlight.written(b);
                    if (ch == channel) {
                        pump();
                    }
                }
                for (CompletableFuture<Long> f : b.futures) {
                    f.complete(AckFrame.UNKNOWN_OFFSET);
                }
            }
        });
    }

    /**
     * Sends the open batch now and returns a future that completes (normally) once every message sent before this
     * call has completed, successfully or not.
     */
    public CompletableFuture<Void> flush() {
        List<CompletableFuture<Long>> all = new ArrayList<>();
        synchronized (lock) {
            if (current.size() > 0) {
                seal();
            }
            for (Batch b : inFlight) {
                all.addAll(b.futures);
            }
        }
        return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0])).handle((v, t) -> null);
    }

    // ---- the connection ---------------------------------------------------------------------------

    private void connect() {
        // The connection lives on the producer's own loop, with its timers: one thread for its I/O.
        ChannelFuture cf = ClientChannel.connect(loop, config.node(), new ClientChannel.Listener() {
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
                onDisconnected(ch, cause);
            }
        });
        cf.addListener(done -> {
            if (!done.isSuccess()) {
                LOG.debug("cannot connect to {}: {}", config.node(), done.cause().toString());
                retry();
            }
        });
    }

    private void retry() {
        long delay;
        synchronized (lock) {
            if (closed) {
                return;
            }
            delay = Math.min(2_000, config.reconnectBackoff().toMillis() << Math.min(failedAttempts, 16));
            failedAttempts++;
        }
        reconnects.incrementAndGet();
        loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    }

    private void onConnected(Channel ch) {
        synchronized (lock) {
            if (closed) {
                ch.close();
                return;
            }
            channel = ch;
            ready = false;
        }
        AckMode ack = config.ack();
        ByteBuf out = ch.alloc().buffer();
        FrameCodec.encode(new InitFrame(config.producerId(), ack, Math.max(1, ack.copies()), 0, config.stream(),
                List.of()), out);
        ch.writeAndFlush(out, ch.voidPromise());
    }

    private void onFrame(Channel ch, Frame f) {
        if (f instanceof AckFrame a) {
            onAck(ch, a);
        } else if (f instanceof ErrorFrame e) {
            onError(ch, e);
        } else if (f instanceof InitOkFrame ok) {
            synchronized (lock) {
                if (ch != channel) {
                    return;
                }
                ready = true;
                failedAttempts = 0;
                maxFrameBytes = ok.maxFrameBytes();
                maxMessageBytes = Math.min(ok.maxMessageBytes(), ok.maxFrameBytes() - FrameCodec.DATA_OVERHEAD_BYTES
                        - FrameCodec.PER_MESSAGE_BYTES);
                maxInFlightBatches = ok.maxInFlightBatches();
                pump(); // resends first: the oldest unacknowledged batches, byte for byte
            }
        } else {
            LOG.warn("node {} sent an unexpected {} frame; reconnecting", config.node(), f.type());
            ch.close();
        }
    }

    private void onAck(Channel ch, AckFrame a) {
        List<Batch> acked;
        synchronized (lock) {
            if (ch != channel) {
                return;
            }
            try {
                acked = inFlight.acked(a);
            } catch (IllegalStateException e) {
                LOG.warn("node {}: {}; reconnecting", config.node(), e.getMessage());
                ch.close();
                return;
            }
            pump();
        }
        InFlight.complete(acked, a);
    }

    private void onError(Channel ch, ErrorFrame e) {
        ErrorCode code = e.errorCode();
        StreamException ex = new StreamException(code, e.detail(), e.text());
        List<Batch> failed = new ArrayList<>();
        synchronized (lock) {
            if (ch != channel) {
                return;
            }
            if (e.count() > 0) {
                Batch b = inFlight.remove(e.firstSequence());
                if (b != null) {
                    failed.add(b);
                }
                pump();
            } else if (code != ErrorCode.SHUTTING_DOWN) {
                // The node refused the session (INIT) or this client's frames: retrying cannot help.
                LOG.warn("node {} refused producer on '{}': {}", config.node(), config.stream(), ex.getMessage());
                closed = true;
                failed.addAll(inFlight.drain());
                failed.add(current);
                current = new Batch();
            }
        }
        for (Batch b : failed) {
            b.fail(ex);
        }
    }

    private void onDisconnected(Channel ch, Throwable cause) {
        synchronized (lock) {
            if (ch != channel) {
                return;
            }
            channel = null;
            ready = false;
            inFlight.resetWire();
        }
        LOG.debug("connection to {} closed{}", config.node(), cause == null ? "" : ": " + cause);
        retry();
    }

    /** Fails everything once the oldest batch is older than the delivery timeout. */
    private void expire() {
        List<Batch> failed;
        Channel ch;
        synchronized (lock) {
            Batch oldest = inFlight.oldest();
            if (oldest == null || System.nanoTime() - oldest.sealedAtNanos < config.deliveryTimeout().toNanos()) {
                return;
            }
            failed = inFlight.drain();
            ch = channel;
        }
        StreamException ex = new StreamException("not acknowledged within " + config.deliveryTimeout().toMillis()
                + " ms (node " + config.node() + "); the outcome is unknown");
        for (Batch b : failed) {
            b.fail(ex);
        }
        if (ch != null) {
            ch.close(); // acks for what just failed must not meet the batches sent after it
        }
    }

    /** @return batches written again after a reconnect (tests, metrics) */
    public long resentBatches() {
        return resentBatches.get();
    }

    /** @return reconnect attempts made (tests, metrics) */
    public long reconnects() {
        return reconnects.get();
    }

    /** @return whether a session with the node is open now (connected and INIT acknowledged) */
    public boolean isConnected() {
        synchronized (lock) {
            return ready;
        }
    }

    /** @return the producer's state in one line, for logs and test failures */
    @Override
    public String toString() {
        synchronized (lock) {
            Batch oldest = inFlight.oldest();
            return "StreamProducer{node=" + config.node() + ", stream=" + config.stream() + ", ack=" + config.ack()
                    + ", connected=" + (channel != null) + ", ready=" + ready + ", closed=" + closed
                    + ", nextSequence=" + nextSequence + ", oldestUnacked=" + (oldest == null ? "none"
                    : oldest.firstSequence) + ", inFlightPermitsFree=" + permits.availablePermits()
                    + ", resent=" + resentBatches + ", reconnects=" + reconnects + "}";
        }
    }

    /** @return the producer's settings */
    public ProducerConfig config() {
        return config;
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
        List<Batch> failed;
        Channel ch;
        synchronized (lock) {
            closed = true;
            failed = inFlight.drain();
            failed.add(current);
            current = new Batch();
            ch = channel;
        }
        timeoutCheck.cancel(false);
        StreamException ex = new StreamException("producer closed");
        for (Batch b : failed) {
            b.fail(ex);
        }
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
