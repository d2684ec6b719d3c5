package io.scalesmall.log;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The messages of one append, as an immutable view that the log encodes without a {@code byte[]} per message.
 * Two backings:
 * <ul>
 *   <li>{@link #of(List)}: a list of arrays (the classic API; the arrays are neither copied nor changed);</li>
 *   <li>{@link #ofBody(ByteBuffer, int)}: one buffer region already laid out as a batch body, {@code N × (u32
 *       length, bytes)} big-endian -- exactly the message list of a DATA or REPLICATE frame and the body of a
 *       stored batch (docs/log-format.md), so the log copies it into its record in one bulk copy.</li>
 * </ul>
 *
 * <p><b>Shape.</b> {@link #count()} messages, each of 0..2^31-1 bytes (the log's own limits,
 * {@link MessageLog#MAX_MESSAGE_BYTES} and {@link MessageLog#MAX_BATCH_BYTES}, are checked by the append, not
 * here); {@link #bodyBytes()} = {@code sum(length + 4)}, in bytes. A batch may be empty here; an append refuses
 * it.
 *
 * <p><b>Ownership.</b> A view neither copies nor owns its bytes: the caller keeps them unchanged and alive (for a
 * Netty buffer: does not release it) until every method it passes the view to has returned. The log copies what
 * it keeps before {@code append} returns, so a view never has to outlive the call. {@link #toList()} copies.
 *
 * <p><b>Threads.</b> Immutable; safe to read from any thread while the bytes behind it are not changed.
 */
public abstract sealed class MessageBatch permits MessageBatch.OfArrays, MessageBatch.OfBody {
    private MessageBatch() {
    }

    /**
     * A view of a list of arrays (not copied).
     *
     * @throws NullPointerException if the list or an element is null
     */
    public static MessageBatch of(List<byte[]> messages) {
        return new OfArrays(messages);
    }

    /**
     * A view of the region {@code [position, limit)} of {@code body} (not copied; the buffer's position and limit are
     * not changed), which must hold exactly {@code count} messages as {@code u32 length, bytes}, big-endian. The
     * region is walked once here to check that (no allocation); the bytes must not change afterwards.
     *
     * @param count the number of messages, at least 0
     * @throws IllegalArgumentException if the region does not decode to exactly {@code count} messages (a length
     *                                  runs past the end, is negative as a signed int, or bytes are left over)
     */
    public static MessageBatch ofBody(ByteBuffer body, int count) {
        return new OfBody(body, count);
    }

    /** @return the number of messages, at least 0 */
    public abstract int count();

    /** @return the encoded size, {@code sum(length + 4)} over the messages, in bytes */
    public abstract long bodyBytes();

    /** @return the payload size, {@code sum(length)}, in bytes */
    public final long payloadBytes() {
        return bodyBytes() - 4L * count();
    }

    /** @return the length of the largest message in bytes; 0 for an empty batch */
    public abstract int maxLength();

    /**
     * Writes every message as {@code u32 length, bytes} (big-endian) at {@code dst}'s position, advancing it by
     * {@link #bodyBytes()}.
     *
     * @throws java.nio.BufferOverflowException if {@code dst} has less room than {@link #bodyBytes()}
     */
    public abstract void writeBody(ByteBuffer dst);

    /**
     * The messages from index {@code from} on, as a view of the same bytes.
     *
     * @param from 0..{@link #count()}
     * @throws IndexOutOfBoundsException if {@code from} is outside that range
     */
    public abstract MessageBatch from(int from);

    /** @return the messages as new arrays (copies), in order */
    public abstract List<byte[]> toList();

    /** The list backing. */
    static final class OfArrays extends MessageBatch {
        private final List<byte[]> messages;
        private final long bodyBytes;
        private final int maxLength;

        OfArrays(List<byte[]> messages) {
            this.messages = Objects.requireNonNull(messages, "messages");
            long sum = 0;
            int max = 0;
            for (byte[] m : messages) {
                Objects.requireNonNull(m, "message");
                sum += m.length + 4L;
                max = Math.max(max, m.length);
            }
            this.bodyBytes = sum;
            this.maxLength = max;
        }

        @Override
        public int count() {
            return messages.size();
        }

        @Override
        public long bodyBytes() {
            return bodyBytes;
        }

        @Override
        public int maxLength() {
            return maxLength;
        }

        @Override
        public void writeBody(ByteBuffer dst) {
            for (byte[] m : messages) {
                dst.putInt(m.length).put(m);
            }
        }

        @Override
        public MessageBatch from(int from) {
            return from == 0 ? this : new OfArrays(messages.subList(from, messages.size()));
        }

        @Override
        public List<byte[]> toList() {
            List<byte[]> out = new ArrayList<>(messages.size());
            for (byte[] m : messages) {
                out.add(m.clone());
            }
            return out;
        }
    }

    /** The encoded-body backing. */
    static final class OfBody extends MessageBatch {
        /** The region, with its own position and limit; never moved after the constructor. */
        private final ByteBuffer body;
        private final int count;
        private final int maxLength;

        OfBody(ByteBuffer body, int count) {
            if (count < 0) {
                throw new IllegalArgumentException("count must be >= 0, got " + count);
            }
            this.body = body.slice(); // big-endian, position 0: a view of [position, limit)
            this.count = count;
            int at = 0;
            int max = 0;
            int end = this.body.limit();
            for (int i = 0; i < count; i++) {
                if (end - at < 4) {
                    throw new IllegalArgumentException("the body ends inside the length of message " + i + " of "
                            + count);
                }
                int len = this.body.getInt(at);
                if (len < 0 || len > end - at - 4) {
                    throw new IllegalArgumentException("message " + i + " has bad length " + len + " (" + (end - at
                            - 4) + " bytes left)");
                }
                max = Math.max(max, len);
                at += 4 + len;
            }
            if (at != end) {
                throw new IllegalArgumentException((end - at) + " bytes left after " + count + " messages");
            }
            this.maxLength = max;
        }

        /** A checked sub-view: {@code body} holds exactly {@code count} messages, the largest {@code maxLength}. */
        private OfBody(ByteBuffer body, int count, int maxLength) {
            this.body = body;
            this.count = count;
            this.maxLength = maxLength;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public long bodyBytes() {
            return body.limit();
        }

        @Override
        public int maxLength() {
            return maxLength;
        }

        @Override
        public void writeBody(ByteBuffer dst) {
            dst.put(body.duplicate());
        }

        @Override
        public MessageBatch from(int from) {
            Objects.checkIndex(from, count + 1);
            if (from == 0) {
                return this;
            }
            int at = 0;
            for (int i = 0; i < from; i++) {
                at += 4 + body.getInt(at);
            }
            int max = 0;
            for (int p = at; p < body.limit(); ) {
                int len = body.getInt(p);
                max = Math.max(max, len);
                p += 4 + len;
            }
            return new OfBody(body.duplicate().position(at).slice(), count - from, max);
        }

        @Override
        public List<byte[]> toList() {
            List<byte[]> out = new ArrayList<>(count);
            for (int at = 0; at < body.limit(); ) {
                byte[] m = new byte[body.getInt(at)];
                body.get(at + 4, m);
                out.add(m);
                at += 4 + m.length;
            }
            return out;
        }
    }
}
