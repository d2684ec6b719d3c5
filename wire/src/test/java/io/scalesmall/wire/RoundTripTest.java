package io.scalesmall.wire;

import static io.scalesmall.wire.TestSupport.KEY_00_1F;
import static io.scalesmall.wire.TestSupport.LABEL;
import static io.scalesmall.wire.TestSupport.SMALL_MAX;
import static io.scalesmall.wire.TestSupport.bid;
import static io.scalesmall.wire.TestSupport.edgeState;
import static io.scalesmall.wire.TestSupport.member;
import static io.scalesmall.wire.TestSupport.v4;
import static io.scalesmall.wire.TestSupport.v6;
import static io.scalesmall.wire.TestSupport.writtenState;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import io.scalesmall.wire.proto.DigestMsg;
import io.scalesmall.wire.proto.DotSetMsg;
import io.scalesmall.wire.proto.GroupStateMsg;
import io.scalesmall.wire.proto.MemberMsg;
import io.scalesmall.wire.proto.NetIdMsg;
import io.scalesmall.wire.proto.WorldClockMsg;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every message type encodes and decodes, through {@link Wire}, to an equal value. */
class RoundTripTest {
    private static final Wire WIRE = TestSupport.wire(KEY_00_1F);

    private static final NetId V4 = v4(192, 0, 2, 10, 7946);
    private static final NetId V6 = v6(0xbeef, 7946);
    private static final NetId MAX_PORT = v4(203, 0, 113, 255, 65535);

    /** Encodes and decodes, checking the frame header on the way, and that re-encoding is byte-identical. */
    private static WireMessage roundTrip(WireMessage m) throws CodecException {
        byte[] frame = WIRE.encode(m);
        assertThat(frame[3] & 0xFF).as("type id").isEqualTo(m.type().id());
        WireMessage back = WIRE.decode(frame);
        assertThat(back).isInstanceOf(m.getClass());
        assertThat(back.type()).isEqualTo(m.type());
        assertThat(back).isEqualTo(m);
        assertThat(Messages.toBytes(back)).as("re-encoded payload").isEqualTo(Messages.toBytes(m));
        return back;
    }

    /** Field-by-field comparison of two states (on top of GroupState.equals). */
    private static void assertSameState(GroupState actual, GroupState expected) {
        assertThat(actual.group()).isEqualTo(expected.group());
        assertThat(actual.worldClock()).isEqualTo(expected.worldClock());
        assertThat(actual.worldClock().entries()).containsExactlyEntriesOf(expected.worldClock().entries());
        assertThat(actual.items()).containsExactlyElementsOf(expected.items());
        assertThat(actual.itemCount()).isEqualTo(expected.itemCount());
        assertThat(actual.digest()).isEqualTo(expected.digest());
        assertThat(actual).isEqualTo(expected);
    }

    static GroupState smallState() {
        return writtenState("small", 3);
    }

    static Stream<Arguments> states() {
        return Stream.of(
                Arguments.of("written by LocalMember, 3 members", smallState()),
                Arguments.of("extreme values", edgeState()),
                Arguments.of("no items (clock only)", GroupState.of("clock-only",
                        WorldClock.empty().with(V4, DotSet.upTo(5, 9)).with(V6, DotSet.of(3, new long[] {2, 4, 8, 8})),
                        List.of())),
                Arguments.of("empty", GroupState.empty("empty")),
                Arguments.of("255-byte group name", GroupState.of("é".repeat(127) + "x",
                        WorldClock.empty().with(V4, DotSet.upTo(1, 0)), List.of())));
    }

    @ParameterizedTest(name = "GROUP_STATE {0}")
    @MethodSource("states")
    void groupState(String name, GroupState state) throws CodecException {
        GroupStateMessage back = (GroupStateMessage) roundTrip(new GroupStateMessage(state));
        assertSameState(back.state(), state);
    }

    @ParameterizedTest(name = "GROUP_DELTA {0}")
    @MethodSource("states")
    void groupDelta(String name, GroupState state) throws CodecException {
        GroupDeltaMessage back = (GroupDeltaMessage) roundTrip(new GroupDeltaMessage(state));
        assertSameState(back.delta(), state);
    }

