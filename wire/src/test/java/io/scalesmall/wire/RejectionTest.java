package io.scalesmall.wire;

import static io.scalesmall.wire.TestSupport.KEY_00_1F;
import static io.scalesmall.wire.TestSupport.KEY_20_3F;
import static io.scalesmall.wire.TestSupport.LABEL;
import static io.scalesmall.wire.TestSupport.SMALL_MAX;
import static io.scalesmall.wire.TestSupport.hex;
import static io.scalesmall.wire.TestSupport.putInt;
import static io.scalesmall.wire.TestSupport.seal;
import static io.scalesmall.wire.TestSupport.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.protobuf.ByteString;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.CodecException.Reason;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import io.scalesmall.wire.proto.BroadcastIdMsg;
import io.scalesmall.wire.proto.DigestMsg;
import io.scalesmall.wire.proto.DotSetMsg;
import io.scalesmall.wire.proto.GossipMsg;
import io.scalesmall.wire.proto.GroupStateMsg;
import io.scalesmall.wire.proto.ItemMsg;
import io.scalesmall.wire.proto.MemberMsg;
import io.scalesmall.wire.proto.NetIdMsg;
import io.scalesmall.wire.proto.ProbeMsg;
import io.scalesmall.wire.proto.SeqMsg;
import io.scalesmall.wire.proto.SwimEntryMsg;
import io.scalesmall.wire.proto.SwimMsg;
import io.scalesmall.wire.proto.UpdateMsg;
import io.scalesmall.wire.proto.WorldClockMsg;
import java.util.Arrays;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every way a frame can be bad is rejected with a {@link CodecException} of the right reason. */
class RejectionTest {
    private static final byte[] NONCE = TestSupport.bytes(0x10, 12);
    /** Nothing is compressed by this codec, so hostile payloads reach the parser as written. */
    private static final FrameCodec CODEC = new FrameCodec(
            new FrameConfig(LABEL, Keyring.of(KEY_00_1F), SMALL_MAX, Integer.MAX_VALUE), TestSupport.fixedNonce(NONCE));
    private static final Wire WIRE = new Wire(CODEC);

    /** Two AES-128 keys found by a birthday search whose key ids collide (both 0xfc14da02). */
    static final byte[] COLLIDING_1 = unhex("3baf154cea0263a38b122fd8d1cd0ba7");
    static final byte[] COLLIDING_2 = unhex("cfd68098699bcb7a465bae82cbad139d");

    private static CodecException rejected(ThrowingCallable call, Reason reason) {
        Throwable[] caught = new Throwable[1];
        assertThatThrownBy(() -> {
            try {
                call.call();
            } catch (Throwable t) {
                caught[0] = t;
                throw t;
            }
        }).isInstanceOf(CodecException.class);
        CodecException e = (CodecException) caught[0];
        assertThat(e.reason()).as("reason of: %s", e.getMessage()).isEqualTo(reason);
        assertThat(e.getMessage()).startsWith(reason + ": ");
        return e;
    }

    private static CodecException rejected(byte[] frame, Reason reason) {
        return rejected(() -> WIRE.decode(frame), reason);
    }

    private static byte[] validFrame() {
        return WIRE.encode(new DigestMessage("g", 42, WorldClock.empty().with(TestSupport.v4(10, 0, 0, 1, 80),
                DotSet.upTo(7, 3))));
    }

    /** A frame sealed like {@link #CODEC} would with the LZ4 flag set around {@code body}. */
    private static byte[] compressedFrame(int typeId, byte[] body) {
        return seal(KEY_00_1F, LABEL, typeId, FrameCodec.FLAG_LZ4, NONCE, body);
    }

    private static byte[] flip(byte[] frame, int bit) {
        byte[] f = frame.clone();
        f[bit / 8] ^= (byte) (1 << (bit % 8));
        return f;
    }

    @Test
    void theValidFrameDecodes() throws CodecException {
        assertThat(WIRE.decode(validFrame())).isInstanceOf(DigestMessage.class);
    }

    // ---- keys and labels ------------------------------------------------------------------------------

    @Test
    void aKeyringWithoutTheSealingKeyRejectsWithUnknownKey() {
        Wire other = new Wire(FrameConfig.of(LABEL, Keyring.of(KEY_20_3F, TestSupport.KEY_40_4F)));
        CodecException e = rejected(() -> other.decode(validFrame()), Reason.UNKNOWN_KEY);
        assertThat(e.getMessage()).contains(String.format("%08x", TestSupport.keyIdOf(KEY_00_1F)));
    }

