package io.scalesmall.stream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Cuts a TCP byte stream into whole frames (docs/wire-format.md §S2): reads the 6-byte header, checks the
 * version and that the frame fits {@code maxFrameBytes} <em>before</em> waiting for or buffering its body, then
 * passes on a retained slice holding exactly one frame (header included) for {@link FrameDecoder}. On a bad header
 * it throws a {@link DecoderException} whose cause is a fatal {@link ProtocolException}, and discards everything
 * that follows (the connection is to be closed). One instance per connection (not sharable).
 */
public final class FrameSplitter extends ByteToMessageDecoder {
    private final int maxFrameBytes;
    /** Set after a bad header: the rest of the stream is ignored. Event-loop thread only. */
    private boolean failed;

    /** @param maxFrameBytes the largest frame accepted, header included, 6..{@link FrameCodec#HARD_MAX_FRAME_BYTES} */
    public FrameSplitter(int maxFrameBytes) {
        if (maxFrameBytes < FrameCodec.HEADER_BYTES || maxFrameBytes > FrameCodec.HARD_MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes must be in " + FrameCodec.HEADER_BYTES + ".."
                    + FrameCodec.HARD_MAX_FRAME_BYTES + ", got " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= FrameCodec.HEADER_BYTES) {
            int at = in.readerIndex();
            int version = in.getUnsignedByte(at);
            if (version != FrameCodec.VERSION) {
                fail(in, new ProtocolException(ErrorCode.UNSUPPORTED_VERSION, "version " + version + " is not "
                        + FrameCodec.VERSION));
            }
            long size = in.getUnsignedInt(at + 2) + FrameCodec.HEADER_BYTES;
            if (size > maxFrameBytes) {
                fail(in, new ProtocolException(ErrorCode.FRAME_TOO_LARGE, "a frame of " + size
                        + " bytes exceeds the limit of " + maxFrameBytes));
            }
            if (in.readableBytes() < size) {
                return;
            }
            out.add(in.readRetainedSlice((int) size));
        }
    }

    private void fail(ByteBuf in, ProtocolException e) {
        failed = true;
        in.skipBytes(in.readableBytes());
        throw new DecoderException(e);
    }

    /** @return the limit this splitter enforces, header included */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }
}