    @Test
    void groupDeltaComputedByDeltaSince() throws CodecException {
        GroupState s = writtenState("g", 20);
        GroupState older = writtenState("g", 12);
        GroupState delta = s.delta(older.worldClock());
        assertThat(delta.worldClock().size()).isEqualTo(8);
        GroupDeltaMessage back = (GroupDeltaMessage) roundTrip(new GroupDeltaMessage(delta));
        assertSameState(back.delta(), delta);
        assertThat(older.merge(back.delta())).isEqualTo(s);
    }

    @Test
    void theEdgeStateReallyHoldsTheExtremes() throws CodecException {
        GroupState back = ((GroupStateMessage) roundTrip(new GroupStateMessage(edgeState()))).state();
        List<TimedItem> items = back.items();
        assertThat(items).extracting(t -> t.item().op()).contains(Op.ADD, Op.RMV, Op.GET);
        assertThat(items).extracting(t -> t.item().end()).contains(4_294_967_295L);
        assertThat(items).extracting(t -> t.item().start()).contains(4_294_967_295L, 2_147_483_648L);
        assertThat(items).extracting(t -> t.item().port()).contains(65535, 0);
        assertThat(items).extracting(t -> t.item().priority()).contains(Integer.MAX_VALUE);
        assertThat(items).extracting(t -> t.updatedAt().counter()).contains(Long.MAX_VALUE, 1L << 40);
        assertThat(items).extracting(t -> t.updatedAt().incarnation()).contains(Long.MAX_VALUE);
        assertThat(items).extracting(TimedItem::timestampMillis).contains(Long.MAX_VALUE, 0L);
        NetId a = v4(255, 255, 255, 255, 65535);
        assertThat(back.worldClock().get(a).ranges())
                .containsExactly(0, 3, 5, 9, 1L << 40, Long.MAX_VALUE);
        assertThat(back.worldClock().members()).anyMatch(NetId::isIpv6).anyMatch(n -> !n.isIpv6());
        assertThat(back.group()).isEqualTo("edge-Ωμέγα");
    }

    static Stream<Arguments> digests() {
        return Stream.of(
                Arguments.of("multi-range IPv4/IPv6", new DigestMessage("d", 0x8000_0000_0000_0000L, WorldClock.empty()
                        .with(V4, DotSet.of(Long.MAX_VALUE, new long[] {0, 0, 2, 5, 7, Long.MAX_VALUE}))
                        .with(V6, DotSet.upTo(0, 0))
                        .with(MAX_PORT, DotSet.of(17, new long[] {1L << 62, Long.MAX_VALUE})))),
                Arguments.of("empty clock, digest -1", new DigestMessage("d", -1L, WorldClock.empty())),
                Arguments.of("digest 0", new DigestMessage("d", 0L, WorldClock.empty().with(V4, DotSet.upTo(1, 1)))),
                Arguments.of("of a real state", new DigestMessage("big", writtenState("big", 50).digest(),
                        writtenState("big", 50).worldClock())));
    }

    @ParameterizedTest(name = "DIGEST {0}")
    @MethodSource("digests")
    void digest(String name, DigestMessage d) throws CodecException {
        DigestMessage back = (DigestMessage) roundTrip(d);
        assertThat(back.group()).isEqualTo(d.group());
        assertThat(back.digest()).isEqualTo(d.digest());
        assertThat(back.clock()).isEqualTo(d.clock());
        assertThat(back.clock().entries()).containsExactlyEntriesOf(d.clock().entries());
    }

    static Stream<Arguments> gossipPayloads() {
        return Stream.of(
                Arguments.of(new GroupStateMessage(edgeState())),
                Arguments.of(new GroupStateMessage(GroupState.empty("e"))),
                Arguments.of(new GroupDeltaMessage(smallState())),
                Arguments.of(new DigestMessage("d", 12345L, smallState().worldClock())));
    }

    @ParameterizedTest(name = "GOSSIP carrying {0}")
    @MethodSource("gossipPayloads")
    void gossip(WireMessage payload) throws CodecException {
        List<BroadcastId> seen = new ArrayList<>(List.of(bid(V4, 0), bid(V6, Long.MAX_VALUE), bid(MAX_PORT, 17)));
        List<NetId> distribution = new ArrayList<>(List.of(V6, MAX_PORT, v4(10, 0, 0, 1, 1)));
        Gossip g = new Gossip(bid(V4, Long.MAX_VALUE), seen, distribution, payload);
        Gossip back = (Gossip) roundTrip(g);
        assertThat(back.current()).isEqualTo(g.current());
        assertThat(back.seen()).containsExactlyElementsOf(seen);
        assertThat(back.distribution()).containsExactlyElementsOf(distribution);
        assertThat(back.payload()).isEqualTo(payload);
        assertThat(back.payload().type()).isEqualTo(payload.type());
    }

