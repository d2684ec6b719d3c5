package io.scalesmall.stream.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.IllegalReferenceCountException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Rejections, one per check of docs/wire-format.md §S3, each with the code the node reports. */
class FrameDecoderTest {
    private static ErrorCode codeOf(String hex) {
        try {
            Hex.decode(Hex.bytes(hex));
        } catch (ProtocolException e) {
            return e.code();
        }
        throw new AssertionError("accepted: " + hex);
    }

    @Test
    void headerChecks() {
        assertThat(codeOf("01 03 0000")).isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("02 07 00000006 00000003 01 73")).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
        assertThat(codeOf("01 63 00000000")).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(codeOf("01 00 00000000")).isEqualTo(ErrorCode.UNKNOWN_TYPE);
        assertThat(codeOf("01 07 00000007 00000003 01 73")).as("length beyond the bytes").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 07 00000005 00000003 01 73")).as("bytes beyond the length").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 07 7fffffff")).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void frameLimitIsCheckedBeforeTheBody() {
        byte[] b = Hex.bytes("01 07 00000006 00000003 01 73");
        assertThatThrownBy(() -> FrameDecoder.decode(Unpooled.wrappedBuffer(b), 11))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
    }

    @Test
    void bodyChecks() {
        assertThat(codeOf("01 07 00000007 00000003 01 73 00")).as("trailing byte").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 03 0000000c 0000000000000005 00000000")).as("empty DATA").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 03 0000000c 8000000000000005 00000000")).as("negative sequence").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 03 00000010 0000000000000005 ffffffff 00000000")).as("count beyond the bytes")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 03 00000012 0000000000000005 00000001 00000003 6869")).as("message beyond the bytes")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 01 00000010 0000000000000000 03 00 01 00 02 c3a9 00")).as("ack level 3")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 01 00000010 0000000000000000 01 00 01 00 02 c3a9 00")).as("memory=0")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 01 00000010 0000000000000000 02 01 00 00 02 c3a9 00")).as("redundancy 0")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 01 00000010 0000000000000000 02 01 01 00 02 c3a9 41")).as("65 exclude entries, none there")
                .isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 04 00000028 0000000000000009 00000004 01 01 0002 00000003 0000000000000064"
                + " 00000001 ffffffffffffffff")).as("runs not adding up to skipped + 1").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 04 0000001c 0000000000000001 00000004 01 01 0001 00000005 0000000000000064"))
                .as("skipped beyond last").isEqualTo(ErrorCode.MALFORMED);
        assertThat(codeOf("01 08 00000014 00000003 0000000000000005 0000000000000004")).as("end before first")
                .isEqualTo(ErrorCode.MALFORMED);
    }

    @Test
    void badStreamNamesFailOnlyTheirRequest() {
        for (String hex : List.of("01 07 00000005 00000009 00", "01 07 00000006 00000009 01 ff",
                "01 07 00000008 00000009 03 eda080")) {
            assertThatThrownBy(() -> Hex.decode(Hex.bytes(hex))).isInstanceOfSatisfying(ProtocolException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.BAD_STREAM_NAME);
                assertThat(e.fatal()).isFalse();
                assertThat(e.requestId()).isEqualTo(9);
            });
        }
    }

    @Test
    void ackModesParse() {
        assertThat(AckMode.parse("none")).isEqualTo(AckMode.NONE);
        assertThat(AckMode.parse("Memory=1")).isEqualTo(AckMode.memory(1));
        assertThat(AckMode.parse("disk=3")).isEqualTo(AckMode.disk(3));
        assertThat(AckMode.parse("disk=1")).hasToString("disk=1");
        for (String bad : List.of("", "memory", "disk=0", "disk=256", "disk=x", "fast=1", "none=1")) {
            assertThatThrownBy(() -> AckMode.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ack");
        }
    }

    @Test
    void dataInPlaceIsAViewOfTheFrameBuffer() throws ProtocolException {
        ByteBuf buf = Unpooled.buffer();
        FrameCodec.data(buf, 9, List.of("hi".getBytes(StandardCharsets.UTF_8), new byte[0], new byte[] {1, 2, 3}));
        DataView v = (DataView) FrameDecoder.decodeInPlace(buf, FrameCodec.HARD_MAX_FRAME_BYTES);
        assertThat(v.firstSequence()).isEqualTo(9);
        assertThat(v.lastSequence()).isEqualTo(11);
        assertThat(v.messages().count()).isEqualTo(3);
        assertThat(v.messages().bodyBytes()).isEqualTo(4 + 2 + 4 + 4 + 3);
        assertThat(v.messages().payloadBytes()).isEqualTo(5);
        assertThat(buf.refCnt()).as("the view holds no reference").isEqualTo(1);
        int at = FrameCodec.DATA_OVERHEAD_BYTES + 4; // the first message's first byte
        buf.setByte(at, 'H');
        assertThat(v.messages().toList().get(0)).as("not a copy").isEqualTo("Hi".getBytes(StandardCharsets.UTF_8));
        assertThat(v.messages().nioBody().getInt(0)).isEqualTo(2);
        assertThat(FrameDecoder.decodeInPlace(Unpooled.wrappedBuffer(Hex.encode(new OffsetsFrame(1, "s"))),
                FrameCodec.HARD_MAX_FRAME_BYTES)).as("other types as decode returns them").isEqualTo(new OffsetsFrame(1, "s"));
        buf.release();
        assertThatThrownBy(() -> v.messages().toList()).as("used after release: fails loudly")
                .isInstanceOf(IllegalReferenceCountException.class);
    }
}
