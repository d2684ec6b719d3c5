package io.scalesmall.wire;

import io.scalesmall.topology.BroadcastId;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalClock;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import io.scalesmall.topology.WorldClock;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;

/**
 * Fixtures shared by the wire tests, and an independent implementation of the documented frame layout
 * (docs/wire-format.md, the javadoc of {@link FrameCodec}) used to build frames the codec would never
 * produce: unknown type ids, hand-made LZ4 blocks, other versions.
 */
final class TestSupport {
    private TestSupport() {
    }

    static final HexFormat HEX = HexFormat.of();

    /** The key 0x00, 0x01, ..., 0x1f (AES-256). */
    static final byte[] KEY_00_1F = bytes(0x00, 32);
    /** The key 0x20, 0x21, ..., 0x3f (AES-256). */
    static final byte[] KEY_20_3F = bytes(0x20, 32);
    /** The key 0x40, ..., 0x4f (AES-128). */
    static final byte[] KEY_40_4F = bytes(0x40, 16);

    /** Every test frame is sealed for this cluster unless a test says otherwise. */
    static final String LABEL = "test-cluster";

    /** A small maximum, so allocation bounds are meaningful. */
    static final int SMALL_MAX = 64 * 1024;

    static byte[] bytes(int first, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (first + i);
        }
        return b;
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static byte[] unhex(String s) {
        return HEX.parseHex(s);
    }

    static NonceSource fixedNonce(byte[] nonce) {
        byte[] copy = nonce.clone();
        return n -> System.arraycopy(copy, 0, n, 0, FrameCodec.NONCE_BYTES);
    }

    static Wire wire(byte[] primary, byte[]... others) {
        return new Wire(FrameConfig.of(LABEL, Keyring.of(primary, others)));
    }

    // ---- an independent sealer following the documented layout ---------------------------------------

    /** The key id as documented: the first 4 bytes of SHA-256("scalesmall-key-id" || key), big-endian. */
    static int keyIdOf(byte[] key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("scalesmall-key-id".getBytes(StandardCharsets.US_ASCII));
            byte[] h = sha.digest(key);
            return ((h[0] & 0xFF) << 24) | ((h[1] & 0xFF) << 16) | ((h[2] & 0xFF) << 8) | (h[3] & 0xFF);
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
    }

    /** Seals {@code body} (the plaintext after the nonce: payload, or [u32 length, LZ4 block]) by hand. */
    static byte[] seal(byte[] key, String label, int typeId, int flags, byte[] nonce, byte[] body) {
        return seal(key, keyIdOf(key), label, FrameCodec.VERSION, typeId, flags, nonce, body);
    }