    @Test
    void aDifferentKeyWithTheSameKeyIdFailsAuthentication() throws CodecException {
        assertThat(TestSupport.keyIdOf(COLLIDING_1)).isEqualTo(TestSupport.keyIdOf(COLLIDING_2)).isEqualTo(0xfc14da02);
        assertThat(Keyring.of(COLLIDING_1).primary().id()).isEqualTo(Keyring.of(COLLIDING_2).primary().id());
        DigestMessage m = new DigestMessage("g", 1, WorldClock.empty());
        byte[] frame = new Wire(FrameConfig.of(LABEL, Keyring.of(COLLIDING_1))).encode(m);
        rejected(() -> new Wire(FrameConfig.of(LABEL, Keyring.of(COLLIDING_2))).decode(frame),
                Reason.AUTHENTICATION_FAILED);
        // With both keys accepted, the codec tries each key of that id.
        assertThat(new Wire(FrameConfig.of(LABEL, Keyring.of(COLLIDING_2, COLLIDING_1))).decode(frame)).isEqualTo(m);
        byte[] frame2 = new Wire(FrameConfig.of(LABEL, Keyring.of(COLLIDING_2))).encode(m);
        assertThat(new Wire(FrameConfig.of(LABEL, Keyring.of(COLLIDING_1, COLLIDING_2))).decode(frame2)).isEqualTo(m);
    }

    @Test
    void aWrongClusterLabelWithTheRightKeyFailsAuthentication() throws CodecException {
        byte[] frame = validFrame();
        for (String label : new String[] {"", "test-cluster2", "Test-cluster", "other"}) {
            Wire other = new Wire(FrameConfig.of(label, Keyring.of(KEY_00_1F)));
            rejected(() -> other.decode(frame), Reason.AUTHENTICATION_FAILED);
        }
        assertThat(new Wire(FrameConfig.of(LABEL, Keyring.of(KEY_00_1F))).decode(frame)).isInstanceOf(DigestMessage.class);
    }

    @Test
    void anEmptyLabelAndNoLabelAreTheSame_butDifferFromAnyOther() throws CodecException {
        Wire empty = new Wire(FrameConfig.of("", Keyring.of(KEY_00_1F)));
        byte[] frame = empty.encode(new DigestMessage("g", 1, WorldClock.empty()));
        assertThat(empty.decode(frame)).isInstanceOf(DigestMessage.class);
        rejected(() -> new Wire(FrameConfig.of("\0", Keyring.of(KEY_00_1F))).decode(frame), Reason.AUTHENTICATION_FAILED);
    }

    // ---- bit flips ------------------------------------------------------------------------------------

    @Test
    void everyBitFlipInNonceCiphertextOrTagFailsAuthentication() {
        for (byte[] frame : new byte[][] {validFrame(), compressedFrame(FrameType.DIGEST.id(), TestSupport.lz4Body(
                Messages.toBytes(new DigestMessage("g".repeat(200), 1, WorldClock.empty()))))}) {
            for (int bit = FrameCodec.HEADER_BYTES * 8; bit < frame.length * 8; bit++) {
                byte[] f = flip(frame, bit);
                int at = bit;
                assertThatThrownBy(() -> WIRE.decode(f)).as("bit %d", at).isInstanceOf(CodecException.class)
                        .extracting(e -> ((CodecException) e).reason()).isEqualTo(Reason.AUTHENTICATION_FAILED);
            }
        }
    }

    @Test
    void headerBitFlipsAreRejectedByField() {
        byte[] frame = validFrame();
        int length = frame.length - FrameCodec.HEADER_BYTES;
        for (int bit = 0; bit < FrameCodec.HEADER_BYTES * 8; bit++) {
            byte[] f = flip(frame, bit);
            int offset = bit / 8;
            Reason expected;
            if (offset < 2) {
                expected = Reason.BAD_MAGIC;
            } else if (offset == 2) {
                expected = Reason.UNSUPPORTED_VERSION;
            } else if (offset == 3) {
                expected = Reason.AUTHENTICATION_FAILED; // the type is authenticated, checked after the tag
            } else if (offset == 4) {
                expected = bit % 8 == 0 ? Reason.AUTHENTICATION_FAILED : Reason.UNSUPPORTED_FLAGS;
            } else if (offset < 9) {
                expected = Reason.UNKNOWN_KEY;
            } else {
                long announced = TestSupport.getInt(f, 9) & 0xFFFF_FFFFL;
                if (FrameCodec.HEADER_BYTES + announced > SMALL_MAX) {
                    expected = Reason.OVERSIZED;
                } else if (announced < FrameCodec.NONCE_BYTES + FrameCodec.TAG_BYTES || announced > length) {
                    expected = Reason.TRUNCATED;
                } else {
                    expected = Reason.MALFORMED; // shorter than the bytes given: trailing bytes
                }
            }
            rejected(f, expected);
        }
    }

