package io.scalesmall.log;

/**
 * Settings of a {@link FileMessageLog}. Immutable; checked when built. Sizes are in bytes, durations in
 * milliseconds; {@link #UNLIMITED} switches a limit off.
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
 * @param retentionBytes   retention by size: {@link FileMessageLog#enforceRetention} drops whole oldest segments
 *                         (never the active one) while all segments together hold more than this. At least 1;
 *                         default {@link #UNLIMITED}.
 * @param retentionMillis  retention by age: {@link FileMessageLog#enforceRetention} drops a whole segment (oldest
 *                         first, never the active one) once the append time of its newest batch is more than this
 *                         long ago. At least 1; default {@value #DEFAULT_RETENTION_MILLIS} (7 days, as Kafka's
 *                         {@code log.retention.hours}).
 * @param maxDiskBytes     the disk budget: an append that would take all segments together past this size first
 *                         runs retention, then, if it still does not fit, fails with {@link LogFullException} and
 *                         stores nothing. At least 1; default {@link #UNLIMITED} (the node sets it from the disk it
 *                         is given). Counts segment files only; the lock file and the end-offset checkpoint (a few
 *                         bytes per stream) are not counted.
 * @param producerExpiryMillis an idempotent producer (see {@link MessageLog#append(String, long, long, java.util.List)})
 *                         that appended no batch to a stream for longer than this is forgotten there: its next
 *                         batch is accepted whatever its sequence. At least 1; default
 *                         {@value #DEFAULT_PRODUCER_EXPIRY_MILLIS} (7 days, as Kafka's
 *                         {@code transactional.id.expiration.ms}, and the default retention: a retry is detected as
 *                         long as the data it repeats is kept).
 * @param cacheBytes       the memory budget: the most recently appended batches stay in memory, in direct
 *                         (off-heap) chunks of 1 MiB
 *                         (one chunk of the whole budget when it is smaller) up to this many bytes, so that consumers
 *                         reading recent data never touch the disk; the oldest chunk is reused first. Chunks are
 *                         allocated as data arrives, after the first by a background thread ahead of need (see
 *                         {@code BatchCache}). 0 switches the cache off. Default {@link #AUTO_CACHE_BYTES}:
 *                         greedy, half of the heap's maximum ({@link Runtime#maxMemory()} / 2) when the log is
 *                         opened, held off-heap -- the node's other memory (connections, indexes, producer state) is
 *                         small beside its messages. Direct memory is limited by {@code -XX:MaxDirectMemorySize}
 *                         (default: the heap's maximum, so the default budget fits beside Netty's buffers); when it
 *                         refuses a chunk the cache stops growing. Give a smaller share (or 0) when several logs or
 *                         other large users share the JVM.
 * @param keepPageCache    false (default): once a segment is complete and fsynced, its pages are dropped from the
 *                         operating system's page cache (Linux; see {@code PageCache}), so that writing keeps reusing
 *                         the same warm pages and the log's memory is its own budget above; reads past that budget
 *                         go to the disk. true leaves them to the kernel: a consumer catching up from far behind may
 *                         then read from the page cache, at the price of the kernel's memory and, on some virtual
 *                         machines, of costlier writes into fresh pages (bench/pagecache-write.py).
 * @param writebackBytes   early writeback: each time this many bytes were appended to the active segment, the log's
 *                         background thread asks the kernel to start writing them to the device
 *                         ({@code sync_file_range}, Linux; RocksDB's {@code bytes_per_sync}), and drops the range
 *                         before from the page cache once written (unless {@link #keepPageCache}). A roll's fsync then
 *                         finds little left to write, and its kernel work comes in small steps rather than in one
 *                         burst of several ms per segment. Durability is the fsyncs', unchanged. Default
 *                         {@value #DEFAULT_WRITEBACK_BYTES} (4 MiB); 0 switches it off; otherwise at least
 *                         {@value #MIN_WRITEBACK_BYTES}. Does nothing where {@code PageCache} is unsupported.
 * @param preallocate      false (default): segment files grow as batches arrive. true: the next segment's file is
 *                         written ahead of need by a background thread, {@link #segmentBytes} of zeros made durable,
 *                         paced by the active segment's fill, and a roll continues in it, so that the group commit's
 *                         fdatasync overwrites blocks that exist and commits no file-size or allocation change to the
 *                         file system's journal (PostgreSQL's {@code wal_init_zero}). Measured on the benchmark
 *                         machine (docs/benchmarks.md): fdatasync p50 0.21-0.27 instead of 0.39-0.46 ms, but the
 *                         zeros double the bytes written and cost CPU, and the disk-ack p99 at half of peak was no
 *                         better (medians 15 and 12 ms over six pairs); at 1M msgs/s ack p50 0.70-0.86 instead of
 *                         0.82-1.01 ms. Up to two segments' worth of zeros sit on disk (the active segment's unwritten
 *                         end and the spare), which the disk budget counts as used and gives back before it refuses a
 *                         batch. Pointless on copy-on-write file systems (btrfs, ZFS), where overwriting allocates
 *                         anyway.
 * @param writeBehindBytes write-behind ({@code SegmentWriter}), {@value #DEFAULT_WRITE_BEHIND_BYTES} (8 MiB) by
 *                         default: an append places the batch, puts it in the cache and returns; a background thread
 *                         (or a flush or read that needs it, itself) writes it into the segment file, holding up to
 *                         this many bytes of batches not yet written in a ring of direct memory (appends wait while
 *                         it is full). So a server's event loop acknowledges a memory copy without the {@code pwrite}
 *                         (docs/benchmarks.md, "Write-behind"). Fsyncs, and so disk acknowledgements, cover only
 *                         written batches: durability is unchanged. A full disk pauses the writer (appends are
 *                         refused with {@link LogFullException} until its batch fits; nothing is dropped); any other
 *                         failed background write is final for the log, as a failed fsync is: appends are refused
 *                         until it is reopened, and batches acknowledged only as in memory since the failure are
 *                         lost, as in a crash. 0: an append writes its batch before it returns. 0 or
 *                         {@value #MIN_WRITE_BEHIND_BYTES}..2^31 - 1.
 */
