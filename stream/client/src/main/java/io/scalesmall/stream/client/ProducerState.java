package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.InitOkFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link StreamProducer}'s state and its protocol logic: the open batch (filled by senders, sealed when full or
 * when its linger runs out), the sequence counter, the sealed batches in flight, and the connection they are
 * written to. Reacts to INIT_OK (write, or resend, the oldest batches), ACK (call back with offsets, write
 * more), ERROR (fail the batch named, or everything when the node refused the session) and a lost connection
 * (everything waits for the next one). Bounds the messages in flight ({@link InFlightBudget}): a sender takes room
 * under the lock it holds anyway, a batch gives its room back when it leaves.
 *
 * <p>Threads: one lock guards everything; senders, the connection's event loop and timers all take it. Callbacks
 * run outside it. Writes are queued on the connection's event loop, always, so frames leave in the order
 * batches were sealed: a write made directly on the loop (when an ACK frees room) would overtake writes other
 * threads had queued before it, and the node would see a gap in the sequences.
 */
final class ProducerState {
    private static final Logger LOG = LoggerFactory.getLogger(ProducerState.class);

    private final ProducerConfig config;
    /** Runs linger timers (the producer's connection lives on it too). */
    private final EventLoop loop;
    private final AtomicLong resentBatches;

    /**
     * A send looks at the open batch's age every this many messages (a power of two), and seals it when its linger
     * has run out. The loop's linger timer alone is late by up to a millisecond: NIO selects in whole milliseconds, so
     * a sub-millisecond linger would not be honoured while messages flow; this check costs a clock read per 16 sends.
     */
    static final int LINGER_CHECK_EVERY = 16;

    private final Object lock = new Object();
    private final long lingerNanos;
    private final LongSupplier nanoClock;
    // Guarded by lock:
    private Batch current = new Batch(16);
    private long nextSequence;
    private final InFlight inFlight = new InFlight();
    private final InFlightBudget budget;
    private final Unfinished unfinished = new Unfinished();
    /** The connection, from connect until it closes; null between. */
    private Channel channel;
    /** The address of the last connection, for messages. */
    private String lastNode = "none";
    /** INIT_OK received on {@link #channel}: batches may be written. */
    private boolean ready;
    private boolean closed;
    /** Why the producer closed when the node refused it (later sends fail with it); null otherwise. */
    private StreamException refused;
    private int maxFrameBytes = FrameCodec.DATA_OVERHEAD_BYTES + (2 << 20);
    /** Batches the node lets this producer have unacknowledged (its INIT_OK says: its idempotence window). */
    private int maxInFlightBatches = 1;
    /** The node's message limit; read without the lock by {@link StreamProducer#send}. */
    private volatile int maxMessageBytes = StreamProducer.DEFAULT_MAX_MESSAGE_BYTES;

    ProducerState(ProducerConfig config, EventLoop loop, AtomicLong resentBatches) {
        this(config, loop, resentBatches, System::nanoTime);
    }

    /** As above, reading time (ns, as {@link System#nanoTime}) from {@code nanoClock}: tests step it. */
    ProducerState(ProducerConfig config, EventLoop loop, AtomicLong resentBatches, LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.config = config;
        this.loop = loop;
        this.resentBatches = resentBatches;
        this.budget = new InFlightBudget(lock, config.maxInFlight());
        this.lingerNanos = config.linger().toNanos();
    }

    int maxMessageBytes() {
        return maxMessageBytes;
    }

