package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import org.HdrHistogram.Histogram;

/**
 * A {@link MessageLog} in one directory of segment files shared by all streams, so that 100,000 streams cost
 * 100,000 small in-memory indexes, not files or threads. The on-disk format, recovery, retention and the budgets are
 * documented in docs/log-format.md; in short:
 *
 * <p><b>Files.</b> {@code 0000000000.seg}, {@code 0000000001.seg}, ...: batches of any streams in append order
 * ({@link BatchRecord}: CRC32C, LZ4 body, producer fields). Appends go to the last segment; before a batch would take
 * it past {@link FileLogConfig#segmentBytes()} a new one is started (named {@code .seg.new} until the one left is
 * fsynced, by a background thread: {@link LogSyncer}); optionally its file was written ahead, zeros made durable
 * before it was needed ({@link SpareSegment}, {@link FileLogConfig#preallocate()}), so that group commits fsync no
 * metadata. A file {@code lock} keeps other logs out of the directory while this one is open. Per stream, an
 * in-memory index ({@link StreamIndex}).
 *
 * <p><b>Recovery</b> (on open) checks every batch and rebuilds the indexes and the producer state. Zeros after the
 * last batch are written-ahead room, kept. A bad batch in the last segment starts a torn tail: truncated, with a WARN
 * line, never served. Any other damage, or an offset gap,
 * makes {@link #open} throw {@link LogCorruptedException} naming the file and byte position.
 *
 * <p><b>Retention</b> ({@link #enforceRetention}, called by the owner with the time) drops whole oldest segments,
 * never the active one, by size ({@link FileLogConfig#retentionBytes()}) and age
 * ({@link FileLogConfig#retentionMillis()}). First offsets move; end offsets never move back, also across reopening
 * ({@link EndCheckpoint}).
 *
 * <p><b>Disk budget.</b> An append that would take the files (zeros written ahead and the spare included) past
 * {@link FileLogConfig#maxDiskBytes()} first runs retention, then gives back the spare's room, then, if the batch
 * still does not fit, throws {@link LogFullException} and stores nothing.
 *
 * <p><b>Idempotent producers.</b> Their batches carry the producer id and first sequence, so recovery rebuilds the
 * producer state ({@link ProducerTable}) and retries are still recognized after a restart; producers idle longer
 * than {@link FileLogConfig#producerExpiryMillis()} at open, at an append or at {@link #enforceRetention} are
 * forgotten.
 *
 * <p><b>Memory budget.</b> The most recent batches, up to {@link FileLogConfig#cacheBytes()} (by default half of
 * what the JVM may use), stay in memory, so consumers reading recent data never touch the disk ({@link BatchCache},
 * {@link LogReader}, {@link #cacheStats()}); older batches are read from their segment and CRC-checked again.
 *
 * <p><b>Write-behind</b> ({@link FileLogConfig#writeBehindBytes()}, on by default): an append places its batch in the
 * active segment, caches and indexes it, and hands a copy to the log's writer thread ({@link SegmentWriter}), which
 * writes it into the file shortly after; a read of a batch that is neither cached nor written yet, and a flush, write
 * what they need themselves. Off, an append writes its batch before it returns.
 *
 * <p><b>Durability.</b> {@link #flush()} is group commit ({@link GroupCommit}): concurrent callers share one
 * fdatasync, which covers what is written (with write-behind, the flush first writes what its mark needs). Appends
 * never fsync: the fsync of a segment the log rolls away from runs on the log's sync thread ({@link LogSyncer}), and
 * a flush waits for it (or does it) before it returns.
 *
 * <p><b>Full or failing disks.</b> A write that fails is cut back off the segment before the append throws, so
 * nothing of the batch is visible, now or after a restart; ENOSPC (a write or a new segment file) throws
 * {@link LogFullException} with {@link LogFullException#fileSystemFull()}, other errors their IOException, and
 * appends work again once the disk does. With write-behind, ENOSPC pauses the writer (its batch cut back and tried
 * again; appends refused with {@link LogFullException} meanwhile; nothing dropped), and any other failed background
 * write is final, as a failed fsync is (below). A failed fsync (from {@link #flush()} or a segment roll) is final: the
 * kernel may have dropped the pages it could not write, so the log cannot tell what is durable; {@code flush} throws
 * the error, and from then on every append and flush throws an IOException saying so, until the log is reopened.
 * Reads keep working throughout.
 *
 * <p><b>Threads.</b> Appends hold the log's lock while they place (and, write-behind off, write) their batch (LZ4
 * compression happens before, in parallel; {@link SegmentAppender} places). Reads take no lock: they use a stream's published index snapshot, the cache and
 * positional reads.
 */
