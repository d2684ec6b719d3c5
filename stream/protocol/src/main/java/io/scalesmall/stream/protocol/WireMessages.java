package io.scalesmall.stream.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The message list of a received DATA frame left where it lies in the frame buffer: {@link #count()} messages
 * encoded as {@code N × (u32 length, bytes)} (docs/wire-format.md §S5.3) -- the same layout as a stored batch's
 * body, so a log can copy it in one piece. Built by {@link FrameDecoder#decodeInPlace} after it checked every length
 * against the bytes present; nothing is copied.
 *
 * <p><b>Ownership.</b> A view of the frame buffer that neither retains nor releases it: valid while the buffer the
 * frame was decoded from is, that is until the decoder's caller releases that buffer (which it does exactly once,
 * as for any frame). Using the view after that throws {@link io.netty.util.IllegalReferenceCountException} on any
 * access through {@link #body()}, and {@link #nioBody()} must not be read any more. Whoever needs the messages
 * longer takes a copy ({@link #toList()}) while the buffer is alive.
 *
 * <p>Threads: like its buffer (a Netty buffer is not thread-safe; read it on the thread that owns the frame).
 */
public final class WireMessages {
    /** The region after the count field; a derived (non-retained) slice of the frame buffer. */
    private final ByteBuf body;
    private final int count;

    /** @param body exactly {@code count} checked messages, {@code count} at least 1 */
    WireMessages(ByteBuf body, int count) {
        this.body = body;
        this.count = count;
    }

    /** @return the number of messages, at least 1 */
    public int count() {
        return count;
    }

    /** @return the encoded size, {@code sum(length + 4)}, in bytes */
    public int bodyBytes() {
        return body.readableBytes();
    }

    /** @return the payload size, {@code sum(length)}, in bytes */
    public long payloadBytes() {
        return body.readableBytes() - 4L * count;
    }

    /** @return the encoded messages as a derived slice of the frame buffer (index 0 to {@link #bodyBytes()}); not retained */
    public ByteBuf body() {
        return body.duplicate();
    }

    /**
     * @return the encoded messages as a big-endian NIO buffer, position 0, limit {@link #bodyBytes()}: a view of the
     *         frame buffer's memory when it has one component (what {@link FrameSplitter} passes on), else a copy
     */
    public ByteBuffer nioBody() {
        return body.nioBuffer();
    }

    /** @return the messages as new arrays (copies), in order */
    public List<byte[]> toList() {
        List<byte[]> out = new ArrayList<>(count);
        for (int at = 0, end = body.writerIndex(); at < end; ) {
            byte[] m = new byte[body.getInt(at)];
            body.getBytes(at + 4, m);
            out.add(m);
            at += 4 + m.length;
        }
        return out;
    }
}