    /**
     * Adds a message to the open batch, once there is room in flight: if there is none it waits (up to
     * {@link ProducerConfig#maxBlock}, never on a client I/O thread) or gives up, as configured.
     *
     * @return null if the message was queued (its callback runs later); otherwise why not (the caller fails it)
     */
    StreamException add(byte[] message, SendCallback callback) {
        synchronized (lock) {
            if (closed) {
                return closedReason();
            }
            if (!budget.tryTake()) {
                boolean block = config.blockWhenFull() && !ClientLoops.inClientThread();
                if (!(block && budget.take(config.maxBlock(), () -> closed))) {
                    return closed ? closedReason() : new StreamException(config.maxInFlight() + " messages in flight"
                            + (config.blockWhenFull() ? " for " + config.maxBlock().toMillis() + " ms" : ""));
                }
            }
            long add = message.length + FrameCodec.PER_MESSAGE_BYTES;
            int n = current.size();
            if (n > 0 && (current.bytes + add > config.batchBytes()
                    || current.bytes + add + FrameCodec.DATA_OVERHEAD_BYTES > maxFrameBytes
                    || (n & (LINGER_CHECK_EVERY - 1)) == 0
                            && nanoClock.getAsLong() - current.openedAtNanos >= lingerNanos)) {
                seal();
            }
            boolean first = current.size() == 0;
            if (first) {
                current.openedAtNanos = nanoClock.getAsLong();
            }
            current.add(message, callback);
            if (current.bytes >= config.batchBytes()) {
                seal();
            } else if (first) {
                Batch b = current;
                Runnable linger = () -> {
                    if (b.sealed) {
                        // Sealed by size or by a later send's linger check, as most are under load: the event loop
                        // does not queue behind the sender for the lock (JFR saw it wait up to 9.8 ms for a sender
                        // descheduled while holding it, with acks queued behind).
                        return;
                    }
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
            return null;
        }
    }

    private StreamException closedReason() {
        return refused != null ? refused : new StreamException("producer closed");
    }

    /**
     * Seals the open batch; returns a future that completes (normally) once the callbacks of every message queued
     * before this call have run, successfully or not.
     */
    CompletableFuture<Void> flush() {
        List<Batch> wait;
        synchronized (lock) {
            if (current.size() > 0) {
                seal();
            }
            wait = unfinished.list();
        }
        return Unfinished.whenAllDone(wait);
    }

    /** Under lock: batches that left the in-flight queue give back their room and release their frames. */
    private void left(List<Batch> batches) {
        int n = 0;
        for (Batch b : batches) {
            n += b.size();
            b.releaseFrame();
        }
        budget.give(n);
    }

    /** Under lock: gives the open batch its sequences, queues it, writes it if the session is open. */
    private void seal() {
        Batch b = current;
        current = new Batch(b.size());
        b.seal(nextSequence);
        b.sealedAtNanos = nanoClock.getAsLong();
        nextSequence += b.size();
        inFlight.add(b);
        unfinished.sealed(b);
        pump();
    }

    /** Under lock: moves waiting batches onto the wire while the node's limit allows; queues their writes. */
    private void pump() {
        if (!ready) {
            return;
        }
        List<Batch> next = inFlight.nextToWrite(maxInFlightBatches);
        if (next.isEmpty()) {
            return;
        }
        ByteBuf[] frames = new ByteBuf[next.size()];
        for (int i = 0; i < frames.length; i++) {
            Batch b = next.get(i);
            if (b.sent) {
                resentBatches.incrementAndGet();
            }
            b.sent = true;
            frames[i] = b.frameForWrite(); // retained now: the batch may leave (and release its frame) before the write
        }
        Channel ch = channel;
        try {
            ch.eventLoop().execute(() -> {
                for (int i = 0; i < frames.length; i++) {
                    write(ch, next.get(i), frames[i]);
                }
                ch.flush();
            });
        } catch (RuntimeException e) { // the loop is shut down: nothing will be written on ch
            for (ByteBuf f : frames) {
                f.release();
            }
            LOG.debug("cannot write to {}: {}", ch.remoteAddress(), e.toString());
        }
    }

    /** On {@code ch}'s event loop: writes a sealed batch's frame (flushed by the caller; the write releases it). */
    private void write(Channel ch, Batch b, ByteBuf frame) {
        if (config.ack().level() != AckMode.Level.NONE) {
            ch.write(frame, ch.voidPromise());
            return;
        }
        ch.write(frame).addListener(done -> {
            if (done.isSuccess()) {
                synchronized (lock) {
                    if (!inFlight.written(b)) {
                        return; // failed meanwhile (expired, closed): its callbacks ran there
                    }
                    left(List.of(b));
                    if (ch == channel) {
                        pump();
                    }
                }
                b.completeAll(AckFrame.UNKNOWN_OFFSET);
            }
        });
    }

    /** A connection opened. @return false if the producer is closed (the caller closes it) */
    boolean connected(Channel ch) {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            channel = ch;
            ready = false;
            lastNode = String.valueOf(ch.remoteAddress());
            return true;
        }
    }

    /** The node opened the session: write (resend first) the oldest batches. @return false if ch is stale */
    boolean initOk(Channel ch, InitOkFrame ok) {
        synchronized (lock) {
            if (ch != channel) {
                return false;
            }
            ready = true;
            maxFrameBytes = ok.maxFrameBytes();
            maxMessageBytes = Math.min(ok.maxMessageBytes(), ok.maxFrameBytes() - FrameCodec.DATA_OVERHEAD_BYTES
                    - FrameCodec.PER_MESSAGE_BYTES);
            maxInFlightBatches = ok.maxInFlightBatches();
            pump();
            return true;
        }
    }

    void ack(Channel ch, AckFrame a) {
        List<Batch> acked;
        synchronized (lock) {
            if (ch != channel) {
                return;
            }
            try {
                acked = inFlight.acked(a);
                left(acked);
            } catch (IllegalStateException e) {
                LOG.warn("node {}: {}; reconnecting", ch.remoteAddress(), e.getMessage());
                ch.close();
                return;
            }
            pump();
        }
        InFlight.complete(acked, a);
    }

    void error(Channel ch, ErrorFrame e) {
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
                    left(List.of(b));
                }
                pump();
            } else if (code != ErrorCode.SHUTTING_DOWN && code != ErrorCode.CATCHING_UP) {
                // The node refused the session (INIT) or this client's frames: retrying cannot help.
                LOG.warn("node {} refused producer on '{}': {}", ch.remoteAddress(), config.stream(), ex.getMessage());
                failed = refuseLocked(ex);
            }
        }
        for (Batch b : failed) {
            b.fail(ex);
        }
    }

    /**
     * Gives up for good (e.g. no head found): closes the producer; everything pending fails with {@code ex}, and so
     * do later sends. The caller closes the connection.
     */
    void refuse(StreamException ex) {
        List<Batch> failed;
        synchronized (lock) {
            if (closed) {
                return;
            }
            failed = refuseLocked(ex);
        }
        for (Batch b : failed) {
            b.fail(ex);
        }
    }

    /** Under lock: closes with {@code ex} as the reason; returns the batches to fail (outside the lock). */
    private List<Batch> refuseLocked(StreamException ex) {
        closed = true;
        refused = ex;
        List<Batch> failed = inFlight.drain();
        failed.add(current);
        current = new Batch(0);
        left(failed);
        budget.wakeAll();
        return failed;
    }

    /** @return whether {@code ch} is the producer's connection now */
    boolean isCurrent(Channel ch) {
        synchronized (lock) {
            return ch == channel;
        }
    }

    /** @return true if {@code ch} was the connection (the caller reconnects), false if it was stale */
    boolean disconnected(Channel ch) {
        synchronized (lock) {
            if (ch != channel) {
                return false;
            }
            channel = null;
            ready = false;
            inFlight.resetWire();
            return !closed;
        }
    }

    /** Fails everything once the oldest batch is older than the delivery timeout; closes the connection then. */
    void expire() {
        List<Batch> failed;
        Channel ch;
        synchronized (lock) {
            Batch oldest = inFlight.oldest();
            if (oldest == null || nanoClock.getAsLong() - oldest.sealedAtNanos < config.deliveryTimeout().toNanos()) {
                return;
            }
            failed = inFlight.drain();
            left(failed);
            ch = channel;
        }
        StreamException ex = new StreamException("not acknowledged within " + config.deliveryTimeout().toMillis()
                + " ms (" + (ch == null ? "no connection, last node " + lastNode : "node " + ch.remoteAddress())
                + "); the outcome is unknown");
        for (Batch b : failed) {
            b.fail(ex);
        }
        if (ch != null) {
            ch.close(); // acks for what just failed must not meet the batches sent after it
        }
    }

    /** Closes: fails everything still pending; returns the connection to close, or null. */
    Channel close() {
        List<Batch> failed;
        Channel ch;
        synchronized (lock) {
            closed = true;
            failed = inFlight.drain();
            failed.add(current);
            current = new Batch(0);
            left(failed);
            budget.wakeAll();
            ch = channel;
        }
        StreamException ex = new StreamException("producer closed");
        for (Batch b : failed) {
            b.fail(ex);
        }
        return ch;
    }

    boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    boolean isReady() {
        synchronized (lock) {
            return ready;
        }
    }

    /** One line for logs and test failures. */
    String describe() {
        synchronized (lock) {
            Batch oldest = inFlight.oldest();
            return "connected=" + (channel != null) + ", ready=" + ready + ", closed=" + closed + ", nextSequence="
                    + nextSequence + ", oldestUnacked=" + (oldest == null ? "none" : oldest.firstSequence)
                    + ", inFlight=" + budget.used() + "/" + budget.max();
        }
    }
}
