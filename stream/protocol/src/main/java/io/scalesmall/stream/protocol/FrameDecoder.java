package io.scalesmall.stream.protocol;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes one whole frame (header and body, as {@link FrameSplitter} cuts them) into its {@link Frame} record,
 * checking every field: lengths against the bytes present before anything is allocated, values against their
 * ranges, and that the body ends exactly where its length says. The checks and their order are those of
 * docs/wire-format.md §S3. Stateless and thread-safe.
 *
 * <p>Errors: a {@link ProtocolException} whose code says what to send back. Structural faults are
 * {@link ErrorCode#MALFORMED} (fatal); a FETCH or OFFSETS whose stream name is empty or not UTF-8 is a non-fatal
 * {@link ErrorCode#BAD_STREAM_NAME} naming its request. Nothing else is thrown for any input.
 */
public final class FrameDecoder {
    private FrameDecoder() {
    }

    /**
     * @param frame         exactly one frame; read from its reader index to its writer index (the buffer is not
     *                      released; its reader index moves)
     * @param maxFrameBytes the receiver's frame limit, header included (at most {@link FrameCodec#HARD_MAX_FRAME_BYTES})
     * @return the frame
     * @throws ProtocolException on any fault, with the code to report
     */
    public static Frame decode(ByteBuf frame, int maxFrameBytes) throws ProtocolException {
        return decode(frame, maxFrameBytes, false);
    }

    /**
     * As {@link #decode}, with the same checks and errors, except that DATA comes back as a {@link DataView} whose
     * messages are left in {@code frame} ({@link WireMessages}: no array per message). Every other type comes back
     * as {@link #decode} returns it. The view does not retain {@code frame}: the caller releases {@code frame} once,
     * as always, and must not use the view after that.
     *
     * @param frame         exactly one frame; read from its reader index to its writer index (its reader index moves)
     * @param maxFrameBytes the receiver's frame limit, header included (at most {@link FrameCodec#HARD_MAX_FRAME_BYTES})
     * @return the frame
     * @throws ProtocolException on any fault, with the code to report
     */
    public static Frame decodeInPlace(ByteBuf frame, int maxFrameBytes) throws ProtocolException {
        return decode(frame, maxFrameBytes, true);
    }

    private static Frame decode(ByteBuf frame, int maxFrameBytes, boolean inPlace) throws ProtocolException {
        int size = frame.readableBytes();
        if (size < FrameCodec.HEADER_BYTES) {
            throw malformed("a frame holds at least " + FrameCodec.HEADER_BYTES + " bytes, got " + size);
        }
        int version = frame.readUnsignedByte();
        if (version != FrameCodec.VERSION) {
            throw new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "version " + version + " is not "
                    + FrameCodec.VERSION);
        }
        int typeId = frame.readUnsignedByte();
        long length = frame.readUnsignedInt();
        if (length + FrameCodec.HEADER_BYTES > Math.min(maxFrameBytes, FrameCodec.HARD_MAX_FRAME_BYTES)) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "a frame of " + (length + FrameCodec.HEADER_BYTES)
                    + " bytes exceeds the limit of " + maxFrameBytes);
        }
        if (length != frame.readableBytes()) {
            throw malformed("the header says " + length + " body bytes, the frame holds " + frame.readableBytes());
        }
        FrameType type = FrameType.of(typeId);
        if (type == null) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type " + typeId);
        }
        Frame f;
        try {
            f = body(type, frame, inPlace);
        } catch (IllegalArgumentException e) {
            throw malformed(type + ": " + e.getMessage());
        }
        if (frame.isReadable()) {
            throw malformed(type + " has " + frame.readableBytes() + " trailing bytes");
        }
        return f;
    }

    private static Frame body(FrameType type, ByteBuf in, boolean inPlace) throws ProtocolException {
        switch (type) {
            case INIT: {
                need(in, 12);
                long producerId = in.readLong();
                int level = in.readUnsignedByte();
                int copies = in.readUnsignedByte();
                int redundancy = in.readUnsignedByte();
                int hop = in.readUnsignedByte();
                AckMode.Level l = AckMode.Level.of(level);
                if (l == null) {
                    throw malformed("INIT: unknown ack level " + level);
                }
                AckMode ack = new AckMode(l, copies);
                String stream = streamName(in, 0);
                need(in, 1);
                int n = in.readUnsignedByte();
                if (n > InitFrame.MAX_EXCLUDE) {
                    throw malformed("INIT: " + n + " exclude entries, at most " + InitFrame.MAX_EXCLUDE);
                }
                List<byte[]> exclude = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    need(in, 1);
                    exclude.add(bytes(in, in.readUnsignedByte()));
                }
                return new InitFrame(producerId, ack, redundancy, hop, stream, exclude);
            }
            case INIT_OK:
                need(in, 12);
                return new InitOkFrame(in.readInt(), in.readInt(), in.readInt());
            case DATA: {
                need(in, 12);
                long first = in.readLong();
                return inPlace ? new DataView(first, messageView(in)) : new DataFrame(first, messageList(in));
            }
            case ACK: {
                need(in, 16);
                long last = in.readLong();
                long skipped = in.readUnsignedInt();
                int delivered = in.readUnsignedByte();
                int processed = in.readUnsignedByte();
                int runs = in.readUnsignedShort();
                need(in, 12L * runs);
                List<AckFrame.OffsetRun> list = new ArrayList<>(runs);
                for (int i = 0; i < runs; i++) {
                    list.add(new AckFrame.OffsetRun(in.readUnsignedInt(), in.readLong()));
                }
                return new AckFrame(last, skipped, delivered, processed, list);
            }
            case FETCH: {
                need(in, 24);
                int requestId = in.readInt();
                long from = in.readLong();
                int maxMessages = in.readInt();
                int maxBytes = in.readInt();
                int wait = in.readInt();
                String stream = streamName(in, requestId);
                return new FetchFrame(requestId, stream, from, maxMessages, maxBytes, wait);
            }
            case MESSAGES: {
                need(in, 32);
                int requestId = in.readInt();
                long from = in.readLong();
                long first = in.readLong();
                long end = in.readLong();
                return new MessagesFrame(requestId, from, first, end, in.getInt(in.readerIndex()) == 0
                        ? skipZeroCount(in) : messageList(in));
            }
            case OFFSETS: {
                need(in, 4);
                int requestId = in.readInt();
                return new OffsetsFrame(requestId, streamName(in, requestId));
            }
            case OFFSETS_REPLY:
                need(in, 20);
                return new OffsetsReplyFrame(in.readInt(), in.readLong(), in.readLong());
            case ERROR: {
                need(in, 28);
                int code = in.readUnsignedShort();
                int requestId = in.readInt();
                long seq = in.readLong();
                long count = in.readUnsignedInt();
                long detail = in.readLong();
                int n = in.readUnsignedShort();
                if (n > ErrorFrame.MAX_TEXT_BYTES) {
                    throw malformed("ERROR text of " + n + " bytes exceeds " + ErrorFrame.MAX_TEXT_BYTES);
                }
                String text = new String(bytes(in, n), StandardCharsets.UTF_8);
                return new ErrorFrame(code, requestId, seq, count, detail, text);
            }
            case REPLICATE: {
                need(in, 28);
                long firstOffset = in.readLong();
                long producerId = in.readLong();
                long firstSequence = in.readLong();
                return new ReplicateFrame(firstOffset, producerId, firstSequence, messageList(in));
            }
            case CHAIN_ACK: {
                need(in, 1);
                int n = in.readUnsignedByte();
                need(in, 16L * n);
                long[] delivered = new long[n];
                long[] processed = new long[n];
                for (int i = 0; i < n; i++) {
                    delivered[i] = in.readLong();
                }
                for (int i = 0; i < n; i++) {
                    processed[i] = in.readLong();
                }
                return new ChainAckFrame(delivered, processed);
            }
            case PULL: {
                need(in, 20);
                int requestId = in.readInt();
                long from = in.readLong();
                int maxMessages = in.readInt();
                int maxBytes = in.readInt();
                String stream = streamName(in, requestId);
                need(in, 1);
                int n = in.readUnsignedByte();
                if (n == 0) {
                    throw malformed("PULL: empty head address");
                }
                String head;
                try {
                    head = strictUtf8(bytes(in, n));
                } catch (CharacterCodingException e) {
                    throw malformed("PULL: head address is not UTF-8");
                }
                return new PullFrame(requestId, stream, from, maxMessages, maxBytes, head);
            }
            default:
                throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, "unknown frame type " + type);
        }
    }

    /** MESSAGES may be empty; DATA may not. */
    private static List<byte[]> skipZeroCount(ByteBuf in) {
        in.skipBytes(4);
        return List.of();
    }

    /** A u32 count (at least 1) then that many u32-length-prefixed messages. */
    private static List<byte[]> messageList(ByteBuf in) throws ProtocolException {
        need(in, 4);
        long count = in.readUnsignedInt();
        if (count < 1) {
            throw malformed("a batch holds at least one message");
        }
        need(in, count * FrameCodec.PER_MESSAGE_BYTES); // bounds the list before it is allocated
        List<byte[]> out = new ArrayList<>((int) count);
        for (long i = 0; i < count; i++) {
            need(in, 4);
            out.add(bytes(in, in.readUnsignedInt()));
        }
        return out;
    }

    /** As {@link #messageList}, checked the same way, left in place: a view of the bytes after the count. */
    private static WireMessages messageView(ByteBuf in) throws ProtocolException {
        need(in, 4);
        long count = in.readUnsignedInt();
        if (count < 1) {
            throw malformed("a batch holds at least one message");
        }
        need(in, count * FrameCodec.PER_MESSAGE_BYTES);
        // Walks the length prefixes by absolute index, an int loop with one bounds test per message: the loop over
        // readUnsignedInt/skipBytes with a check per step made C2's profile predicates fail again and again at the
        // bench's paced rates (76 "profile_predicate" deoptimizations of this method in 6 s, each sending the node's
        // event loop back to the interpreter for a whole batch).
        int start = in.readerIndex();
        int end = in.writerIndex();
        int n = (int) count; // <= readable / 4, checked above
        long pos = start;
        for (int i = 0; i < n; i++) {
            if (end - pos < 4) {
                throw malformed("truncated: message " + i + " of " + n + " has no length");
            }
            pos += 4 + in.getUnsignedInt((int) pos);
            if (pos > end) {
                throw malformed("truncated: message " + i + " of " + n + " runs past the frame's end");
            }
        }
        in.readerIndex((int) pos);
        return new WireMessages(in.slice(start, (int) pos - start), n);
    }

    /** A u8 length (1..255) then a UTF-8 name; a bad name fails only the request. */
    private static String streamName(ByteBuf in, int requestId) throws ProtocolException {
        need(in, 1);
        int n = in.readUnsignedByte();
        byte[] b = bytes(in, n);
        if (n == 0) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_NAME, requestId, "empty stream name");
        }
        try {
            return strictUtf8(b);
        } catch (CharacterCodingException e) {
            throw new ProtocolException(ErrorCode.BAD_STREAM_NAME, requestId, "stream name is not UTF-8");
        }
    }

    private static String strictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    }

    private static byte[] bytes(ByteBuf in, long n) throws ProtocolException {
        need(in, n);
        byte[] b = new byte[(int) n];
        in.readBytes(b);
        return b;
    }

    /** Checks that {@code n} more bytes are there before anything reads or allocates them. */
    private static void need(ByteBuf in, long n) throws ProtocolException {
        if (n > in.readableBytes()) {
            throw malformed("truncated: needs " + n + " more bytes, " + in.readableBytes() + " left");
        }
    }

    private static ProtocolException malformed(String why) {
        return new ProtocolException(ErrorCode.MALFORMED, why);
    }
}