public final class FileMessageLog implements MessageLog {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FileMessageLog.class);
    /** The lock file's name. */
    static final String LOCK_FILE = DirectoryLock.FILE;

    /**
     * Each appending thread's encode arrays, reused from one append to the next (the record is written and copied
     * into the cache before the append returns; nothing keeps it): up to 2 MiB of heap per thread that appends.
     */
    private static final ThreadLocal<BatchRecord.Scratch> SCRATCH = ThreadLocal.withInitial(BatchRecord.Scratch::new);

    private final Path dir;
    private final FileLogConfig config;
    private final LongSupplier clockMillis;
    private final GroupCommit commit;
    private final DirectoryLock lock;
    /** Streams by name; entries never removed. Index contents change under {@link #appendLock} only. */
    private final ConcurrentHashMap<String, StreamIndex> streams = new ConcurrentHashMap<>();
    /** Open segments by number. Changed under {@link #appendLock}. */
    private final ConcurrentHashMap<Integer, Segment> segments = new ConcurrentHashMap<>();
    /** Serializes appends, rolls, retention and close. */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** Idempotent producers; rebuilt by recovery. Guarded by {@link #appendLock}. */
    private final ProducerTable producers;
    private final BatchCache cache;
    /** Allocates the cache's chunks ahead of need (see {@link BatchCache}); stopped at close. */
    private final ExecutorService cacheGrower;
    /** Skips LZ4 attempts while the payloads do not compress. */
    private final CompressionGate compression = new CompressionGate();
    private final LogReader reader;
    private final SegmentAppender appender;
    /** Fsyncs rolled segments and starts early writeback, off the appenders' threads. */
    private final LogSyncer syncer;
    /** Writes the next segment's file ahead of need, or null when switched off. */
    private final SpareSegment spare;
    /** Writes appended batches behind the appenders; null when they write them themselves. */
    private final SegmentWriter writer;
    private final RecoveryReport recovery;
    private volatile boolean closed;

    private FileMessageLog(Path dir, FileLogConfig config, LongSupplier clockMillis, GroupCommit.Fsync fsync,
            ChannelOpener opener) throws IOException {
        this.dir = dir;
        this.config = config;
        this.clockMillis = clockMillis;
        this.commit = new GroupCommit(fsync);
        this.producers = new ProducerTable(config.producerExpiryMillis());
        this.cacheGrower = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "scalesmall-log-cache " + dir.getFileName());
            t.setDaemon(true);
            return t;
        });
        this.cache = new BatchCache(config.resolvedCacheBytes(), cacheGrower, BatchCache.GROWTH_SHARE_PERCENT,
                System::nanoTime);
        Files.createDirectories(dir);
        this.lock = DirectoryLock.take(dir);
        try {
            this.recovery = LogRecovery.run(dir, streams, segments, producers, commit, opener);
            producers.expire(clockMillis.getAsLong());
            SpareSegment.deleteLeftover(dir);
            this.syncer = new LogSyncer(commit, !config.keepPageCache(),
                    "scalesmall-log-sync " + dir.getFileName());
            this.writer = config.writeBehindBytes() == 0 ? null : new SegmentWriter((int) config.writeBehindBytes(), 0,
                    syncer::written, "scalesmall-log-write " + dir.getFileName());
            this.reader = new LogReader(segments, cache, writer);
            this.spare = config.preallocate() ? new SpareSegment(dir, config.segmentBytes(), ChannelOpener.DEFAULT,
                    "scalesmall-log-spare " + dir.getFileName()) : null;
            try {
                this.appender = new SegmentAppender(dir, config, commit, streams, segments, cache, this::dropExpired,
                        opener, syncer, spare, writer);
            } catch (IOException | RuntimeException e) {
                if (writer != null) {
                    writer.close();
                }
                syncer.close();
                if (spare != null) {
                    spare.close();
                }
                throw e;
            }
            if (spare != null) {
                spare.start(this::reserveSpare, () -> appender.active().size());
            }
        } catch (IOException | RuntimeException e) {
            closeFiles();
            throw e;
        }
    }

    /** Opens (creating if needed) the log in {@code dir} with the system clock, recovering what is there. */
    public static FileMessageLog open(Path dir, FileLogConfig config) throws IOException {
        return open(dir, config, System::currentTimeMillis);
    }

    /**
     * Opens (creating if needed) the log in {@code dir}, recovering what is there.
     *
     * @param clockMillis the append time recorded in each batch, ms since the epoch
     * @throws LogCorruptedException if the files hold damage other than a torn tail
     */
    public static FileMessageLog open(Path dir, FileLogConfig config, LongSupplier clockMillis) throws IOException {
        return open(dir, config, clockMillis, GroupCommit.FORCE);
    }

    /** As {@link #open(Path, FileLogConfig, LongSupplier)}, with the fsync replaced (tests count and hold it). */
    static FileMessageLog open(Path dir, FileLogConfig config, LongSupplier clockMillis, GroupCommit.Fsync fsync)
            throws IOException {
        return open(dir, config, clockMillis, fsync, ChannelOpener.DEFAULT);
    }

    /** As above, with segment files opened by {@code opener} (tests inject failing channels). */
    static FileMessageLog open(Path dir, FileLogConfig config, LongSupplier clockMillis, GroupCommit.Fsync fsync,
            ChannelOpener opener) throws IOException {
        return new FileMessageLog(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(clockMillis, "clockMillis"), Objects.requireNonNull(fsync, "fsync"),
                Objects.requireNonNull(opener, "opener"));
    }

    /** What recovery found when this log was opened. */
    public RecoveryReport recovery() {
        return recovery;
    }

    /** Appends a view's messages; see {@link MessageLog#append(String, MessageBatch)}. */
    @Override
    public long append(String stream, MessageBatch messages) throws IOException {
        byte[] name = Limits.streamNameBytes(stream);
        int bodyBytes = Limits.checkBatch(messages);
        BatchRecord.Unsealed unsealed = BatchRecord.encode(name, 0, 0, messages, bodyBytes,
                config.compressMinBytes(), compression, SCRATCH.get());
        appendLock.lock();
        try {
            checkOpen();
            return appender.append(stream, unsealed, clockMillis.getAsLong());
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Appends a producer's batch idempotently; see {@link MessageLog#append(String, long, long, MessageBatch)}. The
     * record is encoded (and compressed) from the view before the lock is taken; a partly repeated batch (rare) is
     * encoded again without its repeated head, under the lock.
     */
    @Override
    public AppendResult append(String stream, long producerId, long firstSequence, MessageBatch messages)
            throws IOException {
        byte[] name = Limits.streamNameBytes(stream);
        int bodyBytes = Limits.checkBatch(messages);
        int n = messages.count();
        Limits.checkProducer(producerId, firstSequence, n);
        BatchRecord.Scratch scratch = SCRATCH.get();
        BatchRecord.Unsealed unsealed = BatchRecord.encode(name, producerId, firstSequence, messages, bodyBytes,
                config.compressMinBytes(), compression, scratch);
        appendLock.lock();
        try {
            checkOpen();
            long now = clockMillis.getAsLong();
            return producers.append(stream, producerId, firstSequence, n, now, skip -> {
                if (skip == 0) {
                    return appender.append(stream, unsealed, now);
                }
                MessageBatch rest = messages.from(skip);
                return appender.append(stream, BatchRecord.encode(name, producerId, firstSequence + skip, rest,
                        Limits.checkBatch(rest), config.compressMinBytes(), compression, scratch), now);
            });
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Applies retention now: drops whole oldest segments (never the active one) while the segments hold more than
     * {@link FileLogConfig#retentionBytes()}, or while the oldest one's newest batch was appended more than
     * {@link FileLogConfig#retentionMillis()} before {@code nowMillis}. Streams' first offsets move past what was
     * dropped; end offsets never move back. Fsyncs what was appended, then the end-offset checkpoint, before it
     * deletes a file. Waits for appends in progress and holds appends off while it runs.
     *
     * @param nowMillis the current time, ms since the epoch (passed in, so tests need no clock)
     * @return the number of messages dropped, over all streams
     * @throws IOException if syncing, the checkpoint or deleting a file failed; see {@link Retention#drop}
     */
    @Override
    public long enforceRetention(long nowMillis) throws IOException {
        appendLock.lock();
        try {
            checkOpen();
            long dropped = dropExpired(nowMillis);
            producers.expire(nowMillis);
            return dropped;
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * The spare's thread asks here before it writes a spare: there must be room for it and for a segment more
     * (appends keep some room), under the disk budget. Waits for the log's lock for 10 ms at most (false then, and
     * the thread asks again later), so that {@link #close}, which holds it while it stops that thread, cannot
     * deadlock.
     */
    private boolean reserveSpare(long bytes, AtomicLong reserved) {
        try {
            if (!appendLock.tryLock(10, TimeUnit.MILLISECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            if (closed || appender.totalBytes() + 2 * bytes > config.maxDiskBytes()) {
                return false;
            }
            reserved.set(bytes);
            return true;
        } finally {
            appendLock.unlock();
        }
    }

    /** Retention, under {@link #appendLock} (also the disk budget's last resort, from the appender). */
    private long dropExpired(long nowMillis) throws IOException {
        List<Segment> dropping = Retention.plan(segments.values(), appender.active(), appender.dataBytes(), config,
                nowMillis);
        if (dropping.isEmpty()) {
            return 0;
        }
        flush(); // every retained batch durable before the checkpoint says which streams have none left
        try {
            return Retention.drop(dir, streams, segments, dropping);
        } finally {
            appender.dropped(dropping.stream().filter(seg -> !segments.containsKey(seg.number)).toList());
            cache.dropThrough(dropping.get(dropping.size() - 1).number);
            producers.retain(name -> streams.get(name).view().first());
        }
    }

    @Override
    public ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) throws IOException {
        Limits.streamNameBytes(stream);
        Limits.checkRead(fromOffset, maxMessages, maxBytes);
        checkOpen();
        return reader.read(stream, streams.get(stream), fromOffset, maxMessages, maxBytes, this::checkOpen);
    }

    /** Batches as stored, with their producer fields (see {@link MessageLog#readBatches}). */
    @Override
    public List<StoredBatch> readBatches(String stream, long fromOffset, int maxMessages, int maxBytes)
            throws IOException {
        Limits.streamNameBytes(stream);
        Limits.checkRead(fromOffset, maxMessages, maxBytes);
        checkOpen();
        return reader.readBatches(stream, streams.get(stream), fromOffset, maxMessages, maxBytes, this::checkOpen);
    }

    @Override
    public long firstOffset(String stream) {
        Limits.streamNameBytes(stream);
        checkOpen();
        StreamIndex idx = streams.get(stream);
        return idx == null ? 0 : idx.view().first();
    }

    @Override
    public long endOffset(String stream) {
        Limits.streamNameBytes(stream);
        checkOpen();
        StreamIndex idx = streams.get(stream);
        return idx == null ? 0 : idx.end();
    }

    @Override
    public int streamCount() {
        checkOpen();
        return streams.size();
    }

    @Override
    public void flush() throws IOException {
        checkOpen();
        commit.flush(appender.commitView());
    }

    /** The read cache's budget, use and hit counts since open. */
    public CacheStats cacheStats() {
        return new CacheStats(cache.budgetBytes(), cache.heldBytes(), cache.batches(), cache.hits(), cache.misses());
    }

    /** Rolled segments whose pages were dropped from the page cache after their fsync (see {@link PageCache}). */
    long droppedSegments() {
        return syncer.droppedSegments();
    }

    /** Ranges of active segments whose early writeback finished (see {@link LogSyncer}). */
    long writtenBackRanges() {
        return syncer.writtenBackRanges();
    }

    /** Whether completed rolls wait for the syncer to look at their pages (tests). */
    boolean syncedSegmentsWaiting() {
        return commit.syncedWaiting();
    }

    /**
     * How long the fsyncs since open took (rolls' and group commits', those that succeeded), ns, from 1 µs to a minute,
     * to 2 significant digits: a copy, the caller's to keep. A disk ack waits for one group commit's fsync, so this is
     * the floor of disk-ack latency. Any thread.
     */
    public Histogram fsyncLatencyNanos() {
        return commit.fsyncNanos();
    }

    /**
     * What {@link #fsyncLatencyNanos()} says at {@code percentile} (0..100; 100 is the longest), ns, 0 before the first
     * fsync, without copying the histogram: for metrics read at every scrape. Any thread.
     */
    public long fsyncLatencyNanosAt(double percentile) {
        return commit.fsyncNanosAt(percentile);
    }

    /** fsync calls made since open (rolls and flushes). */
    public long fsyncCount() {
        return commit.fsyncCount();
    }

    /** Idempotent producers remembered, over all streams (tests, metrics). */
    public int producerCount() {
        appendLock.lock();
        try {
            return producers.size();
        } finally {
            appendLock.unlock();
        }
    }

    /** Segment files currently held. */
    public int segmentCount() {
        return segments.size();
    }

    /**
     * Bytes of the log's segment files on disk, zeros written ahead included, and of the spare segment while it is
     * reserved, written or ready ({@link FileLogConfig#preallocate()}): what {@link FileLogConfig#maxDiskBytes()}
     * limits.
     */
    public long diskBytes() {
        return appender.totalBytes();
    }

    /** Bytes of batches held in the segments (retention by size's measure); at most {@link #diskBytes()}. */
    public long dataBytes() {
        return appender.dataBytes();
    }

    /** Bytes of batches in segment {@code number} (tests: its file may be longer, {@link Segment#allocated}). */
    long segmentSize(int number) {
        return segments.get(number).size();
    }

    /** Bytes of the segment files, zeros written ahead included: {@link #diskBytes()} without the spare (tests). */
    long segmentFileBytes() {
        return appender.segmentFileBytes();
    }

    /** Segment rolls since open. */
    public long rolls() {
        return appender.rolls();
    }

    /**
     * Segment rolls since open that continued in a file written ahead ({@link FileLogConfig#preallocate()}); the
     * others started an empty file (preallocation off, or the spare not ready yet).
     */
    public long rollsIntoPreallocated() {
        return appender.rollsIntoSpare();
    }

    /** Spare segments written ahead since open (tests, metrics). */
    long sparesPrepared() {
        return spare == null ? 0 : spare.prepared();
    }

    GroupCommit groupCommit() {
        return commit;
    }

    @Override
    public void close() throws IOException {
        appendLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (writer != null) {
                writer.close(); // writes what it holds, so that the rolls' fsyncs below find it in the files
            }
            syncer.close();
            if (spare != null) {
                spare.close();
            }
            try {
                commit.syncRolls(); // finish what the sync thread had queued; recovery would do it otherwise
            } catch (IOException e) {
                LOG.warn("closing {}: the fsync of a rolled segment failed: {}", dir, e.toString());
            }
            cacheGrower.shutdownNow();
            cache.clear();
            closeFiles();
        } finally {
            appendLock.unlock();
        }
    }

    private void closeFiles() throws IOException {
        Segment.closeAll(segments.values(), lock);
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("log closed: " + dir);
        }
    }
}