public record FileLogConfig(long segmentBytes, int compressMinBytes, long retentionBytes, long retentionMillis,
        long maxDiskBytes, long producerExpiryMillis, long cacheBytes, boolean keepPageCache, long writebackBytes,
        boolean preallocate, long writeBehindBytes) {
    public static final long DEFAULT_SEGMENT_BYTES = 64L << 20;
    public static final long MIN_SEGMENT_BYTES = 1024;
    public static final long MAX_SEGMENT_BYTES = 1L << 30;
    public static final int DEFAULT_COMPRESS_MIN_BYTES = 64;
    /** No limit (for {@link #retentionBytes}, {@link #retentionMillis}, {@link #maxDiskBytes}). */
    public static final long UNLIMITED = Long.MAX_VALUE;
    public static final long DEFAULT_RETENTION_MILLIS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_PRODUCER_EXPIRY_MILLIS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_WRITEBACK_BYTES = 4L << 20;
    /** The smallest {@link #writebackBytes} other than 0 (off): one page. */
    public static final long MIN_WRITEBACK_BYTES = 4096;
    /** The default {@link #writeBehindBytes}: 8 MiB, some 25 ms of appends at 330 MB/s (3.3M 100-byte msgs/s). */
    public static final long DEFAULT_WRITE_BEHIND_BYTES = 8L << 20;
    /** The smallest {@link #writeBehindBytes} other than 0 (off): 1 MiB. */
    public static final long MIN_WRITE_BEHIND_BYTES = 1L << 20;
    /** {@link #cacheBytes} meaning "half of {@link Runtime#maxMemory()} at open". */
    public static final long AUTO_CACHE_BYTES = -1;

    /** The defaults. */
    public static final FileLogConfig DEFAULT = new FileLogConfig(DEFAULT_SEGMENT_BYTES, DEFAULT_COMPRESS_MIN_BYTES,
            UNLIMITED, DEFAULT_RETENTION_MILLIS, UNLIMITED, DEFAULT_PRODUCER_EXPIRY_MILLIS, AUTO_CACHE_BYTES, false,
            DEFAULT_WRITEBACK_BYTES, false, DEFAULT_WRITE_BEHIND_BYTES);

    public FileLogConfig {
        if (segmentBytes < MIN_SEGMENT_BYTES || segmentBytes > MAX_SEGMENT_BYTES) {
            throw new IllegalArgumentException("segmentBytes must be in [" + MIN_SEGMENT_BYTES + ", "
                    + MAX_SEGMENT_BYTES + "], got " + segmentBytes);
        }
        if (compressMinBytes < 0) {
            throw new IllegalArgumentException("compressMinBytes must be >= 0, got " + compressMinBytes);
        }
        positive("retentionBytes", retentionBytes);
        positive("retentionMillis", retentionMillis);
        positive("maxDiskBytes", maxDiskBytes);
        positive("producerExpiryMillis", producerExpiryMillis);
        if (cacheBytes < 0 && cacheBytes != AUTO_CACHE_BYTES) {
            throw new IllegalArgumentException("cacheBytes must be >= 0 or AUTO_CACHE_BYTES (-1), got " + cacheBytes);
        }
        if (writebackBytes != 0 && writebackBytes < MIN_WRITEBACK_BYTES) {
            throw new IllegalArgumentException("writebackBytes must be 0 (off) or >= " + MIN_WRITEBACK_BYTES + ", got "
                    + writebackBytes);
        }
        if (writeBehindBytes != 0
                && (writeBehindBytes < MIN_WRITE_BEHIND_BYTES || writeBehindBytes > Integer.MAX_VALUE)) {
            throw new IllegalArgumentException("writeBehindBytes must be 0 (off) or in " + MIN_WRITE_BEHIND_BYTES
                    + ".." + Integer.MAX_VALUE + ", got " + writeBehindBytes);
        }
    }

    /** The cache budget in bytes: {@link #cacheBytes}, with {@link #AUTO_CACHE_BYTES} resolved now. */
    long resolvedCacheBytes() {
        return cacheBytes == AUTO_CACHE_BYTES ? Runtime.getRuntime().maxMemory() / 2 : cacheBytes;
    }

    private static void positive(String field, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(field + " must be >= 1, got " + value);
        }
    }

    public FileLogConfig withSegmentBytes(long bytes) {
        return new FileLogConfig(bytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    public FileLogConfig withCompressMinBytes(int bytes) {
        return new FileLogConfig(segmentBytes, bytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    public FileLogConfig withRetentionBytes(long bytes) {
        return new FileLogConfig(segmentBytes, compressMinBytes, bytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    public FileLogConfig withRetentionMillis(long millis) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, millis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    public FileLogConfig withMaxDiskBytes(long bytes) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, bytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    public FileLogConfig withProducerExpiryMillis(long millis) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                millis, cacheBytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }

    /** @param keep see {@link #keepPageCache}: true keeps synced segments' pages in the page cache */
    public FileLogConfig withKeepPageCache(boolean keep) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keep, writebackBytes, preallocate, writeBehindBytes);
    }

    /** @param bytes see {@link #writebackBytes}: 0 switches early writeback off */
    public FileLogConfig withWritebackBytes(long bytes) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, bytes, preallocate, writeBehindBytes);
    }

    /** @param bytes see {@link #writeBehindBytes}: 0 writes each batch on the appender's thread */
    public FileLogConfig withWriteBehindBytes(long bytes) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, preallocate, bytes);
    }

    /** @param on see {@link #preallocate}: false lets segment files grow as batches arrive */
    public FileLogConfig withPreallocate(boolean on) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, cacheBytes, keepPageCache, writebackBytes, on, writeBehindBytes);
    }

    public FileLogConfig withCacheBytes(long bytes) {
        return new FileLogConfig(segmentBytes, compressMinBytes, retentionBytes, retentionMillis, maxDiskBytes,
                producerExpiryMillis, bytes, keepPageCache, writebackBytes, preallocate, writeBehindBytes);
    }
}
