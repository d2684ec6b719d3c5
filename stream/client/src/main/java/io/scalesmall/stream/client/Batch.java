package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages sent as one DATA frame, and their callbacks. Filled while open; {@link #seal} gives it its sequences and
 * encodes the frame once, into a pooled direct buffer (one copy of each message, none by Netty on write), so that a
 * resend repeats exactly the same bytes (what makes the node's idempotent append return the original offsets).
 *
 * <p>Threads: guarded by the producer's lock until it leaves the producer's in-flight queue (apart from
 * {@link #sent}, also under that lock); its callbacks then run once, outside the lock, on one thread
 * ({@link #complete}, {@link #fail}), followed by its {@link #whenDone} listeners. The frame is released
 * ({@link #releaseFrame}, under the lock) when it leaves the queue; writes hold their own retained duplicates.
 */
final class Batch {
    private static final Logger LOG = LoggerFactory.getLogger(Batch.class);

    /** The messages until sealed (then null: the frame holds them). */
    private byte[][] messages;
    private SendCallback[] callbacks;
    private int size;
    /** Payload + 4 per message, bytes. */
    long bytes;
    /** Set by {@link #seal}. */
    long firstSequence = -1;
    /** The encoded DATA frame (refcount 1, owned by the batch); set by {@link #seal}, null once released. */
    private ByteBuf frame;
    /** When it was sealed, System.nanoTime(): the delivery timeout counts from here. */
    long sealedAtNanos;
    /** When its first message was added, System.nanoTime(): its linger counts from here. */
    long openedAtNanos;
    /** Set once {@link #seal} encoded it; read without the lock by its linger timer, which then has nothing to do. */
    volatile boolean sealed;
    /** Whether it was written to some connection already (a later write is a resend). */
    boolean sent;
    /** Guarded by {@code this}: set after the callbacks ran; listeners to run then (null when none). */
    private boolean done;
    private List<Runnable> doneListeners;

    /** @param capacity messages expected (a hint: the arrays grow) */
    Batch(int capacity) {
        int c = Math.max(4, capacity);
        messages = new byte[c][];
        callbacks = new SendCallback[c];
    }

    void add(byte[] message, SendCallback callback) {
        if (size == callbacks.length) {
            int c = size * 2;
            messages = Arrays.copyOf(messages, c);
            callbacks = Arrays.copyOf(callbacks, c);
        }
        messages[size] = message;
        callbacks[size++] = callback;
        bytes += message.length + FrameCodec.PER_MESSAGE_BYTES;
    }

    /** @return the number of messages (also after sealing) */
    int size() {
        return size;
    }

    long lastSequence() {
        return firstSequence + size - 1;
    }

    /** Gives the batch its sequences and encodes its frame; drops the references to the messages. */
    void seal(long firstSequence) {
        this.firstSequence = firstSequence;
        int length = (int) (bytes + FrameCodec.DATA_OVERHEAD_BYTES);
        ByteBuf out = PooledByteBufAllocator.DEFAULT.directBuffer(length, length);
        try {
            FrameCodec.data(out, firstSequence, messages, size, bytes);
        } catch (RuntimeException e) {
            out.release();
            throw e;
        }
        frame = out;
        messages = null;
        sealed = true;
    }

    /** @return a retained duplicate of the frame, for one write (the write releases it); under the lock */
    ByteBuf frameForWrite() {
        return frame.retainedDuplicate();
    }

    /** Releases the frame, once; under the lock. */
    void releaseFrame() {
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    /** Calls message {@code i}'s callback (once: it is dropped after). */
    void complete(int i, long offset, Throwable error) {
        SendCallback c = callbacks[i];
        callbacks[i] = null;
        call(c, offset, error);
    }

    /** Calls {@code c}; an exception it throws is logged, not thrown. */
    static void call(SendCallback c, long offset, Throwable error) {
        try {
            c.onComplete(offset, error);
        } catch (RuntimeException e) {
            LOG.warn("a send callback threw; ignored", e);
        }
    }

    /** Fails every message, then runs the done listeners. */
    void fail(Throwable t) {
        completeEach(AckFrame.UNKNOWN_OFFSET, t);
    }

    /** Completes every message with {@code offset} (ack=none: -1), then runs the done listeners. */
    void completeAll(long offset) {
        completeEach(offset, null);
    }

    /** Every message with {@code offset} and {@code error}, under one completion time; then the done listeners. */
    private void completeEach(long offset, Throwable error) {
        long outer = ClientLoops.beginCompletion();
        try {
            for (int i = 0; i < size; i++) {
                complete(i, offset, error);
            }
        } finally {
            ClientLoops.endCompletion(outer);
        }
        finish();
    }

    /** After the callbacks: marks the batch done and runs its listeners. */
    void finish() {
        List<Runnable> run;
        synchronized (this) {
            done = true;
            run = doneListeners;
            doneListeners = null;
        }
        if (run != null) {
            run.forEach(Runnable::run);
        }
    }

    /** @return whether the batch's callbacks have all run */
    synchronized boolean isDone() {
        return done;
    }

    /** Runs {@code r} once the batch's callbacks have all run (at once, on this thread, if they have). */
    void whenDone(Runnable r) {
        synchronized (this) {
            if (!done) {
                if (doneListeners == null) {
                    doneListeners = new ArrayList<>(1);
                }
                doneListeners.add(r);
                return;
            }
        }
        r.run();
    }
}
