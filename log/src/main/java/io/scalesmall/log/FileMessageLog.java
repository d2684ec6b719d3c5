package io.scalesmall.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * A {@link MessageLog} in one directory of segment files shared by all streams, so that 100,000 streams cost
 * 100,000 small in-memory indexes, not files or threads.
 *
 * <p><b>Files.</b> {@code 0000000000.seg}, {@code 0000000001.seg}, ...: batches of any streams in append order,
 * each laid out as {@link BatchRecord} documents (magic, version, flags, CRC32C, lengths, base offset, count,
 * time, stream name, LZ4 body). Appends go to the last segment; before a batch would take it past
 * {@link FileLogConfig#segmentBytes()} it is fsynced and a new one started. A file {@code lock} holds an
 * exclusive lock while the log is open, so two processes never share a directory.
 *
 * <p><b>Index.</b> Per stream, in memory, one entry per batch: base offset → segment, position, length
 * ({@link StreamIndex}). Rebuilt on open by scanning every segment.
 *
 * <p><b>Recovery</b> (on open): every batch is checked (header, length, CRC32C) and batches of a stream must
 * continue each other's offsets. A bad batch in the last segment starts a torn tail: the file is truncated there,
 * with a WARN line, and nothing from it is ever served. A bad batch anywhere else, or an offset gap, is damage
 * recovery must not hide: {@link #open} throws {@link LogCorruptedException} naming the file and byte position.
 *
 * <p><b>Retention</b> ({@link #enforceRetention}, called by the owner with the time, e.g. once a minute) drops
 * whole oldest segments, never the active one: while the segments hold more than
 * {@link FileLogConfig#retentionBytes()}, or while the oldest one's newest batch is older than
 * {@link FileLogConfig#retentionMillis()}. Each stream's first offset then moves past its dropped batches; its end
 * offset stays, also across reopening ({@link EndCheckpoint}), so offsets are never given out twice.
 *
 * <p><b>Disk budget.</b> An append that would take the segments past {@link FileLogConfig#maxDiskBytes()} first
 * runs retention (with the log's clock), then, if the batch still does not fit, throws {@link LogFullException}
 * and stores nothing. Retention never drops more than its settings allow to make room: a full log refuses
 * producers rather than lose data consumers were promised. Reads and flushes go on as before.
 *
 * <p><b>Idempotent producers.</b> Their batches carry the producer id and first sequence ({@link BatchRecord}
 * version 2), so recovery rebuilds the producer state ({@link ProducerTable}) and retries are still recognized
 * after a restart; producers idle longer than {@link FileLogConfig#producerExpiryMillis()} at open, at an append
 * or at {@link #enforceRetention} are forgotten.
 *
 * <p><b>Durability.</b> {@link #flush()} is group commit ({@link GroupCommit}): concurrent callers share one
 * fdatasync. Reads verify the CRC again.
 *
 * <p><b>Threads.</b> Appends hold the log's lock while they write (LZ4 compression happens before, in parallel).
 * Reads take no lock: they use a stream's published index snapshot and positional reads.
 */
public final class FileMessageLog implements MessageLog {
    /** The lock file's name. */
    static final String LOCK_FILE = "lock";

    private final Path dir;
    private final FileLogConfig config;
    private final LongSupplier clockMillis;
    private final GroupCommit commit;
    private final FileChannel lockChannel;
    private final FileLock lock;
    /** Streams by name; entries never removed. Index contents change under {@link #appendLock} only. */
    private final ConcurrentHashMap<String, StreamIndex> streams = new ConcurrentHashMap<>();
    /** Open segments by number. Changed under {@link #appendLock}. */
    private final ConcurrentHashMap<Integer, Segment> segments = new ConcurrentHashMap<>();
    /** Serializes appends, rolls and close. */
    private final ReentrantLock appendLock = new ReentrantLock();
    /** The segment taking appends. Written under {@link #appendLock}. */
    private volatile Segment active;
    /** Bytes appended since open (the group-commit mark). Written under {@link #appendLock}. */
    private volatile long appendedBytes;
    /** Bytes of all held segments (the disk budget's measure). Written under {@link #appendLock}. */
    private volatile long diskBytes;
    /** Idempotent producers; rebuilt by recovery. Guarded by {@link #appendLock}. */
    private final ProducerTable producers;
    private final RecoveryReport recovery;
    private volatile boolean closed;

    private FileMessageLog(Path dir, FileLogConfig config, LongSupplier clockMillis, GroupCommit.Fsync fsync)
            throws IOException {
        this.dir = dir;
        this.config = config;
        this.clockMillis = clockMillis;
        this.commit = new GroupCommit(fsync);
        this.producers = new ProducerTable(config.producerExpiryMillis());
        Files.createDirectories(dir);
        this.lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            l = null;
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException(dir + " is in use by another open log");
        }
        this.lock = l;
        try {
            this.recovery = recover();
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
        return new FileMessageLog(Objects.requireNonNull(dir, "dir"), Objects.requireNonNull(config, "config"),
                Objects.requireNonNull(clockMillis, "clockMillis"), Objects.requireNonNull(fsync, "fsync"));
    }

    private RecoveryReport recover() throws IOException {
        RecoveryReport report = LogRecovery.run(dir, streams, segments, producers, commit);
        producers.expire(clockMillis.getAsLong());
        if (segments.isEmpty()) {
            newSegment(0);
        } else {
            active = segments.get(segments.keySet().stream().max(Integer::compare).orElseThrow());
        }
        diskBytes = heldBytes();
        return report;
    }

    /** What recovery found when this log was opened. */
    public RecoveryReport recovery() {
        return recovery;
    }

    @Override
    public long append(String stream, List<byte[]> messages) throws IOException {
        byte[] name = Limits.streamNameBytes(stream);
        int bodyBytes = Limits.checkBatch(messages);
        BatchRecord.Unsealed unsealed = BatchRecord.encode(name, messages, bodyBytes, config.compressMinBytes());
        appendLock.lock();
        try {
            checkOpen();
            return write(stream, unsealed, clockMillis.getAsLong());
        } finally {
            appendLock.unlock();
        }
    }

    @Override
    public AppendResult append(String stream, long producerId, long firstSequence, List<byte[]> messages)
            throws IOException {
        byte[] name = Limits.streamNameBytes(stream);
        int bodyBytes = Limits.checkBatch(messages);
        int n = messages.size();
        Limits.checkProducer(producerId, firstSequence, n);
        BatchRecord.Unsealed unsealed = BatchRecord.encode(name, producerId, firstSequence, messages, bodyBytes,
                config.compressMinBytes());
        appendLock.lock();
        try {
            checkOpen();
            long now = clockMillis.getAsLong();
            ProducerTable.Check c = producers.check(stream, producerId, firstSequence, n, now);
            int dups = c.duplicates();
            if (dups == n) {
                return new AppendResult(c.originalOffset(), n);
            }
            if (dups > 0) { // a partly repeated batch (rare): store the rest, re-encoded with its first sequence
                List<byte[]> rest = messages.subList(dups, n);
                unsealed = BatchRecord.encode(name, producerId, firstSequence + dups, rest, Limits.checkBatch(rest),
                        config.compressMinBytes());
            }
            long base = write(stream, unsealed, now);
            producers.record(stream, producerId, firstSequence + dups, n - dups, base, now);
            return new AppendResult(dups > 0 ? c.originalOffset() : base, dups);
        } finally {
            appendLock.unlock();
        }
    }

    /**
     * Writes an encoded batch at the stream's end and indexes it; returns its base offset. Under
     * {@link #appendLock}. On failure nothing is visible.
     */
    private long write(String stream, BatchRecord.Unsealed unsealed, long now) throws IOException {
        StreamIndex idx = streams.get(stream);
        long base = idx == null ? 0 : idx.end();
        ByteBuffer rec = BatchRecord.seal(unsealed, base, now);
        int length = rec.remaining();
        if (diskBytes + length > config.maxDiskBytes()) {
            dropExpired(now);
            if (diskBytes + length > config.maxDiskBytes()) {
                throw new LogFullException(dir, diskBytes, length, config.maxDiskBytes());
            }
        }
        Segment seg = active;
        if (seg.size() > 0 && seg.size() + length > config.segmentBytes()) {
            commit.syncRolled(seg.channel, appendedBytes);
            seg = newSegment(seg.number + 1);
        }
        long position = seg.size();
        try {
            seg.append(rec);
        } catch (IOException e) {
            try {
                seg.truncate(position);
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        if (idx == null) {
            idx = new StreamIndex();
            streams.put(stream, idx);
        }
        idx.add(base, unsealed.count(), seg.number, position, length);
        seg.sawBatch(now);
        appendedBytes += length;
        diskBytes += length;
        return base;
    }

    private Segment newSegment(int number) throws IOException {
        Segment seg = Segment.create(dir, number);
        segments.put(number, seg);
        Segment.syncDirectory(dir);
        active = seg;
        return seg;
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

    /** Retention, under {@link #appendLock}. */
    private long dropExpired(long nowMillis) throws IOException {
        List<Segment> dropping = Retention.plan(segments.values(), active, diskBytes, config, nowMillis);
        if (dropping.isEmpty()) {
            return 0;
        }
        flush(); // every retained batch durable before the checkpoint says which streams have none left
        try {
            return Retention.drop(dir, streams, segments, dropping);
        } finally {
            diskBytes = heldBytes();
            producers.retain(name -> streams.get(name).view().first());
        }
    }

    private long heldBytes() {
        long sum = 0;
        for (Segment s : segments.values()) {
            sum += s.size();
        }
        return sum;
    }

    @Override
    public ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) throws IOException {
        Limits.streamNameBytes(stream);
        Limits.checkRead(fromOffset, maxMessages, maxBytes);
        checkOpen();
        StreamIndex idx = streams.get(stream);
        StreamIndex.View v = idx == null ? StreamIndex.View.EMPTY : idx.view();
        if (fromOffset < v.first() || fromOffset > v.end()) {
            throw new OffsetOutOfRangeException(stream, fromOffset, v.first(), v.end());
        }
        try {
            return read(stream, v, fromOffset, maxMessages, maxBytes);
        } catch (ClosedChannelException e) {
            checkOpen();
            StreamIndex.View now = idx.view(); // retention dropped a segment this read used
            if (fromOffset < now.first()) {
                throw new OffsetOutOfRangeException(stream, fromOffset, now.first(), now.end());
            }
            throw e;
        }
    }

    private ReadResult read(String stream, StreamIndex.View v, long fromOffset, int maxMessages, int maxBytes)
            throws IOException {
        List<byte[]> out = new ArrayList<>();
        long next = fromOffset;
        long bytes = 0;
        for (int i = next < v.end() ? v.find(next) : v.count(); i < v.count() && out.size() < maxMessages; i++) {
            ByteBuffer rec = readRecord(v, i);
            int skip = (int) (next - v.bases()[i]);
            List<byte[]> got;
            try {
                got = BatchRecord.decode(rec, 0, skip, maxMessages - out.size(), maxBytes - bytes, out.isEmpty());
            } catch (IllegalArgumentException e) {
                throw new LogCorruptedException(segmentOf(v, i).path, v.positions()[i], e.getMessage());
            }
            for (byte[] m : got) {
                bytes += m.length;
            }
            out.addAll(got);
            next += got.size();
            if (got.size() < v.countOf(i) - skip) {
                break; // a limit stopped us inside this batch
            }
        }
        return new ReadResult(fromOffset, out);
    }

    private ByteBuffer readRecord(StreamIndex.View v, int i) throws IOException {
        Segment seg = segmentOf(v, i);
        long position = v.positions()[i];
        ByteBuffer rec = seg.read(position, v.lengths()[i]);
        if (BatchRecord.crc(rec, 0, rec.limit()) != rec.getInt(BatchRecord.CRC_AT)) {
            throw new LogCorruptedException(seg.path, position, "CRC32C mismatch on read");
        }
        return rec;
    }

    /** The segment of entry {@code i}; ClosedChannelException if retention dropped it after {@code v} was taken. */
    private Segment segmentOf(StreamIndex.View v, int i) throws ClosedChannelException {
        Segment seg = segments.get(v.segments()[i]);
        if (seg == null) {
            throw new ClosedChannelException();
        }
        return seg;
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
        commit.flush(new GroupCommit.Log() {
            @Override
            public long appendedBytes() {
                return appendedBytes;
            }

            @Override
            public FileChannel activeChannel() {
                return active.channel;
            }
        });
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

    /** Bytes of all segment files held: what {@link FileLogConfig#maxDiskBytes()} limits. */
    public long diskBytes() {
        return diskBytes;
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
            closeFiles();
        } finally {
            appendLock.unlock();
        }
    }

    private void closeFiles() throws IOException {
        IOException first = null;
        for (Segment s : segments.values()) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            lock.release();
        } catch (IOException e) {
            first = first == null ? e : first;
        }
        lockChannel.close();
        if (first != null) {
            throw first;
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("log closed: " + dir);
        }
    }
}
