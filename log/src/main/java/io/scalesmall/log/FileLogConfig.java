package io.scalesmall.log;

/**
 * Settings of a {@link FileMessageLog}. Immutable; checked when built.
 *
 * @param segmentBytes     a segment file is closed to appends, and a new one started, before a batch would take
 *                         it past this size (a segment holding a single batch may be larger). Default
 *                         {@value #DEFAULT_SEGMENT_BYTES} (64 MiB): large enough that a node with 100,000 streams
 *                         opens few files and rolls rarely (one extra fsync per roll), small enough that
 *                         retention frees space in useful steps. Between {@value #MIN_SEGMENT_BYTES} and
 *                         {@value #MAX_SEGMENT_BYTES}.
 * @param compressMinBytes batch bodies of at least this many bytes are LZ4-compressed (and kept so only when
 *                         smaller). Default {@value #DEFAULT_COMPRESS_MIN_BYTES}: below that, LZ4's block overhead
 *                         leaves little to gain. 0 compresses every batch; {@link Integer#MAX_VALUE} none.
 */
public record FileLogConfig(long segmentBytes, int compressMinBytes) {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final long MIN_SEGMENT_BYTES = 1024;
    public static final long MAX_SEGMENT_BYTES = 1L << 30;
    public static final int DEFAULT_COMPRESS_MIN_BYTES = 64;

    /** The defaults. */
    public static final FileLogConfig DEFAULT = new FileLogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_COMPRESS_MIN_BYTES);

    public FileLogConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", "
                    + MAX_SEGMENT_BYTES + "], got " + segmentBytes);
        }
        if (compressMinBytes < 0) {
            throw new IllegalArgumentException("compressMinBytes must be >= 0, got " + compressMinBytes);
        }
    }

    public FileLogConfig withSegmentBytes(long bytes) {
        return new FileLogConfig(bytes, compressMinBytes);
    }

    public FileLogConfig withCompressMinBytes(int bytes) {
        return new FileLogConfig(segmentBytes, bytes);
    }
}
