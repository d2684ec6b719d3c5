package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.scalesmall.stream.protocol.FrameCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Messages sent as one DATA frame, and their futures. Filled while open; {@link #seal} gives it its sequences and
 * encodes the frame once, so that a resend repeats exactly the same batch (what makes the node's idempotent append
 * return the original offsets). Guarded by the producer's lock until sealed; immutable after, apart from
 * {@link #sent}.
 */
final class Batch {
    final List<byte[]> messages = new ArrayList<>();
    final List<CompletableFuture<Long>> futures = new ArrayList<>();
    /** Payload + 4 per message, bytes. */
    long bytes;
    /** Set by {@link #seal}. */
    long firstSequence = -1;
    /** The encoded DATA frame; set by {@link #seal}. */
    byte[] frame;
    /** When it was sealed, System.nanoTime(): the delivery timeout counts from here. */
    long sealedAtNanos;
    /** Whether it was written to some connection already (a later write is a resend). */
    boolean sent;

    void add(byte[] message, CompletableFuture<Long> future) {
        messages.add(message);
        futures.add(future);
        bytes += message.length + FrameCodec.PER_MESSAGE_BYTES;
    }

    /** @return the number of messages (also after sealing) */
    int size() {
        return futures.size();
    }

    long lastSequence() {
        return firstSequence + futures.size() - 1;
    }

    void seal(long firstSequence) {
        this.firstSequence = firstSequence;
        byte[] f = new byte[(int) (bytes + FrameCodec.DATA_OVERHEAD_BYTES)];
        ByteBuf out = Unpooled.wrappedBuffer(f).writerIndex(0);
        FrameCodec.data(out, firstSequence, messages);
        frame = f;
        messages.clear(); // the frame holds them now
    }

    /** Completes every future exceptionally. */
    void fail(Throwable t) {
        for (CompletableFuture<Long> f : futures) {
            f.completeExceptionally(t);
        }
    }
}
