package io.scalesmall.log;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.ToLongFunction;

/**
 * A {@link MessageLog} held in the heap: for tests, simulations, and as the reference the file log is checked
 * against (both run {@code MessageLogContract}). Nothing survives {@link #close()}; {@link #flush()} returns at
 * once. Messages are copied in and copied out, so no caller can change what another one reads.
 *
 * <p><b>Retention</b> ({@link #enforceRetention}) works as the file log's, but per batch instead of per segment:
 * it drops whole oldest batches (in append order, over all streams) while the batches held count more than
 * {@code retentionBytes} (as {@code sum(length + 4)}), or while the oldest was appended more than
 * {@code retentionMillis} ago. It may drop everything. First offsets move; end offsets never move back.
 *
 * <p><b>Idempotent appends</b> keep their producer state in a {@link ProducerTable} (as the file log does), with
 * the producer expiry given to the constructor (default {@link FileLogConfig#DEFAULT_PRODUCER_EXPIRY_MILLIS}).
 *
 * <p>Threads: appends and retention take the log's lock; each stream's list is guarded by the stream's own
 * monitor, held only while copying, so reads of different streams never wait on each other.
 */
public final class MemoryMessageLog implements MessageLog {
    /**
     * A stored batch's place and producer fields, so that {@link #readBatches} returns what was stored.
     *
     * @param producerId 0 for a plain append
     */
    private record Span(long firstOffset, int count, long producerId, long firstSequence) {
        long end() {
            return firstOffset + count;
        }
    }

    /** One stream's messages; guarded by itself. */
    private static final class Stream {
        /** Messages from offset {@link #base}; entries before {@link #head} were dropped (null). */
        final ArrayList<byte[]> messages = new ArrayList<>();
        long base;
        int head;
        /** The stored batches, in offset order; those before {@link #spanHead} were dropped. */
        final ArrayList<Span> spans = new ArrayList<>();
        int spanHead;

        long first() {
            return base + head;
        }

        long end() {
            return base + messages.size();
        }

        void dropFirst(int count) {
            for (int i = head; i < head + count; i++) {
                messages.set(i, null);
            }
            head += count;
            if (head > 16 && head > messages.size() / 2) {
                messages.subList(0, head).clear();
                base += head;
                head = 0;
            }
            while (spanHead < spans.size() && spans.get(spanHead).end() <= first()) {
                spans.set(spanHead++, null);
            }
            if (spanHead > 16 && spanHead > spans.size() / 2) {
                spans.subList(0, spanHead).clear();
                spanHead = 0;
            }
        }

        /** The index in {@link #spans} of the batch holding {@code offset}, which is in [first, end). */
        int spanOf(long offset) {
            int lo = spanHead;
            int hi = spans.size() - 1;
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (spans.get(mid).firstOffset() <= offset) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            return lo;
        }
    }

    /** A batch as retention sees it. */
    private record Batch(Stream stream, int count, long bytes, long appendMillis) {
    }

    /** Streams by name; entries are never removed. */
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    /** Serializes appends (the interface promises per-log ordering) and retention. */
    private final Object appendLock = new Object();
    /** Batches held, oldest first. Guarded by {@link #appendLock}. */
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    /** Sum of held batches' {@code bytes}. Guarded by {@link #appendLock}. */
    private long heldBytes;
    private final long retentionBytes;
    private final long retentionMillis;
    private final LongSupplier clockMillis;
    /** Idempotent producers. Guarded by {@link #appendLock}. */
    private final ProducerTable producers;
    /** Set once by {@link #close()}. */
    private volatile boolean closed;

    /** A log without retention limits. */
    public MemoryMessageLog() {
        this(FileLogConfig.UNLIMITED, FileLogConfig.UNLIMITED, System::currentTimeMillis);
    }