    /** As {@link #seal(byte[], String, int, int, byte[], byte[])} with every header field chosen. */
    static byte[] seal(byte[] key, int keyId, String label, int version, int typeId, int flags, byte[] nonce,
            byte[] body) {
        int length = FrameCodec.NONCE_BYTES + body.length + FrameCodec.TAG_BYTES;
        byte[] frame = new byte[FrameCodec.HEADER_BYTES + length];
        frame[0] = 0x53;
        frame[1] = 0x53;
        frame[2] = (byte) version;
        frame[3] = (byte) typeId;
        frame[4] = (byte) flags;
        putInt(frame, 5, keyId);
        putInt(frame, 9, length);
        System.arraycopy(nonce, 0, frame, FrameCodec.HEADER_BYTES, FrameCodec.NONCE_BYTES);
        byte[] labelBytes = label.getBytes(StandardCharsets.UTF_8);
        byte[] labelAad = new byte[2 + labelBytes.length];
        labelAad[0] = (byte) (labelBytes.length >>> 8);
        labelAad[1] = (byte) labelBytes.length;
        System.arraycopy(labelBytes, 0, labelAad, 2, labelBytes.length);
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"),
                    new GCMParameterSpec(FrameCodec.TAG_BYTES * 8, nonce, 0, FrameCodec.NONCE_BYTES));
            c.updateAAD(frame, 0, FrameCodec.HEADER_BYTES);
            c.updateAAD(labelAad);
            int n = c.doFinal(body, 0, body.length, frame, FrameCodec.HEADER_BYTES + FrameCodec.NONCE_BYTES);
            if (n != body.length + FrameCodec.TAG_BYTES) {
                throw new AssertionError("GCM wrote " + n + " bytes");
            }
        } catch (GeneralSecurityException e) {
            throw new AssertionError(e);
        }
        return frame;
    }

    private static final LZ4Compressor LZ4 = LZ4Factory.fastestInstance().fastCompressor();

    /** [u32 length, LZ4 block of payload]: the plaintext of a compressed frame. */
    static byte[] lz4Body(byte[] payload) {
        byte[] packed = new byte[4 + LZ4.maxCompressedLength(payload.length)];
        putInt(packed, 0, payload.length);
        int n = LZ4.compress(payload, 0, payload.length, packed, 4, packed.length - 4);
        byte[] out = new byte[4 + n];
        System.arraycopy(packed, 0, out, 0, out.length);
        return out;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }

    // ---- topology fixtures ---------------------------------------------------------------------------

    static NetId v4(int a, int b, int c, int d, int port) {
        return NetId.of(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d}, port);
    }

    /** 2001:db8::{last} on {@code port}. */
    static NetId v6(int last, int port) {
        byte[] a = new byte[16];
        a[0] = 0x20;
        a[1] = 0x01;
        a[2] = 0x0d;
        a[3] = (byte) 0xb8;
        a[14] = (byte) (last >>> 8);
        a[15] = (byte) last;
        return NetId.of(a, port);
    }

    /** The member number {@code i}: IPv4 for even i, IPv6 for odd, all distinct. */
    static NetId member(int i) {
        return i % 2 == 0 ? v4(10, (i >>> 16) & 0xFF, (i >>> 8) & 0xFF, i & 0xFF, 7000 + (i % 1000))
                : v6(i, 7000 + (i % 1000));
    }

    /**
     * A state written the way nodes write it, through {@link LocalMember}: each member joins (GET), serves
     * three ranges (ADD) and withdraws one of them (RMV), so it holds 4 items of all three ops, written by 5
     * writes.
     */
    static GroupState writtenState(String group, int members) {
        GroupState s = GroupState.empty(group);
        for (int i = 0; i < members; i++) {
            NetId m = member(i);
            long t0 = 1_700_000_000_000L + i;
            LocalMember lm = new LocalMember(m, 1_700_000_000_000L + 7L * i, () -> t0);
            s = lm.join(s).state();
            long base = (long) i * 1000;
            s = lm.addItem(s, base, base + 499, 8000 + (i % 100), i).state();
            s = lm.addItem(s, base + 500, base + 999, 8000 + (i % 100), i + 1).state();
            s = lm.addItem(s, base + 1_000_000, base + 1_000_099, 9000, 0).state();
            s = lm.removeItem(s, base + 500, base + 999).state();
        }
        return s;
    }

    /** A state with the extreme values of every field, multi-range clocks, IPv4 and IPv6 members. */
    static GroupState edgeState() {
        NetId a = v4(255, 255, 255, 255, 65535);
        NetId b = v6(0xffff, 1);
        NetId c = v4(0, 0, 0, 0, 1);
        NetId d = NetId.of(new byte[] {(byte) 0xfe, (byte) 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 443);
        WorldClock clock = WorldClock.empty()
                .with(a, DotSet.of(Long.MAX_VALUE, new long[] {0, 3, 5, 9, 1L << 40, Long.MAX_VALUE}))
                .with(b, DotSet.of(0, new long[] {0, 0}))
                .with(c, DotSet.of(42, new long[] {7, 7, 9, 12}))
                .with(d, DotSet.upTo(1_700_000_000_000L, 2));
        List<TimedItem> items = new ArrayList<>();
        items.add(new TimedItem(new Item(a, Op.ADD, 0, Item.MAX_KEY, 65535, Integer.MAX_VALUE),
                new LocalClock(a, Long.MAX_VALUE, Long.MAX_VALUE), Long.MAX_VALUE));
        items.add(new TimedItem(new Item(a, Op.RMV, Item.MAX_KEY, Item.MAX_KEY, 0, 0),
                new LocalClock(a, Long.MAX_VALUE, 1L << 40), 0));
        items.add(new TimedItem(new Item(a, Op.GET, 0, 0, 1, 1), new LocalClock(a, Long.MAX_VALUE, 9), 1));
        items.add(new TimedItem(Item.get(b), new LocalClock(b, 0, 0), 1_700_000_000_000L));
        items.add(new TimedItem(Item.add(c, 100, 200, 8080, 5), new LocalClock(c, 42, 12), 123));
        items.add(new TimedItem(new Item(c, Op.RMV, 300, 400, 8080, 5), new LocalClock(c, 42, 7), 124));
        items.add(new TimedItem(Item.add(d, 2_147_483_648L, 4_294_967_294L, 443, 0),
                new LocalClock(d, 1_700_000_000_000L, 2), 1_700_000_000_001L));
        return GroupState.of("edge-Ωμέγα", clock, items);
    }

    static BroadcastId bid(NetId origin, long seqno) {
        return new BroadcastId(origin, seqno);
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();

    /** @return true if {@link #allocatedBytes()} works on this JVM */
    static boolean allocationMeasurable() {
        return THREADS.isThreadAllocatedMemorySupported() && THREADS.isThreadAllocatedMemoryEnabled();
    }

    /** @return the bytes the current thread has allocated so far (HotSpot's per-thread TLAB accounting) */
    static long allocatedBytes() {
        return THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /** Seed from a system property, or a fresh one; printed by callers in every failure message. */
    static long seed(String property) {
        String s = System.getProperty(property);
        if (s != null && !s.isBlank()) {
            return Long.decode(s.strip());
        }
        return new java.security.SecureRandom().nextLong();
    }
}
