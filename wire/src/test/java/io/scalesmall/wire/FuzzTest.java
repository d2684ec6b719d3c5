package io.scalesmall.wire;

import static io.scalesmall.wire.TestSupport.KEY_00_1F;
import static io.scalesmall.wire.TestSupport.KEY_20_3F;
import static io.scalesmall.wire.TestSupport.LABEL;
import static io.scalesmall.wire.TestSupport.SMALL_MAX;
import static io.scalesmall.wire.TestSupport.getInt;
import static io.scalesmall.wire.TestSupport.putInt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.CodecException.Reason;
import io.scalesmall.wire.WireMessage.DigestMessage;
import io.scalesmall.wire.WireMessage.Gossip;
import io.scalesmall.wire.WireMessage.GroupDeltaMessage;
import io.scalesmall.wire.WireMessage.GroupStateMessage;
import io.scalesmall.wire.proto.DigestMsg;
import io.scalesmall.wire.proto.DotSetMsg;
import io.scalesmall.wire.proto.GossipMsg;
import io.scalesmall.wire.proto.GroupStateMsg;
import io.scalesmall.wire.proto.MemberMsg;
import io.scalesmall.wire.proto.NetIdMsg;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Feeds {@link Wire#decode} at least a million hostile inputs per run: random bytes, mutations of valid
 * frames, and mutations of valid payloads (and of their LZ4 blocks) sealed correctly, so that they pass
 * AES-GCM and exercise decompression, protobuf parsing and field validation too. For every input decode must
 * return a message or throw {@link CodecException}; nothing else. Seeded: every failure message carries the
 * seed, the iteration and the input's hex. Overrides: {@code -Dscalesmall.fuzz.seed=N},
 * {@code -Dscalesmall.fuzz.iterations=N}.
 *
 * <p>Also checks, on every input whose length field or LZ4 length field was rewritten to a large value and on
 * a random 1% of the rest, that decoding allocates at most {@code 3 × maxFrameBytes + 64 KiB} (with a small
 * maxFrameBytes of 64 KiB, so that the bound means something); that no altered frame is ever accepted; and
 * that every accepted message re-encodes to one that decodes equal.
 */
class FuzzTest {
    private static final long SEED = TestSupport.seed("scalesmall.fuzz.seed");
    private static final int ITERATIONS = Integer.getInteger("scalesmall.fuzz.iterations", 1_000_000);
    private static final int MAX = SMALL_MAX;
    private static final long ALLOCATION_BOUND = 3L * MAX + 64 * 1024;
    /** Allocation checks start once the code paths are warm (class loading and JIT allocate too). */
    private static final int ALLOCATION_WARMUP = 20_000;
    private static final int ID_00_1F = TestSupport.keyIdOf(KEY_00_1F);
    private static final int ID_20_3F = TestSupport.keyIdOf(KEY_20_3F);

    private enum Family {
        RANDOM_BYTES, RANDOM_BEHIND_HEADER, FRAME_MUTATION, FRAME_SPLICE, PAYLOAD_MUTATION, FIELD_MUTATION,
        LZ4_MUTATION, GOSSIP_INNER_MUTATION, TYPE_CONFUSION
    }

    private final Random rng = new Random(SEED);
    private final Random nonceRng = new Random(SEED ^ 0x5DEECE66DL);
    private final FrameConfig config = new FrameConfig(LABEL, Keyring.of(KEY_00_1F, KEY_20_3F), MAX, 256);
    private final FrameCodec codec = new FrameCodec(config, n -> nonceRng.nextBytes(n));
    /** Seals payloads uncompressed (threshold MAX_VALUE) or always trying LZ4 (threshold 0). */
    private final FrameCodec plainSealer = new FrameCodec(config.withCompressionThresholdBytes(Integer.MAX_VALUE),
            n -> nonceRng.nextBytes(n));
    private final FrameCodec lz4Sealer = new FrameCodec(config.withCompressionThresholdBytes(0), n -> nonceRng.nextBytes(n));
    private final Wire wire = new Wire(codec);
    private final Cipher sealCipher;
    private final byte[] labelAad;

    private final List<WireMessage> messages = new ArrayList<>();
    private final List<byte[]> frames = new ArrayList<>();
    private final List<byte[]> payloads = new ArrayList<>();
    private final List<byte[]> lz4Bodies = new ArrayList<>();
    private final Set<String> validFrames = new HashSet<>();
    /** The gossips of the corpus, parsed, and the bytes of their payloads. */
    private final List<GossipMsg> gossips = new ArrayList<>();
    private final List<byte[]> gossipInners = new ArrayList<>();

    private final Map<Family, int[]> perFamily = new EnumMap<>(Family.class);
    private final Map<Reason, int[]> perReason = new EnumMap<>(Reason.class);
    private int accepted;
    private int allocationChecks;
    private long maxAllocated;

    // What the current input is, for failure messages.
    private int iteration;
    private Family family;
    private boolean largeLength;

    FuzzTest() throws GeneralSecurityException {
        sealCipher = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] label = LABEL.getBytes(StandardCharsets.UTF_8);
        labelAad = new byte[2 + label.length];
        labelAad[1] = (byte) label.length;
        System.arraycopy(label, 0, labelAad, 2, label.length);
    }

    private String where() {
        return "FuzzTest seed=" + SEED + " iteration=" + iteration + " family=" + family
                + " (rerun: mvn -o test -pl wire -Dtest=FuzzTest -Dscalesmall.fuzz.seed=" + SEED + ")";
    }

    private static String hexOf(byte[] input) {
        String h = TestSupport.hex(input);
        return input.length <= 16 * 1024 ? h : h.substring(0, 32 * 1024) + "...(" + input.length + " bytes)";
    }

    // ---- corpus -------------------------------------------------------------------------------------

    private NetId randomNetId() {
        int port = 1 + rng.nextInt(65535);
        byte[] a = new byte[rng.nextBoolean() ? 4 : 16];
        rng.nextBytes(a);
        if (a.length == 16) {
            a[0] = 0x20; // never IPv4-mapped
        }
        return NetId.of(a, port);
    }

    private DotSet randomDotSet() {
        int n = 1 + rng.nextInt(4);
        long[] r = new long[2 * n];
        long at = rng.nextInt(3);
        for (int i = 0; i < n; i++) {
            r[2 * i] = at;
            at += rng.nextInt(rng.nextBoolean() ? 10 : 1_000_000);
            r[2 * i + 1] = at;
            at += 2 + rng.nextInt(100);
        }
        return DotSet.of(rng.nextBoolean() ? rng.nextInt(1000) : rng.nextLong() & Long.MAX_VALUE, r);
    }

    private WorldClock randomClock(int entries) {
        WorldClock w = WorldClock.empty();
        for (int i = 0; i < entries; i++) {
            w = w.with(randomNetId(), randomDotSet());
        }
        return w;
    }

    private GroupState randomState(String group, int members) {
        GroupState s = GroupState.empty(group);
        for (int i = 0; i < members; i++) {
            NetId m = randomNetId();
            long now = rng.nextLong() & Long.MAX_VALUE;
            LocalMember lm = new LocalMember(m, rng.nextInt(1 << 20), () -> now);
            s = lm.join(s).state();
            int writes = rng.nextInt(4);
            for (int w = 0; w < writes; w++) {
                long start = rng.nextInt(1 << 30) & 0xFFFF_FFFFL;
                long end = start + rng.nextInt(1 << 20);
                s = lm.addItem(s, start, end, rng.nextInt(65536), rng.nextInt() & Integer.MAX_VALUE).state();
                if (rng.nextInt(3) == 0) {
                    s = lm.removeItem(s, start, end).state();
                }
            }
        }
        return s;
    }

    private WireMessage randomNonGossip() {
        String group = "g" + rng.nextInt(100);
        switch (rng.nextInt(3)) {
            case 0:
                return new GroupStateMessage(randomState(group, rng.nextInt(5)));
            case 1:
                return new GroupDeltaMessage(randomState(group, rng.nextInt(3)));
            default:
                return new DigestMessage(group, rng.nextLong(), randomClock(rng.nextInt(6)));
        }
    }

    private SwimMessage.Update randomUpdate() {
        long inc = rng.nextLong() & Long.MAX_VALUE;
        switch (rng.nextInt(3)) {
            case 0:
                return new SwimMessage.Alive(randomNetId(), inc);
            case 1:
                return new SwimMessage.Suspect(randomNetId(), inc, randomNetId());
            default:
                return new SwimMessage.Dead(randomNetId(), inc, randomNetId());
        }
    }

    private WireMessage.SwimPacket randomSwim() {
        List<SwimMessage> m = new ArrayList<>();
        long seq = rng.nextLong() & Long.MAX_VALUE;
        switch (rng.nextInt(4)) {
            case 0 -> m.add(new SwimMessage.Ping(seq, randomNetId()));
            case 1 -> m.add(new SwimMessage.Ack(seq));
            case 2 -> m.add(new SwimMessage.PingReq(seq, randomNetId()));
            default -> m.add(new SwimMessage.Nack(seq));
        }
        for (int i = rng.nextInt(4); i > 0; i--) {
            m.add(randomUpdate());
        }
        return new WireMessage.SwimPacket(randomNetId(), m);
    }

    private Gossip randomGossip() {
        List<BroadcastId> seen = new ArrayList<>();
        for (int i = rng.nextInt(4); i > 0; i--) {
            seen.add(new BroadcastId(randomNetId(), rng.nextLong() & Long.MAX_VALUE));
        }
        List<NetId> distribution = new ArrayList<>();
        for (int i = rng.nextInt(4); i > 0; i--) {
            distribution.add(randomNetId());
        }
        List<SwimMessage.Update> updates = new ArrayList<>();
        for (int i = rng.nextInt(3); i > 0; i--) {
            updates.add(randomUpdate());
        }
        return new Gossip(new BroadcastId(randomNetId(), rng.nextInt(1000)), seen, distribution, randomNonGossip(),
                updates);
    }

    private void buildCorpus() {
        messages.add(new GroupStateMessage(TestSupport.edgeState()));
        messages.add(new GroupStateMessage(TestSupport.writtenState("medium", 20))); // compressed
        messages.add(new GroupDeltaMessage(TestSupport.writtenState("delta", 2)));
        messages.add(new GroupStateMessage(GroupState.empty("empty")));
        messages.add(new DigestMessage("d", -1, WorldClock.empty()));
        messages.add(new Gossip(new BroadcastId(TestSupport.v6(1, 1), 1), new ArrayList<>(), new ArrayList<>(),
                new GroupStateMessage(TestSupport.writtenState("inner", 10))));
        for (int i = 0; i < 60; i++) {
            messages.add(i % 3 == 0 ? randomGossip() : i % 3 == 1 ? randomSwim() : randomNonGossip());
        }
        for (WireMessage m : messages) {
            byte[] payload = Messages.toBytes(m);
            assertThat(payload.length).as("corpus payloads stay small so the allocation bound is meaningful")
                    .isLessThan(8 * 1024);
            byte[] frame = wire.encode(m);
            frames.add(frame);
            validFrames.add(TestSupport.hex(frame));
            payloads.add(payload);
            lz4Bodies.add(TestSupport.lz4Body(payload));
            if (m instanceof Gossip g) {
                try {
                    gossips.add(GossipMsg.parseFrom(payload));
                } catch (InvalidProtocolBufferException e) {
                    throw new AssertionError(e);
                }
                gossipInners.add(Messages.toBytes(g.payload()));
            }
        }
        assertThat(frames).anyMatch(f -> (f[4] & FrameCodec.FLAG_LZ4) != 0).anyMatch(f -> f[4] == 0);
    }

    // ---- mutations ------------------------------------------------------------------------------------

    private static final int[] INTERESTING_BYTES = {0x00, 0x01, 0x7f, 0x80, 0xff, 0x0a, 0x12, 0x08};

    private int interestingInt(int current) {
        switch (rng.nextInt(12)) {
            case 0: return 0;
            case 1: return -1;
            case 2: return Integer.MAX_VALUE;
            case 3: return Integer.MIN_VALUE;
            case 4: return MAX;
            case 5: return MAX + 1;
            case 6: return MAX - FrameCodec.HEADER_BYTES;
            case 7: return current + 1;
            case 8: return current - 1;
            case 9: return 27;
            case 10: return FrameConfig.MAX_FRAME_BYTES;
            default: return rng.nextInt();
        }
    }

    private byte[] mutate(byte[] in, int ops) {
        byte[] b = in.clone();
        for (int k = 0; k < ops; k++) {
            int n = b.length;
            switch (rng.nextInt(10)) {
                case 0, 1: // bit flip
                    if (n > 0) {
                        b[rng.nextInt(n)] ^= (byte) (1 << rng.nextInt(8));
                    }
                    break;
                case 2: // byte set
                    if (n > 0) {
                        b[rng.nextInt(n)] = (byte) (rng.nextBoolean() ? INTERESTING_BYTES[rng.nextInt(8)] : rng.nextInt());
                    }
                    break;
                case 3: { // insertion
                    int at = rng.nextInt(n + 1);
                    byte[] ins = new byte[1 + rng.nextInt(16)];
                    rng.nextBytes(ins);
                    byte[] c = new byte[n + ins.length];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(ins, 0, c, at, ins.length);
                    System.arraycopy(b, at, c, at + ins.length, n - at);
                    b = c;
                    break;
                }
                case 4: // deletion
                    if (n > 0) {
                        int at = rng.nextInt(n);
                        int len = Math.min(n - at, 1 + rng.nextInt(16));
                        byte[] c = new byte[n - len];
                        System.arraycopy(b, 0, c, 0, at);
                        System.arraycopy(b, at + len, c, at, n - at - len);
                        b = c;
                    }
                    break;
                case 5: // truncation
                    b = Arrays.copyOf(b, n == 0 ? 0 : rng.nextInt(n));
                    break;
                case 6: { // extension
                    byte[] c = Arrays.copyOf(b, n + 1 + rng.nextInt(64));
                    for (int i = n; i < c.length; i++) {
                        c[i] = (byte) rng.nextInt();
                    }
                    b = c;
                    break;
                }
                case 7: // an int overwritten with an interesting value
                    if (n >= 4) {
                        int at = rng.nextInt(n - 3);
                        putInt(b, at, interestingInt(getInt(b, at)));
                    }
                    break;
                case 8: // a varint made longer or unterminated
                    if (n > 0) {
                        b[rng.nextInt(n)] |= (byte) 0x80;
                    }
                    break;
                default: // a chunk copied elsewhere
                    if (n > 1) {
                        int from = rng.nextInt(n);
                        int to = rng.nextInt(n);
                        int len = Math.min(1 + rng.nextInt(32), Math.min(n - from, n - to));
                        System.arraycopy(b.clone(), from, b, to, len);
                    }
                    break;
            }
        }
        return b;
    }

    /** Rewrites one header field of a frame (at least 13 bytes) with an interesting value. */
    private byte[] rewriteHeader(byte[] frame) {
        byte[] f = frame.clone();
        switch (rng.nextInt(6)) {
            case 0:
                f[rng.nextInt(2)] = (byte) rng.nextInt();
                break;
            case 1:
                f[2] = (byte) (rng.nextBoolean() ? 2 : rng.nextInt());
                break;
            case 2:
                f[3] = (byte) (rng.nextBoolean() ? rng.nextInt(6) : rng.nextInt());
                break;
            case 3:
                f[4] = (byte) (rng.nextBoolean() ? f[4] ^ 1 : rng.nextInt());
                break;
            case 4:
                putInt(f, 5, rng.nextBoolean() ? ID_20_3F : rng.nextInt());
                break;
            default: {
                int before = getInt(f, 9);
                int after = interestingInt(before);
                putInt(f, 9, after);
                long announced = after & 0xFFFF_FFFFL;
                largeLength = announced > 2L * f.length;
                break;
            }
        }
        return f;
    }

    private byte[] splice(byte[] a, byte[] b) {
        switch (rng.nextInt(4)) {
            case 0: { // header of a, rest of b
                byte[] c = b.clone();
                System.arraycopy(a, 0, c, 0, FrameCodec.HEADER_BYTES);
                return c;
            }
            case 1: { // a's nonce in b
                byte[] c = b.clone();
                System.arraycopy(a, FrameCodec.HEADER_BYTES, c, FrameCodec.HEADER_BYTES, FrameCodec.NONCE_BYTES);
                return c;
            }
            case 2: { // a's tag on b
                byte[] c = b.clone();
                int t = Math.min(FrameCodec.TAG_BYTES, Math.min(a.length, b.length) - 25);
                System.arraycopy(a, a.length - t, c, c.length - t, t);
                return c;
            }
            default: { // a prefix of a and a suffix of b
                int i = rng.nextInt(a.length + 1);
                int j = rng.nextInt(b.length + 1);
                byte[] c = Arrays.copyOf(a, i + b.length - j);
                System.arraycopy(b, j, c, i, b.length - j);
                return c;
            }
        }
    }

    /** Seals any plaintext body with any header, as the documented layout says, with the right key. */
    private byte[] seal(int typeId, int flags, byte[] body) {
        int length = FrameCodec.NONCE_BYTES + body.length + FrameCodec.TAG_BYTES;
        byte[] f = new byte[FrameCodec.HEADER_BYTES + length];
        f[0] = 0x53;
        f[1] = 0x53;
        f[2] = 1;
        f[3] = (byte) typeId;
        f[4] = (byte) flags;
        boolean second = rng.nextBoolean();
        putInt(f, 5, second ? ID_20_3F : ID_00_1F);
        putInt(f, 9, length);
        byte[] nonce = new byte[FrameCodec.NONCE_BYTES];
        nonceRng.nextBytes(nonce);
        System.arraycopy(nonce, 0, f, FrameCodec.HEADER_BYTES, FrameCodec.NONCE_BYTES);
        try {
            sealCipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(second ? KEY_20_3F : KEY_00_1F, "AES"),
                    new GCMParameterSpec(128, nonce));
            sealCipher.updateAAD(f, 0, FrameCodec.HEADER_BYTES);
            sealCipher.updateAAD(labelAad);
            sealCipher.doFinal(body, 0, body.length, f, FrameCodec.HEADER_BYTES + FrameCodec.NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return f;
    }

    /** Seals a payload correctly: by FrameCodec.encode (sometimes LZ4-compressed) or by hand. */
    private byte[] sealPayload(FrameType type, byte[] payload) {
        if (payload.length + 41 > MAX) {
            payload = Arrays.copyOf(payload, MAX - 41);
        }
        switch (rng.nextInt(8)) {
            case 0:
                return plainSealer.encode(type, payload);
            case 1:
                return lz4Sealer.encode(type, payload);
            case 2:
                return seal(type.id(), FrameCodec.FLAG_LZ4, TestSupport.lz4Body(payload));
            default:
                return seal(type.id(), 0, payload);
        }
    }

    // ---- structure-aware mutations: one field of the protobuf message set to an interesting value --------

    private static Message.Builder parse(FrameType type, byte[] payload) {
        try {
            switch (type) {
                case GOSSIP:
                    return GossipMsg.parseFrom(payload).toBuilder();
                case DIGEST:
                    return DigestMsg.parseFrom(payload).toBuilder();
                default:
                    return GroupStateMsg.parseFrom(payload).toBuilder();
            }
        } catch (InvalidProtocolBufferException e) {
            return null; // an inner payload already mutated into garbage
        }
    }

    private static final long[] INTERESTING_LONGS = {0, 1, 2, 3, 5, 127, 128, 65535, 65536, 70000, 0xFFFF_FFFFL,
        1L << 32, Integer.MAX_VALUE, 1L << 31, Long.MAX_VALUE, Long.MIN_VALUE, -1};

    private long interestingLong() {
        return rng.nextInt(4) == 0 ? rng.nextLong() : INTERESTING_LONGS[rng.nextInt(INTERESTING_LONGS.length)];
    }

    private Object interestingValue(FieldDescriptor f, Object current) {
        switch (f.getJavaType()) {
            case INT:
                return (int) interestingLong();
            case LONG:
                return interestingLong();
            case STRING:
                switch (rng.nextInt(5)) {
                    case 0: return "";
                    case 1: return "x".repeat(255 + rng.nextInt(2));
                    case 2: return "a\u0000b";
                    case 3: return "\u00e9".repeat(128);
                    default: return current + "x";
                }
            case BYTE_STRING: {
                if (f.getName().equals("payload")) {
                    return ByteString.copyFrom(mutate(((ByteString) current).toByteArray(), 1));
                }
                int[] lengths = {0, 1, 3, 4, 5, 15, 16, 17};
                byte[] b = new byte[lengths[rng.nextInt(lengths.length)]];
                if (rng.nextBoolean()) {
                    rng.nextBytes(b);
                } else if (b.length == 16) {
                    b[10] = (byte) 0xff; // IPv4-mapped IPv6 of 0.0.0.0
                    b[11] = (byte) 0xff;
                }
                return ByteString.copyFrom(b);
            }
            case ENUM:
                return f.getEnumType().findValueByNumberCreatingIfUnknown(rng.nextInt(6) - 1);
            default:
                return current;
        }
    }

    /** Mutates one field somewhere in {@code b}: descends into sub-messages at random. */
    private void mutateOneField(Message.Builder b, int depth) {
        List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
        FieldDescriptor f = fields.get(rng.nextInt(fields.size()));
        if (f.isRepeated()) {
            int count = b.getRepeatedFieldCount(f);
            int action = rng.nextInt(4);
            if (count == 0 || action == 0) {
                if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
                    if (count > 0) {
                        b.addRepeatedField(f, b.getRepeatedField(f, rng.nextInt(count))); // a duplicate
                    } else {
                        b.addRepeatedField(f, b.newBuilderForField(f).build());
                    }
                } else {
                    b.addRepeatedField(f, interestingValue(f, 0L));
                }
            } else if (action == 1) {
                List<Object> kept = new ArrayList<>();
                int drop = rng.nextInt(count);
                for (int i = 0; i < count; i++) {
                    if (i != drop) {
                        kept.add(b.getRepeatedField(f, i));
                    }
                }
                b.setField(f, kept);
            } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth < 6) {
                mutateOneField(b.getRepeatedFieldBuilder(f, rng.nextInt(count)), depth + 1);
            } else {
                int i = rng.nextInt(count);
                b.setRepeatedField(f, i, interestingValue(f, b.getRepeatedField(f, i)));
            }
            return;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
            if (rng.nextInt(5) == 0 || depth >= 6) {
                b.clearField(f);
            } else {
                mutateOneField(b.getFieldBuilder(f), depth + 1);
            }
            return;
        }
        if (f.getName().equals("payload") && rng.nextBoolean()) {
            // The inner message of a gossip, mutated structurally too.
            FrameType inner = FrameType.byId(((Integer) b.getField(b.getDescriptorForType().findFieldByName("payload_type"))));
            if (inner != null && inner != FrameType.GOSSIP) {
                b.setField(f, ByteString.copyFrom(mutateFields(inner, ((ByteString) b.getField(f)).toByteArray())));
                return;
            }
        }
        b.setField(f, interestingValue(f, b.getField(f)));
    }

    private byte[] mutateFields(FrameType type, byte[] payload) {
        Message.Builder b = parse(type, payload);
        if (b == null) {
            return mutate(payload, 1);
        }
        for (int n = 1 + (rng.nextInt(4) == 0 ? 1 : 0); n > 0; n--) {
            mutateOneField(b, 0);
        }
        return b.build().toByteArray();
    }

    // ---- one input ------------------------------------------------------------------------------------

    private byte[] nextInput() {
        largeLength = false;
        int pick = rng.nextInt(messages.size());
        int r = rng.nextInt(100);
        if (r < 10) {
            family = Family.RANDOM_BYTES;
            byte[] b = new byte[rng.nextInt(2001)];
            rng.nextBytes(b);
            return b;
        }
        if (r < 18) {
            family = Family.RANDOM_BEHIND_HEADER;
            byte[] b = new byte[FrameCodec.HEADER_BYTES + rng.nextInt(2001)];
            rng.nextBytes(b);
            b[0] = 0x53;
            b[1] = 0x53;
            b[2] = 1;
            b[3] = (byte) (1 + rng.nextInt(4));
            b[4] = (byte) rng.nextInt(2);
            putInt(b, 5, ID_00_1F);
            putInt(b, 9, b.length - FrameCodec.HEADER_BYTES);
            return b;
        }
        if (r < 43) {
            family = Family.FRAME_MUTATION;
            byte[] f = frames.get(pick);
            if (rng.nextInt(3) == 0) {
                f = rewriteHeader(f);
                return rng.nextInt(4) == 0 ? mutate(f, 1) : f;
            }
            return mutate(f, 1 + rng.nextInt(rng.nextInt(4) == 0 ? 8 : 2));
        }
        if (r < 50) {
            family = Family.FRAME_SPLICE;
            return splice(frames.get(pick), frames.get(rng.nextInt(frames.size())));
        }
        WireMessage m = messages.get(pick);
        if (r < 70) {
            family = Family.PAYLOAD_MUTATION;
            return sealPayload(m.type(), mutate(payloads.get(pick), 1 + rng.nextInt(rng.nextInt(4) == 0 ? 8 : 2)));
        }
        if (r < 82) {
            family = Family.FIELD_MUTATION;
            return sealPayload(m.type(), mutateFields(m.type(), payloads.get(pick)));
        }
        if (r < 92) {
            family = Family.LZ4_MUTATION;
            byte[] body = lz4Bodies.get(pick);
            if (rng.nextInt(4) == 0) {
                body = body.clone();
                int before = getInt(body, 0);
                int after = interestingInt(before);
                putInt(body, 0, after);
                largeLength = (after & 0xFFFF_FFFFL) > 2L * before;
                if (rng.nextBoolean()) {
                    body = mutate(body, 1);
                }
            } else {
                body = mutate(body, 1 + rng.nextInt(3));
            }
            return seal(m.type().id(), FrameCodec.FLAG_LZ4, body);
        }
        if (r < 96) {
            family = Family.GOSSIP_INNER_MUTATION;
            int g = rng.nextInt(gossips.size());
            GossipMsg.Builder b = gossips.get(g).toBuilder()
                    .setPayload(ByteString.copyFrom(mutate(gossipInners.get(g), 1 + rng.nextInt(3))));
            if (rng.nextInt(8) == 0) {
                b.setPayloadType(rng.nextInt(6));
            }
            return sealPayload(FrameType.GOSSIP, b.build().toByteArray());
        }
        family = Family.TYPE_CONFUSION;
        int typeId = rng.nextInt(8) == 0 ? rng.nextInt(256) : 1 + rng.nextInt(4);
        byte[] payload = rng.nextBoolean() ? payloads.get(pick) : mutate(payloads.get(pick), 1);
        return rng.nextBoolean() ? seal(typeId, 0, payload) : seal(typeId, FrameCodec.FLAG_LZ4, TestSupport.lz4Body(payload));
    }

    private void decodeOne(byte[] input, boolean measure) {
        WireMessage decoded = null;
        CodecException rejected = null;
        long before = measure ? TestSupport.allocatedBytes() : 0;
        try {
            decoded = wire.decode(input);
        } catch (CodecException e) {
            rejected = e;
        } catch (Throwable t) {
            throw new AssertionError(where() + ": decode threw " + t + " for input (" + input.length + " bytes) hex="
                    + hexOf(input), t);
        }
        if (measure) {
            long allocated = TestSupport.allocatedBytes() - before;
            allocationChecks++;
            maxAllocated = Math.max(maxAllocated, allocated);
            if (allocated > ALLOCATION_BOUND) {
                throw new AssertionError(where() + ": decode allocated " + allocated + " bytes, bound "
                        + ALLOCATION_BOUND + " (" + (rejected == null ? "accepted" : rejected.getMessage())
                        + ") for input (" + input.length + " bytes) hex=" + hexOf(input));
            }
        }
        perFamily.computeIfAbsent(family, k -> new int[1])[0]++;
        if (rejected != null) {
            if (rejected.reason() == null) {
                throw new AssertionError(where() + ": a CodecException without reason: " + rejected);
            }
            perReason.computeIfAbsent(rejected.reason(), k -> new int[1])[0]++;
            return;
        }
        accepted++;
        if (decoded == null) {
            throw new AssertionError(where() + ": decode returned null for hex=" + hexOf(input));
        }
        if ((family == Family.FRAME_MUTATION || family == Family.FRAME_SPLICE || family == Family.RANDOM_BYTES
                || family == Family.RANDOM_BEHIND_HEADER) && !validFrames.contains(TestSupport.hex(input))) {
            throw new AssertionError(where() + ": an altered frame was accepted as " + decoded + "; hex=" + hexOf(input));
        }
        // Whatever is accepted is a valid message: it re-encodes to the same value.
        try {
            WireMessage again = Messages.fromBytes(decoded.type(), Messages.toBytes(decoded));
            if (!again.equals(decoded)) {
                throw new AssertionError(where() + ": re-encoding changed " + decoded + " into " + again
                        + "; input hex=" + hexOf(input));
            }
        } catch (CodecException | RuntimeException e) {
            throw new AssertionError(where() + ": re-encoding " + decoded + " failed: " + e + "; input hex="
                    + hexOf(input), e);
        }
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void decodeEitherReturnsAMessageOrThrowsCodecException() {
        // Printed first, so that even a timeout (a hang) leaves the seed in the test output.
        System.out.println("FuzzTest starting: seed=" + SEED + " iterations=" + ITERATIONS);
        boolean measurable = TestSupport.allocationMeasurable();
        long start = System.nanoTime();
        long cpuStart = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
        try {
            buildCorpus();
            for (iteration = 0; iteration < ITERATIONS; iteration++) {
                byte[] input = nextInput();
                if (input.length >= FrameCodec.HEADER_BYTES && input[0] == 0x53 && input[1] == 0x53
                        && (getInt(input, 9) & 0xFFFF_FFFFL) > 2L * input.length) {
                    largeLength = true; // whatever mutation did it, the length field announces a large frame
                }
                boolean sample = rng.nextInt(100) == 0;
                decodeOne(input, measurable && iteration >= ALLOCATION_WARMUP && (largeLength || sample));
            }
        } catch (RuntimeException | AssertionError e) {
            if (e.getMessage() != null && e.getMessage().startsWith("FuzzTest seed=")) {
                throw e;
            }
            throw new AssertionError(where() + ": " + e, e);
        }
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        long cpuMs = TimeUnit.NANOSECONDS.toMillis(
                java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpuStart);
        System.out.println("FuzzTest seed=" + SEED + " iterations=" + ITERATIONS + " in " + ms + " ms (thread CPU "
                + cpuMs + " ms); accepted="
                + accepted + " families=" + counts(perFamily) + " reasons=" + counts(perReason)
                + " allocationChecks=" + allocationChecks + " maxAllocated=" + maxAllocated);
        if (ITERATIONS >= 100_000) {
            // The fuzz reached every layer: each reason was produced, and some inputs were accepted.
            assertThat(perReason.keySet()).as("reasons reached; seed %d", SEED).containsExactlyInAnyOrder(Reason.values());
            assertThat(accepted).as("accepted inputs; seed %d", SEED).isPositive();
            if (measurable) {
                assertThat(allocationChecks).as("allocation checks; seed %d", SEED).isGreaterThan(ITERATIONS / 200);
            }
        }
    }

    private static <K extends Enum<K>> String counts(Map<K, int[]> m) {
        StringBuilder sb = new StringBuilder("{");
        m.forEach((k, v) -> sb.append(sb.length() > 1 ? ", " : "").append(k).append('=').append(v[0]));
        return sb.append('}').toString();
    }

    /**
     * BUG (authenticated senders only; docs/wire-format.md §3: "Nothing larger than maxFrameBytes is ever
     * allocated"): the frame layer bounds its allocation by maxFrameBytes, but protobuf parsing and
     * validation behind it do not, and even single arrays exceed it (three long[]s of 480 KB here, each
     * 7 x maxFrameBytes). A sender holding the cluster key can make one 317-byte
     * frame (a 60 KB payload: one member clock with 60,000 one-byte range bounds, LZ4-compressed) cost about
     * 3.1 MB of allocation with maxFrameBytes 64 KiB, ~48 x maxFrameBytes (~52 x the payload): LongArrayList
     * growth while parsing the packed field, the long[] copy in Messages.dotSet, and the output array that
     * DotSet.of allocates before validating the first pair. Even a valid 25 KB state allocates ~0.7 MB (~29 x).
     * Extrapolated to the 16 MiB default maximum, one such frame could ask for several hundred MB.
     */
    @Test
    void authenticatedPayloadsDoNotAmplifyAllocationBeyondTheBound() throws CodecException {
        assumeThat(TestSupport.allocationMeasurable()).isTrue();
        DotSetMsg.Builder d = DotSetMsg.newBuilder()
                .setMember(NetIdMsg.newBuilder().setAddress(ByteString.copyFrom(new byte[4])).setPort(1));
        for (int i = 0; i < 60_000; i++) {
            d.addRanges(1);
        }
        byte[] payload = GroupStateMsg.newBuilder().setGroup("g").addMembers(MemberMsg.newBuilder().setClock(d))
                .build().toByteArray();
        byte[] frame = seal(FrameType.GROUP_STATE.id(), FrameCodec.FLAG_LZ4, TestSupport.lz4Body(payload));
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            long before = TestSupport.allocatedBytes();
            assertThatThrownBy(() -> wire.decode(frame)).isInstanceOf(CodecException.class)
                    .satisfies(e -> assertThat(((CodecException) e).reason()).isEqualTo(Reason.OVERSIZED));
            least = Math.min(least, TestSupport.allocatedBytes() - before);
        }
        assertThat(least).as("frame of %d bytes", frame.length).isLessThanOrEqualTo(ALLOCATION_BOUND);
    }
}