    /**
     * A log with retention.
     *
     * @param retentionBytes  see the class comment; at least 1, {@link FileLogConfig#UNLIMITED} for none
     * @param retentionMillis see the class comment; at least 1, {@link FileLogConfig#UNLIMITED} for none
     * @param clockMillis     the append time recorded for each batch, ms since the epoch
     */
    public MemoryMessageLog(long retentionBytes, long retentionMillis, LongSupplier clockMillis) {
        this(retentionBytes, retentionMillis, FileLogConfig.DEFAULT_PRODUCER_EXPIRY_MILLIS, clockMillis);
    }

    /**
     * A log with retention and a producer expiry.
     *
     * @param retentionBytes       see the class comment; at least 1, {@link FileLogConfig#UNLIMITED} for none
     * @param retentionMillis      see the class comment; at least 1, {@link FileLogConfig#UNLIMITED} for none
     * @param producerExpiryMillis see {@link FileLogConfig#producerExpiryMillis()}; at least 1
     * @param clockMillis          the append time recorded for each batch, ms since the epoch
     */
    public MemoryMessageLog(long retentionBytes, long retentionMillis, long producerExpiryMillis,
            LongSupplier clockMillis) {
        if (retentionBytes < 1) {
            throw new IllegalArgumentException("retentionBytes must be >= 1, got " + retentionBytes);
        }
        if (retentionMillis < 1) {
            throw new IllegalArgumentException("retentionMillis must be >= 1, got " + retentionMillis);
        }
        this.retentionBytes = retentionBytes;
        this.retentionMillis = retentionMillis;
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
        this.producers = new ProducerTable(producerExpiryMillis);
    }

    @Override
    public long append(String stream, MessageBatch messages) {
        Limits.streamNameBytes(stream);
        int bytes = Limits.checkBatch(messages);
        List<byte[]> copies = messages.toList();
        synchronized (appendLock) {
            checkOpen();
            return store(stream, copies, bytes, clockMillis.getAsLong(), 0, 0);
        }
    }

    @Override
    public AppendResult append(String stream, long producerId, long firstSequence, MessageBatch messages)
            throws IOException {
        Limits.streamNameBytes(stream);
        Limits.checkBatch(messages);
        int n = messages.count();
        Limits.checkProducer(producerId, firstSequence, n);
        List<byte[]> copies = messages.toList();
        synchronized (appendLock) {
            checkOpen();
            long now = clockMillis.getAsLong();
            return producers.append(stream, producerId, firstSequence, n, now, skip -> {
                List<byte[]> fresh = copies.subList(skip, n);
                return store(stream, fresh, Limits.checkBatch(fresh), now, producerId, firstSequence + skip);
            });
        }
    }

    /**
     * Appends checked, copied messages ({@code bytes} as counted) as one batch of producer {@code producerId} (0 for
     * none) from {@code firstSequence}; returns the first offset. Under the lock.
     */
    private long store(String stream, List<byte[]> copies, int bytes, long nowMillis, long producerId,
            long firstSequence) {
        Stream s = streams.computeIfAbsent(stream, k -> new Stream());
        batches.add(new Batch(s, copies.size(), bytes, nowMillis));
        heldBytes += bytes;
        synchronized (s) {
            long first = s.end();
            s.messages.addAll(copies);
            s.spans.add(new Span(first, copies.size(), producerId, firstSequence));
            return first;
        }
    }

    /** Applies retention now (see the class comment). Returns the number of messages dropped. */
    @Override
    public long enforceRetention(long nowMillis) {
        long horizon = retentionMillis == FileLogConfig.UNLIMITED || nowMillis < Long.MIN_VALUE + retentionMillis
                ? Long.MIN_VALUE : nowMillis - retentionMillis;
        long dropped = 0;
        synchronized (appendLock) {
            checkOpen();
            for (Batch b = batches.peek(); b != null && (heldBytes > retentionBytes || b.appendMillis < horizon);
                    b = batches.peek()) {
                batches.poll();
                heldBytes -= b.bytes;
                synchronized (b.stream) {
                    b.stream.dropFirst(b.count);
                }
                dropped += b.count;
            }
            if (dropped > 0) {
                producers.retain(name -> streams.get(name).first());
            }
            producers.expire(nowMillis);
        }
        return dropped;
    }

