package io.scalesmall.stream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One frame of every type, pinned byte for byte as docs/wire-format.md (part 2) lays it out (the hex is written from
 * the document, field by field, not produced by the encoder). Each must encode to exactly these bytes and decode
 * back to the same fields. A change here is a change of the wire format: bump the version or add a type instead.
 */
class GoldenBytesTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void pin(Frame frame, String hex) throws ProtocolException {
        byte[] golden = Hex.bytes(hex);
        assertThat(Hex.of(Hex.encode(frame))).as("%s encodes to the golden bytes", frame.type())
                .isEqualTo(Hex.of(golden));
        Frame back = Hex.decode(golden);
        assertThat(back.type()).isEqualTo(frame.type());
        assertThat(Hex.of(Hex.encode(back))).isEqualTo(Hex.of(golden));
    }

    @Test
    void init() throws ProtocolException {
        InitFrame f = new InitFrame(0x0102030405060708L, AckMode.disk(1), 1, 0, "s1", List.of(utf8("A")));
        pin(f, "01 01 00000012  0102030405060708 02 01 01 00  02 7331  01 01 41");
        InitFrame back = (InitFrame) Hex.decode(Hex.encode(f));
        assertThat(back.producerId()).isEqualTo(0x0102030405060708L);
        assertThat(back.ack()).isEqualTo(AckMode.disk(1));
        assertThat(back.stream()).isEqualTo("s1");
        assertThat(back.exclude()).singleElement().isEqualTo(utf8("A"));
        pin(new InitFrame(0, AckMode.NONE, 1, 3, "é", List.of()),
                "01 01 00000010  0000000000000000 00 00 01 03  02 c3a9  00");
    }

    @Test
    void initOk() throws ProtocolException {
        pin(new InitOkFrame(65536, 1 << 20, 64), "01 02 0000000c  00010000 00100000 00000040");
    }

    @Test
    void dataFromAnArrayWritesTheSameGoldenBytesIntoAnyBuffer() {
        byte[][] messages = {utf8("hi"), new byte[0], utf8("unused: past count")};
        String golden = Hex.of(Hex.bytes("01 03 00000016  0000000000000005 00000002  00000002 6869  00000000"));
        for (io.netty.buffer.ByteBuf out : List.of(io.netty.buffer.Unpooled.directBuffer(3),
                io.netty.buffer.Unpooled.buffer(64).writeByte(0x7f), io.netty.buffer.Unpooled.compositeBuffer())) {
            int before = out.writerIndex();
            FrameCodec.data(out, 5, messages, 2, 2 * FrameCodec.PER_MESSAGE_BYTES + 2);
            byte[] got = new byte[out.writerIndex() - before];
            out.getBytes(before, got);
            assertThat(Hex.of(got)).as(out.getClass().getSimpleName()).isEqualTo(golden);
            out.release();
        }
        io.netty.buffer.ByteBuf out = io.netty.buffer.Unpooled.buffer();
        assertThatThrownBy(() -> FrameCodec.data(out, 5, messages, 2, 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("less than the messages hold");
        assertThatThrownBy(() -> FrameCodec.data(out, 5, messages, 2, 11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("more than the messages hold");
        assertThatThrownBy(() -> FrameCodec.data(out, 5, messages, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> FrameCodec.data(out, 5, messages, 2, -1)).as("a negative count, not an overflow")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("less than the messages hold");
        out.release();
    }

    @Test
    void data() throws ProtocolException {
        pin(new DataFrame(5, List.of(utf8("hi"), new byte[0])),
                "01 03 00000016  0000000000000005 00000002  00000002 6869  00000000");
        DataFrame back = (DataFrame) Hex.decode(Hex.bytes("01 03 00000016 0000000000000005 00000002 00000002 6869 00000000"));
        assertThat(back.firstSequence()).isEqualTo(5);
        assertThat(back.lastSequence()).isEqualTo(6);
        assertThat(back.messages()).containsExactly(utf8("hi"), new byte[0]);
        byte[] golden = Hex.bytes("01 03 00000016 0000000000000005 00000002 00000002 6869 00000000");
        DataView view = (DataView) FrameDecoder.decodeInPlace(io.netty.buffer.Unpooled.wrappedBuffer(golden),
                FrameCodec.HARD_MAX_FRAME_BYTES);
        assertThat(view.firstSequence()).isEqualTo(5);
        assertThat(view.messages().toList()).containsExactly(utf8("hi"), new byte[0]);
        assertThat(Hex.of(Hex.encode(view))).as("the in-place form encodes to the same bytes").isEqualTo(Hex.of(golden));
    }

    @Test
    void ack() throws ProtocolException {
        AckFrame f = new AckFrame(9, 4, 1, 1, List.of(new AckFrame.OffsetRun(3, 100),
                new AckFrame.OffsetRun(2, AckFrame.UNKNOWN_OFFSET)));
        pin(f, "01 04 00000028  0000000000000009 00000004 01 01 0002  00000003 0000000000000064"
                + "  00000002 ffffffffffffffff");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
    }

    @Test
    void fetch() throws ProtocolException {
        FetchFrame f = new FetchFrame(7, "s", 10, 100, 65536, 500);
        pin(f, "01 05 0000001a  00000007 000000000000000a 00000064 00010000 000001f4  01 73");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
    }

    @Test
    void messages() throws ProtocolException {
        pin(new MessagesFrame(7, 10, 0, 12, List.of(utf8("a"), utf8("bc"))),
                "01 06 0000002b  00000007 000000000000000a 0000000000000000 000000000000000c 00000002"
                        + "  00000001 61  00000002 6263");
        pin(new MessagesFrame(8, 12, 0, 12, List.of()),
                "01 06 00000020  00000008 000000000000000c 0000000000000000 000000000000000c 00000000");
    }

    @Test
    void offsets() throws ProtocolException {
        OffsetsFrame f = new OffsetsFrame(3, "s");
        pin(f, "01 07 00000006  00000003 01 73");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
    }

    @Test
    void offsetsReply() throws ProtocolException {
        OffsetsReplyFrame f = new OffsetsReplyFrame(3, 5, 12);
        pin(f, "01 08 00000014  00000003 0000000000000005 000000000000000c");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
    }

    @Test
    void error() throws ProtocolException {
        ErrorFrame f = ErrorFrame.of(ErrorCode.LOG_FULL, 0, 5, 2, 0, "full");
        pin(f, "01 09 00000020  0008 00000000 0000000000000005 00000002 0000000000000000  0004 66756c6c");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
    }

    @Test
    void replicate() throws ProtocolException {
        pin(new ReplicateFrame(100, 0x0102030405060708L, 5, List.of(utf8("hi"))),
                "01 0a 00000022  0000000000000064 0102030405060708 0000000000000005 00000001  00000002 6869");
        ReplicateFrame back = (ReplicateFrame) Hex.decode(Hex.bytes(
                "01 0a 00000022 0000000000000064 0102030405060708 0000000000000005 00000001 00000002 6869"));
        assertThat(back.firstOffset()).isEqualTo(100);
        assertThat(back.endOffset()).isEqualTo(101);
        assertThat(back.producerId()).isEqualTo(0x0102030405060708L);
        assertThat(back.firstSequence()).isEqualTo(5);
        assertThat(back.messages()).containsExactly(utf8("hi"));
    }

    @Test
    void replicateRules() {
        // producer 0 (re-read from the log) carries sequence 0; a sequence with it is malformed
        assertThatThrownBy(() -> Hex.decode(Hex.bytes(
                "01 0a 00000022 0000000000000064 0000000000000000 0000000000000005 00000001 00000002 6869")))
                .isInstanceOf(ProtocolException.class).extracting(e -> ((ProtocolException) e).code())
                .isEqualTo(ErrorCode.MALFORMED);
        // an offset whose last message would pass 2^63-1
        assertThatThrownBy(() -> Hex.decode(Hex.bytes(
                "01 0a 00000022 7fffffffffffffff 0000000000000000 0000000000000000 00000001 00000002 6869")))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void chainAck() throws ProtocolException {
        ChainAckFrame f = new ChainAckFrame(new long[] {12, 10}, new long[] {10, 7});
        pin(f, "01 0b 00000021  02  000000000000000c 000000000000000a  000000000000000a 0000000000000007");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
        assertThat(f.deliveredCopies(9)).isEqualTo(2);
        assertThat(f.deliveredCopies(11)).isEqualTo(1);
        assertThat(f.processedCopies(7)).isEqualTo(1);
        assertThat(f.processedCopies(10)).isZero();
        // increasing watermarks, or no copy at all, are malformed
        assertThatThrownBy(() -> Hex.decode(Hex.bytes(
                "01 0b 00000021 02 000000000000000a 000000000000000c 000000000000000a 0000000000000007")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Hex.decode(Hex.bytes("01 0b 00000001 00"))).isInstanceOf(ProtocolException.class);
    }

    @Test
    void pull() throws ProtocolException {
        PullFrame f = new PullFrame(7, "s", 10, 100, 65536, "127.0.0.1:9");
        pin(f, "01 0c 00000022  00000007 000000000000000a 00000064 00010000  01 73  0b 3132372e302e302e313a39");
        assertThat(Hex.decode(Hex.encode(f))).isEqualTo(f);
        // an empty head address, and one that is not UTF-8, are malformed
        assertThatThrownBy(() -> Hex.decode(Hex.bytes("01 0c 00000017 00000007 000000000000000a 00000064 00010000 01 73 00")))
                .isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> Hex.decode(Hex.bytes("01 0c 00000018 00000007 000000000000000a 00000064 00010000 01 73 01 ff")))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void typeAndErrorIdsAreStable() {
        assertThat(FrameType.values()).extracting(t -> t.id).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assertThat(ErrorCode.values()).extracting(c -> c.id)
                .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16);
        assertThat(AckMode.Level.values()).extracting(l -> l.id).containsExactly(0, 1, 2);
    }
}
