package io.scalesmall.stream.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;

/** Hex helpers for the protocol tests. */
final class Hex {
    private Hex() {
    }

    /** Parses hex, ignoring spaces. */
    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex.replace(" ", ""));
    }

    static String of(byte[] b) {
        return ByteBufUtil.hexDump(b);
    }

    /** Encodes a frame to bytes. */
    static byte[] encode(Frame f) {
        ByteBuf out = Unpooled.buffer();
        FrameCodec.encode(f, out);
        return ByteBufUtil.getBytes(out);
    }

    /** Decodes bytes as one frame with the hard maximum as the limit. */
    static Frame decode(byte[] b) throws ProtocolException {
        return FrameDecoder.decode(Unpooled.wrappedBuffer(b), FrameCodec.HARD_MAX_FRAME_BYTES);
    }
}
