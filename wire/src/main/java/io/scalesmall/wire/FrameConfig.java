package io.scalesmall.wire;

import java.nio.charset.StandardCharsets;

/**
 * How frames are sealed and checked. Immutable; validated on construction.
 *
 * @param clusterLabel             names the cluster; authenticated with every frame (not sent), so two
 *                                 clusters sharing a network and even a key never accept each other's
 *                                 frames. 0..255 UTF-8 bytes.
 * @param keyring                  the AES keys: the primary seals, all are accepted
 * @param maxFrameBytes            largest frame accepted or produced, and largest payload after
 *                                 decompression, in bytes; checked before any allocation.
 *                                 {@value #MIN_FRAME_BYTES}..{@value #MAX_FRAME_BYTES}. Default
 *                                 {@value #DEFAULT_MAX_FRAME_BYTES} (fits a 100,000-item topology); a UDP
 *                                 transport uses at most 65,507.
 * @param compressionThresholdBytes payloads of at least this many bytes are LZ4-compressed (kept only if
 *                                 smaller); 0 compresses everything, {@link Integer#MAX_VALUE} nothing.
 *                                 Default {@value #DEFAULT_COMPRESSION_THRESHOLD_BYTES}: below that, LZ4 rarely
 *                                 saves the 4 bytes of length it adds.
 */
public record FrameConfig(String clusterLabel, Keyring keyring, int maxFrameBytes, int compressionThresholdBytes) {
    /** Smallest allowed {@code maxFrameBytes}: a header, a nonce, a tag and a little payload. */
    public static final int MIN_FRAME_BYTES = 64;
    /** Largest allowed {@code maxFrameBytes}: 256 MiB. */
    public static final int MAX_FRAME_BYTES = 256 << 20;
    /** Default {@code maxFrameBytes}: 16 MiB. */
    public static final int DEFAULT_MAX_FRAME_BYTES = 16 << 20;
    /** Default {@code compressionThresholdBytes}. */
    public static final int DEFAULT_COMPRESSION_THRESHOLD_BYTES = 256;

    /** @throws IllegalArgumentException naming the field and value when one is invalid */
    public FrameConfig {
        if (clusterLabel == null) {
            throw new IllegalArgumentException("clusterLabel: null");
        }
        int labelBytes = clusterLabel.getBytes(StandardCharsets.UTF_8).length;
        if (labelBytes > 255) {
            throw new IllegalArgumentException("clusterLabel: " + labelBytes + " UTF-8 bytes, at most 255");
        }
        if (keyring == null) {
            throw new IllegalArgumentException("keyring: null");
        }
        if (maxFrameBytes < MIN_FRAME_BYTES || maxFrameBytes > MAX_FRAME_BYTES) {
            throw new IllegalArgumentException("maxFrameBytes: " + maxFrameBytes + " is not in "
                    + MIN_FRAME_BYTES + ".." + MAX_FRAME_BYTES);
        }
        if (compressionThresholdBytes < 0) {
            throw new IllegalArgumentException("compressionThresholdBytes: " + compressionThresholdBytes + " is negative");
        }
    }

    /** @return the defaults for a label and keyring */
    public static FrameConfig of(String clusterLabel, Keyring keyring) {
        return new FrameConfig(clusterLabel, keyring, DEFAULT_MAX_FRAME_BYTES, DEFAULT_COMPRESSION_THRESHOLD_BYTES);
    }

    /** @return this config with another maximum frame size */
    public FrameConfig withMaxFrameBytes(int bytes) {
        return new FrameConfig(clusterLabel, keyring, bytes, compressionThresholdBytes);
    }

    /** @return this config with another compression threshold */
    public FrameConfig withCompressionThresholdBytes(int bytes) {
        return new FrameConfig(clusterLabel, keyring, maxFrameBytes, bytes);
    }
}