    @Test
    void gossipWithEmptyLists() throws CodecException {
        Gossip g = new Gossip(bid(V6, 0), new ArrayList<>(), new ArrayList<>(), new GroupDeltaMessage(smallState()));
        Gossip back = (Gossip) roundTrip(g);
        assertThat(back.seen()).isEmpty();
        assertThat(back.distribution()).isEmpty();
    }

    @Test
    void anIpv4MappedIpv6AddressIsNormalisedAndRoundTrips() throws CodecException {
        byte[] mapped = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 10, 1, 2, 3};
        NetId n = NetId.of(mapped, 80);
        assertThat(n.isIpv6()).isFalse();
        DigestMessage d = new DigestMessage("g", 1, WorldClock.empty().with(n, DotSet.upTo(1, 1)));
        assertThat(((DigestMessage) roundTrip(d)).clock().members()).containsExactly(v4(10, 1, 2, 3, 80));
    }

    // ---- compression ----------------------------------------------------------------------------------

    @Test
    void aLargeStateIsCompressed() throws CodecException {
        GroupState big = writtenState("large", 1000);
        assertThat(big.itemCount()).isEqualTo(4000);
        assertThat(big.worldClock().size()).isEqualTo(1000);
        assertThat(big.items()).extracting(t -> t.item().op()).contains(Op.ADD, Op.RMV, Op.GET);
        GroupStateMessage m = new GroupStateMessage(big);
        byte[] payload = Messages.toBytes(m);
        byte[] frame = WIRE.encode(m);
        assertThat(frame[4] & FrameCodec.FLAG_LZ4).as("LZ4 flag").isEqualTo(1);
        assertThat(frame.length).as("frame vs payload " + payload.length).isLessThan(payload.length);
        GroupStateMessage back = (GroupStateMessage) WIRE.decode(frame);
        assertSameState(back.state(), big);
        assertThat(back.state().route(250)).extracting(Item::member).containsExactly(member(0));
    }

    @Test
    void aLargeGossipIsCompressedToo() throws CodecException {
        Gossip g = new Gossip(bid(V4, 9), new ArrayList<>(), new ArrayList<>(),
                new GroupDeltaMessage(writtenState("large", 300)));
        byte[] frame = WIRE.encode(g);
        assertThat(frame[4] & FrameCodec.FLAG_LZ4).isEqualTo(1);
        assertThat(frame.length).isLessThan(Messages.toBytes(g).length);
        assertThat(WIRE.decode(frame)).isEqualTo(g);
    }

    @Test
    void aTinyMessageIsNotCompressed() throws CodecException {
        DigestMessage d = new DigestMessage("t", 7, WorldClock.empty().with(V4, DotSet.upTo(1, 1)));
        byte[] payload = Messages.toBytes(d);
        assertThat(payload.length).isLessThan(FrameConfig.DEFAULT_COMPRESSION_THRESHOLD_BYTES);
        byte[] frame = WIRE.encode(d);
        assertThat(frame[4]).as("flags").isEqualTo((byte) 0);
        assertThat(frame.length).isEqualTo(FrameCodec.HEADER_BYTES + FrameCodec.NONCE_BYTES + payload.length
                + FrameCodec.TAG_BYTES);
        assertThat(WIRE.decode(frame)).isEqualTo(d);
    }

    @Test
    void incompressiblePayloadAboveTheThresholdIsSentUncompressed() throws CodecException {
        // Threshold 0: LZ4 is tried on everything, and dropped when it does not save bytes.
        Wire w = new Wire(new FrameConfig(LABEL, Keyring.of(KEY_00_1F), SMALL_MAX, 0));
        DigestMessage d = new DigestMessage("t", 7, WorldClock.empty().with(V4, DotSet.upTo(1, 1)));
        byte[] frame = w.encode(d);
        assertThat(frame[4]).isEqualTo((byte) 0);
        assertThat(w.decode(frame)).isEqualTo(d);
        GroupStateMessage s = new GroupStateMessage(writtenState("g", 30));
        byte[] compressed = w.encode(s);
        assertThat(compressed[4]).isEqualTo((byte) 1);
        assertThat(w.decode(compressed)).isEqualTo(s);
    }

    @Test
    void framesOfEqualMessagesDifferByTheirRandomNonces() throws CodecException {
        DigestMessage d = new DigestMessage("t", 7, WorldClock.empty());
        byte[] a = WIRE.encode(d);
        byte[] b = WIRE.encode(d);
        assertThat(Arrays.copyOfRange(a, 13, 25)).isNotEqualTo(Arrays.copyOfRange(b, 13, 25));
        assertThat(WIRE.decode(a)).isEqualTo(WIRE.decode(b)).isEqualTo(d);
    }

    @Test
    void decodeHonoursOffsetAndLength() throws CodecException {
        DigestMessage d = new DigestMessage("t", 7, WorldClock.empty().with(V6, DotSet.upTo(2, 3)));
        byte[] frame = WIRE.encode(d);
        byte[] buf = new byte[frame.length + 10];
        Arrays.fill(buf, (byte) 0x55);
        System.arraycopy(frame, 0, buf, 7, frame.length);
        assertThat(WIRE.decode(buf, 7, frame.length)).isEqualTo(d);
        assertThat(WIRE.frames().bodyLength(buf, 7, FrameCodec.HEADER_BYTES))
                .isEqualTo(frame.length - FrameCodec.HEADER_BYTES);
    }

    // ---- encode/decode symmetry: what encode produces, decode (same config) must accept -------------------

    @Test
    void encodeRefusesAFrameLargerThanTheMaximum() {
        Wire small = new Wire(new FrameConfig(LABEL, Keyring.of(KEY_00_1F), SMALL_MAX, Integer.MAX_VALUE));
        GroupStateMessage m = new GroupStateMessage(writtenState("g", 2000));
        assertThatThrownBy(() -> small.encode(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameBytes");
    }

    /** A payload a receiver would reject once decompressed is refused at encode (was accepted: a bug). */
    @Test
    void encodeRefusesAPayloadAboveTheMaximumEvenIfItCompressesBelowIt() {
        Wire small = new Wire(new FrameConfig(LABEL, Keyring.of(KEY_00_1F), SMALL_MAX, 256));
        GroupStateMessage m = new GroupStateMessage(writtenState("g", 600));
        assertThat(Messages.toBytes(m).length).isGreaterThan(SMALL_MAX);
        assertThatThrownBy(() -> small.encode(m)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxFrameBytes " + SMALL_MAX);
    }

    /** A clock entry must hold a write: an empty one is refused where it is made (was encoded, then rejected). */
    @Test
    void aClockEntryWithoutWritesIsRefused() {
        assertThatThrownBy(() -> WorldClock.empty().with(V4, DotSet.of(5, new long[0])))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one write");
        assertThat(WorldClock.empty().add(V4, DotSet.of(5, new long[0]))).isEqualTo(WorldClock.empty());
    }

    /**
     * Regression (was a bug, fixed in a8b77aa): the Gossip constructor called {@code seen.contains(null)},
     * which throws NullPointerException for immutable lists (List.of, List.copyOf), so
     * {@code new Gossip(id, List.of(), List.of(), payload)} threw, and so did rebuilding a gossip from a
     * decoded one, whose lists are List.copyOf copies.
     */
    @Test
    void gossipAcceptsImmutableLists() throws CodecException {
        Gossip g = new Gossip(bid(V4, 1), List.of(bid(V6, 2)), List.of(V6), new DigestMessage("g", 1, WorldClock.empty()));
        Gossip back = (Gossip) roundTrip(g);
        Gossip forwarded = new Gossip(back.current(), back.seen(), back.distribution(), back.payload());
        assertThat(forwarded).isEqualTo(g);
    }

    /** The Gossip constructor's documented rejections (IllegalArgumentException naming the field). */
    @Test
    void gossipRejectsNullsAndNesting() {
        DigestMessage d = new DigestMessage("g", 1, WorldClock.empty());
        List<BroadcastId> withNull = new ArrayList<>();
        withNull.add(null);
        assertThatThrownBy(() -> new Gossip(null, new ArrayList<>(), new ArrayList<>(), d))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("current");
        assertThatThrownBy(() -> new Gossip(bid(V4, 1), withNull, new ArrayList<>(), d))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("seen");
        Gossip inner = new Gossip(bid(V4, 1), new ArrayList<>(), new ArrayList<>(), d);
        assertThatThrownBy(() -> new Gossip(bid(V4, 2), new ArrayList<>(), new ArrayList<>(), inner))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("payload");
    }

    /**
     * Not a round trip, by design of the decoder: duplicate distribution entries are dropped on decode (first
     * occurrence kept, order kept), while the encoder sends them. Pinned so a change is deliberate.
     */
    @Test
    void duplicateDistributionEntriesAreDroppedOnDecode() throws CodecException {
        List<NetId> dup = new ArrayList<>(List.of(V6, V4, V6, MAX_PORT, V4));
        Gossip g = new Gossip(bid(V4, 1), new ArrayList<>(), dup, new DigestMessage("g", 1, WorldClock.empty()));
        Gossip back = (Gossip) WIRE.decode(WIRE.encode(g));
        assertThat(back.distribution()).containsExactly(V6, V4, MAX_PORT);
        assertThat(back.current()).isEqualTo(g.current());
        assertThat(back.payload()).isEqualTo(g.payload());
    }

    @Test
    void itemsOfADeltaKeepTheirClocks() throws CodecException {
        GroupState s = smallState();
        TimedItem any = s.items().get(s.items().size() - 1);
        GroupState back = ((GroupStateMessage) roundTrip(new GroupStateMessage(s))).state();
        assertThat(back.itemsOf(any.member()).items()).contains(any);
        assertThat(back.items()).extracting(TimedItem::updatedAt)
                .containsExactlyElementsOf(s.items().stream().map(TimedItem::updatedAt).toList());
    }

    // ---- what docs/wire-format.md §6 says receivers accept -----------------------------------------------

    private static NetIdMsg netMsg(NetId n) {
        return NetIdMsg.newBuilder()
                .setAddress(ByteString.copyFrom(n.addressBytes())).setPort(n.port()).build();
    }

    @Test
    void adjacentRangesMayBeSentApartAndAreCoalesced() throws CodecException {
        DigestMsg d = DigestMsg.newBuilder().setGroup("g")
                .setClock(WorldClockMsg.newBuilder().addEntries(
                        DotSetMsg.newBuilder().setMember(netMsg(V4)).setIncarnation(3)
                                .addRanges(0).addRanges(3).addRanges(4).addRanges(7).addRanges(9).addRanges(9)))
                .build();
        DigestMessage back = (DigestMessage) WIRE.decode(WIRE.frames().encode(FrameType.DIGEST, d.toByteArray()));
        assertThat(back.clock().get(V4)).isEqualTo(DotSet.of(3, new long[] {0, 7, 9, 9}));
        assertThat(back.clock().get(V4).ranges()).containsExactly(0, 7, 9, 9);
    }

    @Test
    void membersAndItemsOutOfCanonicalOrderDecodeToTheSameState() throws Exception {
        GroupState s = writtenState("order", 4);
        GroupStateMsg canonical =
                GroupStateMsg.parseFrom(Messages.toBytes(new GroupStateMessage(s)));
        GroupStateMsg.Builder reversed = canonical.toBuilder().clearMembers();
        for (int i = canonical.getMembersCount() - 1; i >= 0; i--) {
            MemberMsg m = canonical.getMembers(i);
            MemberMsg.Builder r = m.toBuilder().clearItems();
            for (int j = m.getItemsCount() - 1; j >= 0; j--) {
                r.addItems(m.getItems(j));
            }
            reversed.addMembers(r);
        }
        byte[] payload = reversed.build().toByteArray();
        assertThat(payload).isNotEqualTo(canonical.toByteArray());
        GroupStateMessage back = (GroupStateMessage) WIRE.decode(WIRE.frames().encode(FrameType.GROUP_STATE, payload));
        assertSameState(back.state(), s);
    }

    @Test
    void unknownFieldsAreIgnored() throws CodecException {
        DigestMessage d = new DigestMessage("g", 5, WorldClock.empty().with(V6, DotSet.upTo(1, 2)));
        byte[] known = Messages.toBytes(d);
        // Field 15 (varint 1) and field 16 (bytes "xy"), as a later version might add.
        byte[] extra = {0x78, 0x01, (byte) 0x82, 0x01, 0x02, 'x', 'y'};
        byte[] payload = Arrays.copyOf(known, known.length + extra.length);
        System.arraycopy(extra, 0, payload, known.length, extra.length);
        assertThat(WIRE.decode(WIRE.frames().encode(FrameType.DIGEST, payload))).isEqualTo(d);
    }
}