    /**
     * Checks a read's arguments; returns the stream, or null for a stream never written (read from offset 0).
     *
     * @throws OffsetOutOfRangeException if the stream was never written and {@code fromOffset} is not 0
     */
    private Stream toRead(String stream, long fromOffset, int maxMessages, int maxBytes) {
        Limits.streamNameBytes(stream);
        Limits.checkRead(fromOffset, maxMessages, maxBytes);
        checkOpen();
        Stream s = streams.get(stream);
        if (s == null && fromOffset != 0) {
            throw new OffsetOutOfRangeException(stream, fromOffset, 0, 0);
        }
        return s;
    }

    @Override
    public ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) {
        Stream s = toRead(stream, fromOffset, maxMessages, maxBytes);
        if (s == null) {
            return new ReadResult(0, List.of());
        }
        List<byte[]> out = new ArrayList<>();
        synchronized (s) {
            if (fromOffset < s.first() || fromOffset > s.end()) {
                throw new OffsetOutOfRangeException(stream, fromOffset, s.first(), s.end());
            }
            int end = s.messages.size();
            long bytes = 0;
            for (int i = (int) (fromOffset - s.base); i < end && out.size() < maxMessages; i++) {
                byte[] m = s.messages.get(i);
                if (!out.isEmpty() && bytes + m.length > maxBytes) {
                    break;
                }
                bytes += m.length;
                out.add(m.clone());
            }
        }
        return new ReadResult(fromOffset, out);
    }

    /** Batches as stored, with their producer fields (see {@link MessageLog#readBatches}). */
    @Override
    public List<StoredBatch> readBatches(String stream, long fromOffset, int maxMessages, int maxBytes) {
        Stream s = toRead(stream, fromOffset, maxMessages, maxBytes);
        if (s == null) {
            return List.of();
        }
        List<StoredBatch> out = new ArrayList<>();
        synchronized (s) {
            if (fromOffset < s.first() || fromOffset > s.end()) {
                throw new OffsetOutOfRangeException(stream, fromOffset, s.first(), s.end());
            }
            long next = fromOffset;
            int taken = 0;
            long bytes = 0;
            for (int i = next < s.end() ? s.spanOf(next) : s.spans.size(); i < s.spans.size() && taken < maxMessages;
                    i++) {
                Span span = s.spans.get(i);
                List<byte[]> got = new ArrayList<>();
                for (long o = next; o < span.end() && taken < maxMessages; o++) {
                    byte[] m = s.messages.get((int) (o - s.base));
                    if (taken > 0 && bytes + m.length > maxBytes) {
                        break;
                    }
                    bytes += m.length;
                    got.add(m.clone());
                    taken++;
                }
                if (got.isEmpty()) {
                    break;
                }
                long skip = next - span.firstOffset();
                out.add(new StoredBatch(next, span.producerId(), span.producerId() == 0 ? 0
                        : span.firstSequence() + skip, got));
                next += got.size();
                if (next < span.end()) {
                    break; // a limit stopped us inside this batch
                }
            }
        }
        return out;
    }

    @Override
    public long firstOffset(String stream) {
        return offset(stream, Stream::first);
    }

    @Override
    public long endOffset(String stream) {
        return offset(stream, Stream::end);
    }

    /** An offset of a stream read under its lock; 0 for a stream never written. */
    private long offset(String stream, ToLongFunction<Stream> which) {
        Limits.streamNameBytes(stream);
        checkOpen();
        Stream s = streams.get(stream);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return which.applyAsLong(s);
        }
    }

    /** Idempotent producers remembered, over all streams (tests, metrics). */
    public int producerCount() {
        synchronized (appendLock) {
            return producers.size();
        }
    }

    @Override
    public int streamCount() {
        checkOpen();
        return streams.size();
    }

    /** Nothing to make durable: returns at once. */
    @Override
    public void flush() {
        checkOpen();
    }

    @Override
    public void close() {
        closed = true;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("log closed");
        }
    }
}