    @Test
    void theLengthFieldFlipsCoverAllThreeOutcomes() {
        byte[] frame = validFrame();
        int length = frame.length - FrameCodec.HEADER_BYTES;
        assertThat(length).isBetween(33, 255);
        byte[] longer = frame.clone();
        putInt(longer, 9, length + 1);
        rejected(longer, Reason.TRUNCATED);
        byte[] shorter = frame.clone();
        putInt(shorter, 9, length - 1);
        rejected(shorter, Reason.MALFORMED);
        byte[] huge = frame.clone();
        putInt(huge, 9, SMALL_MAX);
        rejected(huge, Reason.OVERSIZED);
        byte[] tiny = frame.clone();
        putInt(tiny, 9, 27);
        rejected(tiny, Reason.TRUNCATED);
    }

    // ---- lengths --------------------------------------------------------------------------------------

    @Test
    void everyTruncationIsRejectedAsTruncated() {
        byte[] frame = validFrame();
        for (int n = 0; n < frame.length; n++) {
            byte[] f = Arrays.copyOf(frame, n);
            rejected(f, Reason.TRUNCATED);
            // The same bytes at an offset inside a larger buffer.
            byte[] buf = new byte[n + 5];
            System.arraycopy(frame, 0, buf, 3, n);
            int len = n;
            rejected(() -> WIRE.decode(buf, 3, len), Reason.TRUNCATED);
        }
    }

    @Test
    void trailingBytesAreRejectedAsMalformed() {
        byte[] frame = validFrame();
        for (int extra = 1; extra <= 3; extra++) {
            CodecException e = rejected(Arrays.copyOf(frame, frame.length + extra), Reason.MALFORMED);
            assertThat(e.getMessage()).contains(extra + " bytes after the frame");
        }
    }

    @Test
    void bodyLengthReadsAndChecksTheHeaderAlone() throws CodecException {
        byte[] frame = validFrame();
        assertThat(CODEC.bodyLength(frame, 0, FrameCodec.HEADER_BYTES)).isEqualTo(frame.length - 13);
        rejected(() -> CODEC.bodyLength(frame, 0, 12), Reason.TRUNCATED);
        byte[] huge = frame.clone();
        putInt(huge, 9, -1);
        rejected(() -> CODEC.bodyLength(huge, 0, 13), Reason.OVERSIZED);
    }

