package io.scalesmall.stream.protocol;

import io.netty.buffer.ByteBuf;
import io.scalesmall.topology.StreamKeys;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Encodes frames of the stream protocol (docs/wire-format.md, part 2). Every frame is a 6-byte header — u8 version
 * ({@value #VERSION}), u8 type id ({@link FrameType}), u32 body length L — then L body bytes; integers are
 * big-endian. Decoding is {@link FrameDecoder}'s job. Stateless and thread-safe; writes only into the buffer given.
 */
public final class FrameCodec {
    /** The protocol version this code speaks (byte 0 of every frame). */
    public static final int VERSION = 1;
    /** Bytes of the header: version, type, body length. */
    public static final int HEADER_BYTES = 6;
    /**
     * The hard maximum frame size, header included: 16 MiB. No receiver accepts more, whatever it is configured
     * to; a receiver may set a lower limit. A DATA frame within it is always a batch the message log accepts
     * (its {@code sum(length + 4)} stays below the log's 16 MiB batch limit).
     */
    public static final int HARD_MAX_FRAME_BYTES = 16 << 20;
    /** Bytes DATA adds to its messages: the header, firstSequence, count. */
    public static final int DATA_OVERHEAD_BYTES = HEADER_BYTES + 8 + 4;
    /** Bytes REPLICATE adds to its messages: the header, first offset, producer id, first sequence, count. */
    public static final int REPLICATE_OVERHEAD_BYTES = HEADER_BYTES + 8 + 8 + 8 + 4;
    /** Bytes each message adds in DATA, REPLICATE and MESSAGES: its u32 length. */
    public static final int PER_MESSAGE_BYTES = 4;

    private FrameCodec() {
    }

    /** Writes any frame to {@code out}. @throws IllegalArgumentException if a stream name is invalid */
    public static void encode(Frame frame, ByteBuf out) {
        if (frame instanceof InitFrame f) {
            init(out, f);
        } else if (frame instanceof InitOkFrame f) {
            int at = begin(out, FrameType.INIT_OK);
            out.writeInt(f.maxFrameBytes()).writeInt(f.maxMessageBytes()).writeInt(f.maxInFlightBatches());
            end(out, at);
        } else if (frame instanceof DataFrame f) {
            data(out, f.firstSequence(), f.messages());
        } else if (frame instanceof DataView f) {
            int at = begin(out, FrameType.DATA);
            out.writeLong(f.firstSequence()).writeInt(f.messages().count()).writeBytes(f.messages().body());
            end(out, at);
        } else if (frame instanceof AckFrame f) {
            ack(out, f);
        } else if (frame instanceof FetchFrame f) {
            int at = begin(out, FrameType.FETCH);
            out.writeInt(f.requestId()).writeLong(f.fromOffset()).writeInt(f.maxMessages()).writeInt(f.maxBytes())
                    .writeInt(f.waitMillis());
            streamName(out, f.stream());
            end(out, at);
        } else if (frame instanceof MessagesFrame f) {
            messages(out, f.requestId(), f.fromOffset(), f.firstOffset(), f.endOffset(), f.messages());
        } else if (frame instanceof OffsetsFrame f) {
            int at = begin(out, FrameType.OFFSETS);
            out.writeInt(f.requestId());
            streamName(out, f.stream());
            end(out, at);
        } else if (frame instanceof OffsetsReplyFrame f) {
            int at = begin(out, FrameType.OFFSETS_REPLY);
            out.writeInt(f.requestId()).writeLong(f.firstOffset()).writeLong(f.endOffset());
            end(out, at);
        } else if (frame instanceof ReplicateFrame f) {
            replicate(out, f.firstOffset(), f.producerId(), f.firstSequence(), f.messages());
        } else if (frame instanceof ChainAckFrame f) {
            chainAck(out, f);
        } else if (frame instanceof PullFrame f) {
            int at = begin(out, FrameType.PULL);
            out.writeInt(f.requestId()).writeLong(f.fromOffset()).writeInt(f.maxMessages()).writeInt(f.maxBytes());
            streamName(out, f.stream());
            byte[] head = f.head().getBytes(StandardCharsets.UTF_8);
            out.writeByte(head.length).writeBytes(head);
            end(out, at);
        } else {
            error(out, (ErrorFrame) frame);
        }
    }

    /**
     * Writes a REPLICATE frame straight from a list of payloads (the chain's forwarding path). The arguments follow
     * {@link ReplicateFrame}'s rules (not checked again here, except the size).
     *
     * @throws IllegalArgumentException if the frame would exceed {@link #HARD_MAX_FRAME_BYTES} or has no message
     */
    public static void replicate(ByteBuf out, long firstOffset, long producerId, long firstSequence,
            List<byte[]> messages) {
        long size = replicateFrameBytes(messages);
        if (size > HARD_MAX_FRAME_BYTES || messages.isEmpty()) {
            throw new IllegalArgumentException("a REPLICATE frame of " + size + " bytes (" + messages.size()
                    + " messages) is not within 1 message and " + HARD_MAX_FRAME_BYTES + " bytes");
        }
        out.ensureWritable((int) size);
        int at = begin(out, FrameType.REPLICATE);
        out.writeLong(firstOffset).writeLong(producerId).writeLong(firstSequence).writeInt(messages.size());
        for (byte[] m : messages) {
            out.writeInt(m.length).writeBytes(m);
        }
        end(out, at);
    }

    /** @return the size, in bytes, of the REPLICATE frame holding these messages */
    public static long replicateFrameBytes(List<byte[]> messages) {
        return dataFrameBytes(messages) - DATA_OVERHEAD_BYTES + REPLICATE_OVERHEAD_BYTES;
    }

    /** Writes a CHAIN_ACK frame. */
    public static void chainAck(ByteBuf out, ChainAckFrame f) {
        int at = begin(out, FrameType.CHAIN_ACK);
        long[] d = f.delivered();
        long[] p = f.processed();
        out.writeByte(d.length);
        for (long v : d) {
            out.writeLong(v);
        }
        for (long v : p) {
            out.writeLong(v);
        }
        end(out, at);
    }

    private static void init(ByteBuf out, InitFrame f) {
        int at = begin(out, FrameType.INIT);
        out.writeLong(f.producerId()).writeByte(f.ack().level().id).writeByte(f.ack().copies())
                .writeByte(f.redundancy()).writeByte(f.hop());
        streamName(out, f.stream());
        out.writeByte(f.exclude().size());
        for (byte[] e : f.exclude()) {
            out.writeByte(e.length).writeBytes(e);
        }
        end(out, at);
    }

    /**
     * Writes a DATA frame straight from a list of payloads (the client's send path; no {@link DataFrame} needed).
     *
     * @throws IllegalArgumentException if the frame would exceed {@link #HARD_MAX_FRAME_BYTES}
     */
    public static void data(ByteBuf out, long firstSequence, List<byte[]> messages) {
        if (firstSequence < 0 || messages.isEmpty()) {
            throw new IllegalArgumentException("DATA needs firstSequence >= 0 and a message");
        }
        long size = dataFrameBytes(messages);
        if (size > HARD_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a DATA frame of " + size + " bytes exceeds " + HARD_MAX_FRAME_BYTES);
        }
        out.ensureWritable((int) size);
        int at = begin(out, FrameType.DATA);
        out.writeLong(firstSequence).writeInt(messages.size());
        for (byte[] m : messages) {
            out.writeInt(m.length).writeBytes(m);
        }
        end(out, at);
    }

    /**
     * Writes a DATA frame of {@code messages[0, count)}, whose payload plus {@link #PER_MESSAGE_BYTES} each sum to
     * {@code bodyBytes} (the caller counted them as it collected the messages): the same bytes as
     * {@link #data(ByteBuf, long, List)}, written through one NIO view of the frame, with no pass to size it and no
     * bounds check per message -- the producer's send path, where this runs under its lock for every batch.
     *
     * @throws IllegalArgumentException if {@code firstSequence} &lt; 0, {@code count} &lt; 1, {@code bodyBytes} does
     *                                  not match the messages, or the frame would exceed {@link #HARD_MAX_FRAME_BYTES}
     */
    public static void data(ByteBuf out, long firstSequence, byte[][] messages, int count, long bodyBytes) {
        if (firstSequence < 0 || count < 1 || count > messages.length) {
            throw new IllegalArgumentException("DATA needs firstSequence >= 0 and 1.." + messages.length
                    + " messages, got " + firstSequence + ", " + count);
        }
        if (bodyBytes < (long) count * PER_MESSAGE_BYTES) {
            throw new IllegalArgumentException("bodyBytes " + bodyBytes + " is less than the messages hold");
        }
        long size = DATA_OVERHEAD_BYTES + bodyBytes;
        if (size > HARD_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("a DATA frame of " + size + " bytes exceeds " + HARD_MAX_FRAME_BYTES);
        }
        int frame = (int) size;
        out.ensureWritable(frame);
        if (out.nioBufferCount() != 1) { // a composite buffer: a NIO view of it would be a copy
            List<byte[]> list = Arrays.asList(messages).subList(0, count);
            if (dataFrameBytes(list) != size) {
                throw new IllegalArgumentException("bodyBytes " + bodyBytes + " does not match the messages");
            }
            data(out, firstSequence, list);
            return;
        }
        int at = out.writerIndex();
        ByteBuffer b = out.nioBuffer(at, frame); // big-endian, as the frame; shares the buffer's memory
        b.put((byte) VERSION).put((byte) FrameType.DATA.id).putInt(frame - HEADER_BYTES);
        b.putLong(firstSequence).putInt(count);
        for (int i = 0; i < count; i++) {
            byte[] m = messages[i];
            if (b.remaining() < PER_MESSAGE_BYTES + m.length) {
                throw new IllegalArgumentException("bodyBytes " + bodyBytes + " is less than the messages hold");
            }
            b.putInt(m.length).put(m);
        }
        if (b.hasRemaining()) {
            throw new IllegalArgumentException("bodyBytes " + bodyBytes + " is more than the messages hold");
        }
        out.writerIndex(at + frame);
    }

    /** @return the size, in bytes, of the DATA frame holding these messages */
    public static long dataFrameBytes(List<byte[]> messages) {
        long size = DATA_OVERHEAD_BYTES;
        for (byte[] m : messages) {
            size += PER_MESSAGE_BYTES + m.length;
        }
        return size;
    }

    /** Writes an ACK frame. */
    public static void ack(ByteBuf out, AckFrame f) {
        int at = begin(out, FrameType.ACK);
        out.writeLong(f.lastSequence()).writeInt((int) f.skipped()).writeByte(f.delivered()).writeByte(f.processed())
                .writeShort(f.runs().size());
        for (AckFrame.OffsetRun r : f.runs()) {
            out.writeInt((int) r.count()).writeLong(r.firstOffset());
        }
        end(out, at);
    }

    /** Writes a MESSAGES frame straight from a read's payloads. */
    public static void messages(ByteBuf out, int requestId, long fromOffset, long firstOffset, long endOffset,
            List<byte[]> messages) {
        int at = begin(out, FrameType.MESSAGES);
        out.writeInt(requestId).writeLong(fromOffset).writeLong(firstOffset).writeLong(endOffset)
                .writeInt(messages.size());
        for (byte[] m : messages) {
            out.writeInt(m.length).writeBytes(m);
        }
        end(out, at);
    }

    /** Writes an ERROR frame; text beyond {@link ErrorFrame#MAX_TEXT_BYTES} UTF-8 bytes is cut. */
    public static void error(ByteBuf out, ErrorFrame f) {
        int at = begin(out, FrameType.ERROR);
        out.writeShort(f.code()).writeInt(f.requestId()).writeLong(f.firstSequence()).writeInt((int) f.count())
                .writeLong(f.detail());
        byte[] text = f.text().getBytes(StandardCharsets.UTF_8);
        int n = Math.min(text.length, ErrorFrame.MAX_TEXT_BYTES);
        out.writeShort(n).writeBytes(text, 0, n);
        end(out, at);
    }

    private static void streamName(ByteBuf out, String stream) {
        byte[] name = StreamKeys.nameBytes(stream);
        out.writeByte(name.length).writeBytes(name);
    }

    /** Writes the header with a placeholder length; returns the header's index. */
    private static int begin(ByteBuf out, FrameType type) {
        int at = out.writerIndex();
        out.writeByte(VERSION).writeByte(type.id).writeInt(0);
        return at;
    }

    /** Fills in the body length of the frame whose header is at {@code at}. */
    private static void end(ByteBuf out, int at) {
        out.setInt(at + 2, out.writerIndex() - at - HEADER_BYTES);
    }
}
