package io.scalesmall.wire;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.List;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Seals payloads into frames and opens them again. Layout (all integers big-endian; docs/wire-format.md):
 *
 * <pre>
 * offset size  field
 *  0      2    magic 0x53 0x53 ("SS")
 *  2      1    version, 1
 *  3      1    type id ({@link FrameType})
 *  4      1    flags: bit 0 = payload LZ4-compressed; other bits 0
 *  5      4    key id of the sealing key ({@link Keyring})
 *  9      4    body length L: the bytes after the header (nonce + ciphertext + tag)
 * 13     12    nonce
 * 25   L-28    ciphertext: AES-GCM of the payload, or of [u32 payload length, LZ4 block] when compressed
 * 13+L-16 16   GCM tag; the associated data is header[0..13) || u16 label length || label UTF-8
 * </pre>
 *
 * Every length is checked against {@link FrameConfig#maxFrameBytes()} before anything is allocated, so a
 * hostile frame costs at most that much memory. Thread-safe.
 */
public final class FrameCodec {
    /** The two magic bytes, as one big-endian short. */
    public static final int MAGIC = 0x5353;
    /** The only version this codec speaks. */
    public static final int VERSION = 1;
    /** Bytes before the nonce. */
    public static final int HEADER_BYTES = 13;
    /** AES-GCM nonce bytes. */
    public static final int NONCE_BYTES = 12;
    /** AES-GCM tag bytes. */
    public static final int TAG_BYTES = 16;
    /** Flag bit: the payload is LZ4-compressed. */
    public static final int FLAG_LZ4 = 1;

    private static final LZ4Compressor COMPRESSOR = LZ4Factory.fastestInstance().fastCompressor();
    private static final LZ4SafeDecompressor DECOMPRESSOR = LZ4Factory.fastestInstance().safeDecompressor();
    private static final ThreadLocal<Cipher> DECRYPT = ThreadLocal.withInitial(FrameCodec::newCipher);
    private static final ThreadLocal<Sealer> ENCRYPT = ThreadLocal.withInitial(Sealer::new);

    /**
     * A per-thread encryption cipher. JCE refuses to re-initialise a GCM cipher for encryption with the key
     * and nonce it used last; random nonces never repeat, a test's pinned nonce does, and then it gets a
     * fresh cipher.
     */
    private static final class Sealer {
        private Cipher cipher = newCipher();
        private Keyring.Key lastKey;
        private final byte[] lastNonce = new byte[NONCE_BYTES];

        Cipher cipherFor(Keyring.Key key, byte[] nonce) {
            // JCE compares key bytes, not key objects; a repeat only happens with a pinned (test) nonce.
            if (Arrays.equals(nonce, lastNonce) && lastKey != null
                    && (key == lastKey || Arrays.equals(key.secret().getEncoded(), lastKey.secret().getEncoded()))) {
                cipher = newCipher();
            }
            lastKey = key;
            System.arraycopy(nonce, 0, lastNonce, 0, NONCE_BYTES);
            return cipher;
        }
    }

    private final FrameConfig config;
    private final NonceSource nonces;
    private final byte[] labelAad;

    /** A codec drawing nonces from a {@link java.security.SecureRandom}. */
    public FrameCodec(FrameConfig config) {
        this(config, NonceSource.secureRandom());
    }

    /** A codec with a given nonce source (tests pin it to get golden bytes). */
    public FrameCodec(FrameConfig config, NonceSource nonces) {
        if (config == null || nonces == null) {
            throw new IllegalArgumentException((config == null ? "config" : "nonces") + ": null");
        }
        this.config = config;
        this.nonces = nonces;
        byte[] label = config.clusterLabel().getBytes(StandardCharsets.UTF_8);
        this.labelAad = new byte[2 + label.length];
        labelAad[0] = (byte) (label.length >>> 8);
        labelAad[1] = (byte) label.length;
        System.arraycopy(label, 0, labelAad, 2, label.length);
    }

    /** @return the configuration */
    public FrameConfig config() {
        return config;
    }

    private static Cipher newCipher() {
        try {
            return Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES/GCM/NoPadding", e);
        }
    }

    /**
     * Seals a payload.
     *
     * @param payload the message bytes; not modified
     * @return the frame
     * @throws IllegalArgumentException if the frame would exceed {@link FrameConfig#maxFrameBytes()}
     */
    public byte[] encode(FrameType type, byte[] payload) {
        if (payload.length > config.maxFrameBytes() - HEADER_BYTES - NONCE_BYTES - TAG_BYTES) {
            // Checked before compression too: a receiver rejects a payload that decompresses past the maximum.
            throw new IllegalArgumentException("payload: " + payload.length + " bytes of type " + type
                    + " exceed what a frame of maxFrameBytes " + config.maxFrameBytes() + " can carry");
        }
        byte[] body = payload;
        int bodyLen = payload.length;
        int flags = 0;
        if (payload.length >= config.compressionThresholdBytes() && payload.length > 0) {
            byte[] packed = new byte[4 + COMPRESSOR.maxCompressedLength(payload.length)];
            putInt(packed, 0, payload.length);
            int n = COMPRESSOR.compress(payload, 0, payload.length, packed, 4, packed.length - 4);
            if (4 + n < payload.length) {
                body = packed;
                bodyLen = 4 + n;
                flags |= FLAG_LZ4;
            }
        }
        long length = (long) NONCE_BYTES + bodyLen + TAG_BYTES;
        if (HEADER_BYTES + length > config.maxFrameBytes()) {
            throw new IllegalArgumentException("frame: " + (HEADER_BYTES + length) + " bytes exceed maxFrameBytes "
                    + config.maxFrameBytes() + " (payload " + payload.length + " bytes of type " + type + ")");
        }
        Keyring.Key key = config.keyring().primary();
        byte[] frame = new byte[(int) (HEADER_BYTES + length)];
        frame[0] = (byte) (MAGIC >>> 8);
        frame[1] = (byte) MAGIC;
        frame[2] = (byte) VERSION;
        frame[3] = (byte) type.id();
        frame[4] = (byte) flags;
        putInt(frame, 5, key.id());
        putInt(frame, 9, (int) length);
        byte[] nonce = new byte[NONCE_BYTES];
        nonces.next(nonce);
        System.arraycopy(nonce, 0, frame, HEADER_BYTES, NONCE_BYTES);
        try {
            Cipher c = ENCRYPT.get().cipherFor(key, nonce);
            c.init(Cipher.ENCRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BYTES * 8, nonce));
            c.updateAAD(frame, 0, HEADER_BYTES);
            c.updateAAD(labelAad);
            c.doFinal(body, 0, bodyLen, frame, HEADER_BYTES + NONCE_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM sealing failed", e);
        }
        return frame;
    }

    /**
     * Reads the header at the start of {@code buf} and returns how many bytes follow it, for stream
     * transports that must know a frame's length before reading it.
     *
     * @param len bytes available from {@code off}, at least {@link #HEADER_BYTES}
     * @return the body length L; the whole frame is {@code HEADER_BYTES + L} bytes
     * @throws CodecException if the header is not a valid one, or announces more than the maximum
     */
    public int bodyLength(byte[] buf, int off, int len) throws CodecException {
        if (len < HEADER_BYTES) {
            throw new CodecException(CodecException.Reason.TRUNCATED, len + " bytes, a header needs " + HEADER_BYTES);
        }
        int magic = ((buf[off] & 0xFF) << 8) | (buf[off + 1] & 0xFF);
        if (magic != MAGIC) {
            throw new CodecException(CodecException.Reason.BAD_MAGIC, String.format("0x%04x at offset 0", magic));
        }
        int version = buf[off + 2] & 0xFF;
        if (version != VERSION) {
            throw new CodecException(CodecException.Reason.UNSUPPORTED_VERSION, "version " + version + ", this codec speaks " + VERSION);
        }
        int flags = buf[off + 4] & 0xFF;
        if ((flags & ~FLAG_LZ4) != 0) {
            throw new CodecException(CodecException.Reason.UNSUPPORTED_FLAGS, String.format("flags 0x%02x", flags));
        }
        long length = getInt(buf, off + 9) & 0xFFFF_FFFFL;
        if (HEADER_BYTES + length > config.maxFrameBytes()) {
            throw new CodecException(CodecException.Reason.OVERSIZED, "body length " + length + " makes a frame of "
                    + (HEADER_BYTES + length) + " bytes, maximum " + config.maxFrameBytes());
        }
        if (length < NONCE_BYTES + TAG_BYTES) {
            throw new CodecException(CodecException.Reason.TRUNCATED, "body length " + length + " is below the "
                    + (NONCE_BYTES + TAG_BYTES) + " bytes of nonce and tag");
        }
        return (int) length;
    }

    /** Opens a frame that fills {@code frame} exactly. */
    public Frame decode(byte[] frame) throws CodecException {
        return decode(frame, 0, frame.length);
    }

    /**
     * Opens a frame: checks the header, authenticates and decrypts, decompresses.
     *
     * @param len the frame's bytes from {@code off}; trailing bytes beyond the announced length are an error
     * @throws CodecException for any bad input; never another exception for any bytes
     */
    public Frame decode(byte[] buf, int off, int len) throws CodecException {
        int length = bodyLength(buf, off, len);
        if (len < HEADER_BYTES + length) {
            throw new CodecException(CodecException.Reason.TRUNCATED, len + " bytes, the header announces " + (HEADER_BYTES + length));
        }
        if (len > HEADER_BYTES + length) {
            throw new CodecException(CodecException.Reason.MALFORMED, (len - HEADER_BYTES - length) + " bytes after the frame");
        }
        int keyId = getInt(buf, off + 5);
        List<Keyring.Key> keys = config.keyring().withId(keyId);
        if (keys.isEmpty()) {
            throw new CodecException(CodecException.Reason.UNKNOWN_KEY, String.format("key id %08x", keyId));
        }
        byte[] plain = null;
        AEADBadTagException lastFailure = null;
        for (Keyring.Key key : keys) {
            try {
                Cipher c = DECRYPT.get();
                c.init(Cipher.DECRYPT_MODE, key.secret(), new GCMParameterSpec(TAG_BYTES * 8, buf, off + HEADER_BYTES, NONCE_BYTES));
                c.updateAAD(buf, off, HEADER_BYTES);
                c.updateAAD(labelAad);
                plain = c.doFinal(buf, off + HEADER_BYTES + NONCE_BYTES, length - NONCE_BYTES);
                break;
            } catch (AEADBadTagException e) {
                lastFailure = e;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("AES-GCM opening failed for a reason other than the tag", e);
            }
        }
        if (plain == null) {
            throw new CodecException(CodecException.Reason.AUTHENTICATION_FAILED,
                    "tag mismatch: wrong key, wrong cluster label, or altered bytes", lastFailure);
        }
        int typeId = buf[off + 3] & 0xFF;
        FrameType type = FrameType.byId(typeId);
        if (type == null) {
            throw new CodecException(CodecException.Reason.UNKNOWN_TYPE, "type id " + typeId);
        }
        if ((buf[off + 4] & FLAG_LZ4) == 0) {
            return new Frame(type, plain);
        }
        return new Frame(type, decompress(plain));
    }

    private byte[] decompress(byte[] packed) throws CodecException {
        if (packed.length < 4) {
            throw new CodecException(CodecException.Reason.DECOMPRESSION_FAILED, packed.length + " bytes, the length needs 4");
        }
        long size = getInt(packed, 0) & 0xFFFF_FFFFL;
        if (size > config.maxFrameBytes()) {
            throw new CodecException(CodecException.Reason.OVERSIZED, "decompressed length " + size + " exceeds " + config.maxFrameBytes());
        }
        byte[] out = new byte[(int) size];
        int n;
        try {
            n = DECOMPRESSOR.decompress(packed, 4, packed.length - 4, out, 0, out.length);
        } catch (LZ4Exception e) {
            throw new CodecException(CodecException.Reason.DECOMPRESSION_FAILED, "corrupt LZ4 block: " + e.getMessage(), e);
        }
        if (n != size) {
            throw new CodecException(CodecException.Reason.DECOMPRESSION_FAILED, "LZ4 block holds " + n + " bytes, announced " + size);
        }
        return out;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static int getInt(byte[] b, int at) {
        return ((b[at] & 0xFF) << 24) | ((b[at + 1] & 0xFF) << 16) | ((b[at + 2] & 0xFF) << 8) | (b[at + 3] & 0xFF);
    }
}