    /** Decodes, expecting a rejection, and returns the bytes the decode allocated (the least of 3 tries). */
    private static long allocationOfRejection(ThrowingCallable decode, Reason reason) {
        long least = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3; attempt++) {
            CodecException caught = null;
            long before = TestSupport.allocatedBytes();
            try {
                decode.call();
            } catch (CodecException e) {
                caught = e;
            } catch (Throwable t) {
                throw new AssertionError("not a CodecException", t);
            }
            long allocated = TestSupport.allocatedBytes() - before;
            assertThat(caught).as("rejected").isNotNull();
            assertThat(caught.reason()).as(caught.getMessage()).isEqualTo(reason);
            least = Math.min(least, allocated);
        }
        return least;
    }

    @Test
    void aLengthFieldAboveTheMaximumIsRejectedWithoutAllocatingIt() {
        assumeThat(TestSupport.allocationMeasurable()).isTrue();
        FrameCodec big = new FrameCodec(new FrameConfig(LABEL, Keyring.of(KEY_00_1F), FrameConfig.MAX_FRAME_BYTES, 256));
        for (long announced : new long[] {0xFFFF_FFFFL, 0x8000_0000L, FrameConfig.MAX_FRAME_BYTES - 12L}) {
            byte[] frame = Arrays.copyOf(validFrame(), FrameCodec.HEADER_BYTES + 40);
            putInt(frame, 9, (int) announced);
            assertThat(allocationOfRejection(() -> big.decode(frame), Reason.OVERSIZED))
                    .as("bytes allocated rejecting length %d", announced).isLessThan(16 * 1024);
            // Below the maximum but beyond the bytes at hand: TRUNCATED, equally without allocating it.
            byte[] frame2 = frame.clone();
            putInt(frame2, 9, FrameConfig.MAX_FRAME_BYTES - 13);
            assertThat(allocationOfRejection(() -> big.decode(frame2), Reason.TRUNCATED)).isLessThan(16 * 1024);
        }
    }

    @Test
    void aFrameOfExactlyTheMaximumIsAcceptedAndOneByteMoreIsNot() throws CodecException {
        int overhead = FrameCodec.HEADER_BYTES + FrameCodec.NONCE_BYTES + FrameCodec.TAG_BYTES;
        byte[] payload = new byte[SMALL_MAX - overhead];
        new java.util.Random(1).nextBytes(payload);
        byte[] frame = CODEC.encode(FrameType.GROUP_STATE, payload);
        assertThat(frame).hasSize(SMALL_MAX);
        Frame opened = CODEC.decode(frame);
        assertThat(opened.type()).isEqualTo(FrameType.GROUP_STATE);
        assertThat(opened.payload()).isEqualTo(payload);
        assertThatThrownBy(() -> CODEC.encode(FrameType.GROUP_STATE, new byte[payload.length + 1]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxFrameBytes");
    }

    // ---- authenticated but not acceptable ---------------------------------------------------------------

    @ParameterizedTest(name = "type id {0}")
    @ValueSource(ints = {0, 6, 7, 127, 128, 255})
    void anAuthenticatedFrameOfAnUnknownTypeIsRejected(int typeId) {
        byte[] payload = Messages.toBytes(new DigestMessage("g", 1, WorldClock.empty()));
        byte[] frame = seal(KEY_00_1F, LABEL, typeId, 0, NONCE, payload);
        CodecException e = rejected(frame, Reason.UNKNOWN_TYPE);
        assertThat(e.getMessage()).contains("type id " + typeId);
    }

    @Test
    void theIndependentSealerAgreesWithTheCodec() throws CodecException {
        byte[] payload = Messages.toBytes(new DigestMessage("g", 1, WorldClock.empty()));
        assertThat(hex(seal(KEY_00_1F, LABEL, FrameType.DIGEST.id(), 0, NONCE, payload)))
                .isEqualTo(hex(CODEC.encode(FrameType.DIGEST, payload)));
        assertThat(WIRE.decode(compressedFrame(FrameType.DIGEST.id(), TestSupport.lz4Body(payload))))
                .isEqualTo(new DigestMessage("g", 1, WorldClock.empty()));
    }

    @Test
    void anAuthenticatedFrameOfAnotherVersionIsRejected() {
        byte[] payload = Messages.toBytes(new DigestMessage("g", 1, WorldClock.empty()));
        for (int version : new int[] {0, 2, 255}) {
            byte[] frame = seal(KEY_00_1F, TestSupport.keyIdOf(KEY_00_1F), LABEL, version, FrameType.DIGEST.id(), 0,
                    NONCE, payload);
            rejected(frame, Reason.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void aDeclaredDecompressedLengthAboveTheMaximumIsOversized() {
        assumeThat(TestSupport.allocationMeasurable()).isTrue();
        for (long declared : new long[] {SMALL_MAX + 1L, 0x7FFF_FFFFL, 0xFFFF_FFFFL}) {
            byte[] body = TestSupport.lz4Body(new byte[100]);
            putInt(body, 0, (int) declared);
            byte[] frame = compressedFrame(FrameType.GROUP_STATE.id(), body);
            CodecException e = rejected(frame, Reason.OVERSIZED);
            assertThat(e.getMessage()).contains("decompressed length " + declared);
            assertThat(allocationOfRejection(() -> WIRE.decode(frame), Reason.OVERSIZED))
                    .as("allocated for declared %d", declared).isLessThan(16 * 1024);
        }
    }

    @Test
    void aDeclaredDecompressedLengthOfExactlyTheMaximumIsAccepted() throws CodecException {
        byte[] payload = new byte[SMALL_MAX];
        Frame f = CODEC.decode(compressedFrame(FrameType.GROUP_STATE.id(), TestSupport.lz4Body(payload)));
        assertThat(f.payload()).isEqualTo(payload);
    }

    @Test
    void aGarbageLz4BlockFailsDecompression() {
        byte[] garbage = new byte[64];
        Arrays.fill(garbage, (byte) 0xF7);
        byte[] body = new byte[4 + garbage.length];
        putInt(body, 0, 1000);
        System.arraycopy(garbage, 0, body, 4, garbage.length);
        rejected(compressedFrame(FrameType.GROUP_STATE.id(), body), Reason.DECOMPRESSION_FAILED);
    }

    @Test
    void anLz4BlockOfAnotherLengthThanAnnouncedFailsDecompression() {
        byte[] payload = Messages.toBytes(new GroupStateMessage(TestSupport.writtenState("g", 3)));
        byte[] more = TestSupport.lz4Body(payload);
        putInt(more, 0, payload.length + 1);
        CodecException e = rejected(compressedFrame(FrameType.GROUP_STATE.id(), more), Reason.DECOMPRESSION_FAILED);
        assertThat(e.getMessage()).contains("announced " + (payload.length + 1));
        byte[] less = TestSupport.lz4Body(payload);
        putInt(less, 0, payload.length - 1);
        rejected(compressedFrame(FrameType.GROUP_STATE.id(), less), Reason.DECOMPRESSION_FAILED);
        byte[] cut = TestSupport.lz4Body(payload);
        rejected(compressedFrame(FrameType.GROUP_STATE.id(), Arrays.copyOf(cut, cut.length - 1)),
                Reason.DECOMPRESSION_FAILED);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {0, 1, 3})
    void aCompressedBodyShorterThanItsLengthFieldFailsDecompression(int n) {
        rejected(compressedFrame(FrameType.GROUP_STATE.id(), new byte[n]), Reason.DECOMPRESSION_FAILED);
    }

    // ---- payloads that are not protobuf -----------------------------------------------------------------

    static Stream<Arguments> garbage() {
        return Stream.of(
                Arguments.of("unterminated varint", "ffffffff"),
                Arguments.of("tag zero", "00"),
                Arguments.of("length beyond the end", "0a05ab"),
                Arguments.of("stray end-group", "0c"),
                Arguments.of("invalid UTF-8 in the group name", "0a02c328"),
                Arguments.of("wire type 7", "0f"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("garbage")
    void nonProtobufPayloadsSealedCorrectlyAreMalformed(String name, String hexPayload) {
        for (FrameType type : FrameType.values()) {
            rejected(CODEC.encode(type, unhex(hexPayload)), Reason.MALFORMED);
            rejected(compressedFrame(type.id(), TestSupport.lz4Body(unhex(hexPayload))), Reason.MALFORMED);
        }
    }

    // ---- payloads that break a field rule -----------------------------------------------------------------

    static NetIdMsg.Builder net(int last, int port) {
        return NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(new byte[] {10, 0, 0, (byte) last})).setPort(port);
    }

    static DotSetMsg.Builder dots(NetIdMsg.Builder member, long incarnation, long... ranges) {
        DotSetMsg.Builder b = DotSetMsg.newBuilder().setMember(member).setIncarnation(incarnation);
        for (long r : ranges) {
            b.addRanges(r);
        }
        return b;
    }

    static ItemMsg.Builder item() {
        return ItemMsg.newBuilder().setOp(io.scalesmall.wire.proto.Op.OP_ADD).setStart(0).setEnd(10).setPort(80)
                .setPriority(1).setCounter(3).setTimestampMs(1_700_000_000_000L);
    }

    static MemberMsg.Builder member(int last, ItemMsg.Builder... items) {
        MemberMsg.Builder m = MemberMsg.newBuilder().setClock(dots(net(last, 7000), 5, 0, 5));
        for (ItemMsg.Builder i : items) {
            m.addItems(i);
        }
        return m;
    }

    /** A valid state: two members, items within their clocks. Each hostile case differs from it in one field. */
    static GroupStateMsg.Builder state() {
        return GroupStateMsg.newBuilder().setGroup("g").addMembers(member(1, item()))
                .addMembers(member(2, item(), item().setStart(11).setEnd(20).setOp(io.scalesmall.wire.proto.Op.OP_RMV)));
    }

    static DigestMsg.Builder digest() {
        return DigestMsg.newBuilder().setGroup("g").setDigest(7).setClock(WorldClockMsg.newBuilder()
                .addEntries(dots(net(1, 7000), 5, 0, 5)).addEntries(dots(net(2, 7000), 1, 0, 0, 2, 2)));
    }

    static GossipMsg.Builder gossip() {
        return GossipMsg.newBuilder().setCurrent(BroadcastIdMsg.newBuilder().setOrigin(net(1, 7000)).setSeqno(9))
                .addSeen(BroadcastIdMsg.newBuilder().setOrigin(net(2, 7000)).setSeqno(3)).addDistribution(net(3, 7000))
                .setPayloadType(FrameType.DIGEST.id()).setPayload(digest().build().toByteString());
    }

    @Test
    void theBaseMessagesOfTheHostileCasesAreValid() throws CodecException {
        assertThat(WIRE.decode(CODEC.encode(FrameType.GROUP_STATE, state().build().toByteArray())))
                .isInstanceOf(GroupStateMessage.class);
        assertThat(WIRE.decode(CODEC.encode(FrameType.GROUP_DELTA, state().build().toByteArray())))
                .isInstanceOf(WireMessage.GroupDeltaMessage.class);
        assertThat(WIRE.decode(CODEC.encode(FrameType.DIGEST, digest().build().toByteArray())))
                .isInstanceOf(DigestMessage.class);
        assertThat(WIRE.decode(CODEC.encode(FrameType.GOSSIP, gossip().build().toByteArray())))
                .isInstanceOf(WireMessage.Gossip.class);
    }

    private static GroupStateMsg.Builder stateWithItem(ItemMsg.Builder item) {
        return GroupStateMsg.newBuilder().setGroup("g").addMembers(member(1, item));
    }

    static Stream<Arguments> invalidStates() {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 0, 0, 1};
        return Stream.of(
                Arguments.of("item start > end", stateWithItem(item().setStart(11).setEnd(10)),
                        "members[0].items[0].start: 11 is after end 10"),
                Arguments.of("item port 70000", stateWithItem(item().setPort(70000)),
                        "members[0].items[0].port: 70000"),
                Arguments.of("item op 0", stateWithItem(item().setOpValue(0)), "members[0].items[0].op: 0"),
                Arguments.of("item op 4", stateWithItem(item().setOpValue(4)), "members[0].items[0].op: 4"),
                Arguments.of("item priority 2^31", stateWithItem(item().setPriority(Integer.MIN_VALUE)),
                        "members[0].items[0].priority"),
                Arguments.of("item counter 2^64-1", stateWithItem(item().setCounter(-1)),
                        "members[0].items[0].counter"),
                Arguments.of("item timestamp 2^63", stateWithItem(item().setTimestampMs(Long.MIN_VALUE)),
                        "members[0].items[0].timestampMillis"),
                Arguments.of("item counter above the clock", stateWithItem(item().setCounter(6)),
                        "updatedAt"),
                Arguments.of("item counter in a gap of the clock", GroupStateMsg.newBuilder().setGroup("g")
                        .addMembers(MemberMsg.newBuilder().setClock(dots(net(1, 7000), 5, 0, 1, 3, 5))
                                .addItems(item().setCounter(2))), "not covered"),
                Arguments.of("duplicate item key", stateWithItem(item()).setMembers(0, member(1, item(),
                        item().setCounter(4).setPort(81))), "appears twice"),
                Arguments.of("duplicate member", state().addMembers(member(1)), "members[2].clock.member"),
                Arguments.of("duplicate member as IPv4-mapped IPv6", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(mapped)).setPort(7000), 5, 0, 5))),
                        "appears twice"),
                Arguments.of("address of 5 bytes", state().addMembers(MemberMsg.newBuilder().setClock(dots(
                        NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(new byte[5])).setPort(1), 1, 0, 0))),
                        "members[2].clock.member.address: 5 bytes"),
                Arguments.of("address of 0 bytes", state().addMembers(MemberMsg.newBuilder().setClock(dots(
                        NetIdMsg.newBuilder().setPort(1), 1, 0, 0))), "members[2].clock.member.address: 0 bytes"),
                Arguments.of("member port 0", state().addMembers(MemberMsg.newBuilder().setClock(dots(net(9, 0), 1, 0, 0))),
                        "members[2].clock.member.port: 0"),
                Arguments.of("member port 70000", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 70000), 1, 0, 0))), "members[2].clock.member.port: 70000"),
                Arguments.of("member missing", state().addMembers(MemberMsg.newBuilder()
                        .setClock(DotSetMsg.newBuilder().setIncarnation(1).addRanges(0).addRanges(0))),
                        "members[2].clock.member: missing"),
                Arguments.of("clock missing", state().addMembers(MemberMsg.newBuilder()), "members[2].clock: missing"),
                Arguments.of("overlapping ranges", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), 1, 0, 5, 3, 8))), "members[2].clock.ranges[1]"),
                Arguments.of("unsorted ranges", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), 1, 10, 12, 0, 2))), "members[2].clock.ranges[1]"),
                Arguments.of("range lo > hi", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), 1, 5, 3))), "members[2].clock.ranges[0]"),
                Arguments.of("odd number of range bounds", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), 1, 0, 5, 7))), "members[2].clock.ranges"),
                Arguments.of("no ranges", state().addMembers(MemberMsg.newBuilder().setClock(dots(net(9, 1), 1))),
                        "members[2].clock.ranges: empty"),
                Arguments.of("range bound 2^63", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), 1, 0, Long.MIN_VALUE))), "members[2].clock.ranges[0]"),
                Arguments.of("incarnation 2^63", state().addMembers(MemberMsg.newBuilder()
                        .setClock(dots(net(9, 1), Long.MIN_VALUE, 0, 0))), "members[2].clock.incarnation"),
                Arguments.of("empty group name", state().setGroup(""), "group"),
                Arguments.of("256-byte group name", state().setGroup("x".repeat(256)), "group"),
                Arguments.of("control character in group name", state().setGroup("a\nb"), "group"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidStates")
    void groupStatesBreakingAFieldRuleAreInvalid(String name, GroupStateMsg.Builder msg, String field) {
        for (FrameType type : new FrameType[] {FrameType.GROUP_STATE, FrameType.GROUP_DELTA}) {
            CodecException e = rejected(CODEC.encode(type, msg.build().toByteArray()), Reason.INVALID_FIELD);
            assertThat(e.getMessage()).startsWith("INVALID_FIELD: " + type + ": ").contains(field);
        }
        // Inside a gossip, the same payload is rejected the same way.
        GossipMsg g = gossip().setPayloadType(FrameType.GROUP_STATE.id()).setPayload(msg.build().toByteString()).build();
        CodecException e = rejected(CODEC.encode(FrameType.GOSSIP, g.toByteArray()), Reason.INVALID_FIELD);
        assertThat(e.getMessage()).contains(field);
    }

    static Stream<Arguments> invalidDigests() {
        return Stream.of(
                Arguments.of("empty group", digest().setGroup(""), "group"),
                Arguments.of("control character in group", digest().setGroup("\u0007"), "group"),
                Arguments.of("duplicate member", digest().setClock(digest().getClock().toBuilder()
                        .addEntries(dots(net(1, 7000), 9, 0, 0))), "clock.entries[2].member"),
                Arguments.of("entry without member", digest().setClock(digest().getClock().toBuilder()
                        .addEntries(DotSetMsg.newBuilder().setIncarnation(1).addRanges(0).addRanges(0))),
                        "clock.entries[2].member: missing"),
                Arguments.of("entry of 5-byte address", digest().setClock(digest().getClock().toBuilder()
                        .addEntries(dots(NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(new byte[5])).setPort(1),
                                1, 0, 0))), "clock.entries[2].member.address"),
                Arguments.of("overlapping ranges", digest().setClock(WorldClockMsg.newBuilder()
                        .addEntries(dots(net(1, 7000), 1, 0, 4, 4, 6))), "clock.entries[0].ranges[1]"),
                Arguments.of("no ranges", digest().setClock(WorldClockMsg.newBuilder()
                        .addEntries(dots(net(1, 7000), 1))), "clock.entries[0].ranges: empty"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDigests")
    void digestsBreakingAFieldRuleAreInvalid(String name, DigestMsg.Builder msg, String field) {
        CodecException e = rejected(CODEC.encode(FrameType.DIGEST, msg.build().toByteArray()), Reason.INVALID_FIELD);
        assertThat(e.getMessage()).startsWith("INVALID_FIELD: DIGEST: ").contains(field);
    }

    static Stream<Arguments> invalidGossips() {
        return Stream.of(
                Arguments.of("payload_type GOSSIP", gossip().setPayloadType(FrameType.GOSSIP.id())
                        .setPayload(gossip().build().toByteString()), "payload_type"),
                Arguments.of("current missing", gossip().clearCurrent(), "current: missing"),
                Arguments.of("current origin missing", gossip().setCurrent(BroadcastIdMsg.newBuilder().setSeqno(1)),
                        "current.origin: missing"),
                Arguments.of("current origin port 0", gossip().setCurrent(BroadcastIdMsg.newBuilder()
                        .setOrigin(net(1, 0))), "current.origin.port: 0"),
                Arguments.of("seen seqno 2^63", gossip().addSeen(BroadcastIdMsg.newBuilder().setOrigin(net(5, 1))
                        .setSeqno(Long.MIN_VALUE)), "seen[1].seqno"),
                Arguments.of("seen origin missing", gossip().addSeen(BroadcastIdMsg.newBuilder().setSeqno(1)),
                        "seen[1].origin: missing"),
                Arguments.of("distribution address of 5 bytes", gossip().addDistribution(NetIdMsg.newBuilder()
                        .setAddress(ByteString.copyFrom(new byte[5])).setPort(1)), "distribution[1].address"),
                Arguments.of("invalid payload", gossip().setPayload(digest().setGroup("").build().toByteString()),
                        "group"),
                Arguments.of("payload_type SWIM", gossip().setPayloadType(FrameType.SWIM.id())
                        .setPayload(swim().build().toByteString()), "payload_type"),
                Arguments.of("a ping among the updates", gossip().addUpdates(SwimEntryMsg.newBuilder()
                        .setPing(ProbeMsg.newBuilder().setSeq(1).setTarget(net(1, 7000)))), "updates[0]: a Ping"),
                Arguments.of("an update of no kind", gossip().addUpdates(SwimEntryMsg.newBuilder()),
                        "updates[0].kind: none set"),
                Arguments.of("a suspect without from", gossip().addUpdates(SwimEntryMsg.newBuilder()
                        .setSuspect(UpdateMsg.newBuilder().setMember(net(1, 7000)).setIncarnation(3))),
                        "updates[0].from: missing"));
    }

    static SwimMsg.Builder swim() {
        return SwimMsg.newBuilder().setFrom(net(1, 7000)).addMessages(SwimEntryMsg.newBuilder()
                .setAck(SeqMsg.newBuilder().setSeq(4)));
    }

    static Stream<Arguments> invalidSwims() {
        return Stream.of(
                Arguments.of("from missing", swim().clearFrom(), "from: missing"),
                Arguments.of("from port 0", swim().setFrom(net(1, 0)), "from.port: 0"),
                Arguments.of("no messages", swim().clearMessages(), "messages: empty"),
                Arguments.of("entry of no kind", swim().addMessages(SwimEntryMsg.newBuilder()),
                        "messages[1].kind: none set"),
                Arguments.of("ping without target", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setPing(ProbeMsg.newBuilder().setSeq(1))), "messages[1].target: missing"),
                Arguments.of("ping_req seq 2^63", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setPingReq(ProbeMsg.newBuilder().setSeq(Long.MIN_VALUE).setTarget(net(2, 1)))),
                        "messages[1].seq"),
                Arguments.of("nack seq 2^63", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setNack(SeqMsg.newBuilder().setSeq(-1))), "messages[1].seq"),
                Arguments.of("alive without member", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setAlive(UpdateMsg.newBuilder().setIncarnation(1))), "messages[1].member: missing"),
                Arguments.of("dead incarnation 2^63", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setDead(UpdateMsg.newBuilder().setMember(net(1, 1)).setFrom(net(1, 1))
                                .setIncarnation(Long.MIN_VALUE))), "messages[1].incarnation"),
                Arguments.of("dead member of 5-byte address", swim().addMessages(SwimEntryMsg.newBuilder()
                        .setDead(UpdateMsg.newBuilder().setMember(NetIdMsg.newBuilder()
                                .setAddress(ByteString.copyFrom(new byte[5])).setPort(1)).setFrom(net(1, 1)))),
                        "messages[1].member.address"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidSwims")
    void swimPacketsBreakingAFieldRuleAreInvalid(String name, SwimMsg.Builder msg, String field) {
        CodecException e = rejected(CODEC.encode(FrameType.SWIM, msg.build().toByteArray()), Reason.INVALID_FIELD);
        assertThat(e.getMessage()).startsWith("INVALID_FIELD: SWIM: ").contains(field);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidGossips")
    void gossipsBreakingAFieldRuleAreInvalid(String name, GossipMsg.Builder msg, String field) {
        CodecException e = rejected(CODEC.encode(FrameType.GOSSIP, msg.build().toByteArray()), Reason.INVALID_FIELD);
        assertThat(e.getMessage()).contains(field);
    }

    @ParameterizedTest(name = "payload_type {0}")
    @ValueSource(ints = {0, 6, 255, 256, -1})
    void aGossipOfAnUnknownPayloadTypeIsRejected(int payloadType) {
        byte[] p = gossip().setPayloadType(payloadType).build().toByteArray();
        CodecException e = rejected(CODEC.encode(FrameType.GOSSIP, p), Reason.UNKNOWN_TYPE);
        assertThat(e.getMessage()).contains("payload_type ");
    }

    @Test
    void aGossipWhosePayloadIsNotProtobufIsMalformed() {
        byte[] p = gossip().setPayload(ByteString.copyFrom(unhex("0a05ab"))).build().toByteArray();
        rejected(CODEC.encode(FrameType.GOSSIP, p), Reason.MALFORMED);
    }

    @Test
    void decodingNeverReturnsForAnEmptyOrAllZeroInput() {
        rejected(new byte[0], Reason.TRUNCATED);
        rejected(new byte[13], Reason.BAD_MAGIC);
        rejected(new byte[100], Reason.BAD_MAGIC);
    }
}
