package io.scalesmall.log;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MessageLog} held in the heap: for tests, simulations, and as the reference the file log is checked
 * against (both run {@code MessageLogContract}). Nothing survives {@link #close()}; {@link #flush()} returns at
 * once. Messages are copied in and copied out, so no caller can change what another one reads.
 *
 * <p>Threads: appends take the log's lock; each stream's list is guarded by the stream's own monitor, held only
 * while copying, so reads of different streams never wait on each other.
 */
public final class MemoryMessageLog implements MessageLog {
    /** One stream's messages; index = offset (no retention yet, so the first offset is 0). Guarded by itself. */
    private static final class Stream {
        final ArrayList<byte[]> messages = new ArrayList<>();
    }

    /** Streams by name; entries are never removed. */
    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    /** Serializes appends (the interface promises per-log ordering). */
    private final Object appendLock = new Object();
    /** Set once by {@link #close()}. */
    private volatile boolean closed;

    @Override
    public long append(String stream, List<byte[]> messages) {
        Limits.streamNameBytes(stream);
        Limits.checkBatch(messages);
        List<byte[]> copies = new ArrayList<>(messages.size());
        for (byte[] m : messages) {
            copies.add(m.clone());
        }
        synchronized (appendLock) {
            checkOpen();
            Stream s = streams.computeIfAbsent(stream, k -> new Stream());
            synchronized (s) {
                long first = s.messages.size();
                s.messages.addAll(copies);
                return first;
            }
        }
    }

    @Override
    public ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) {
        Limits.streamNameBytes(stream);
        Limits.checkRead(fromOffset, maxMessages, maxBytes);
        checkOpen();
        Stream s = streams.get(stream);
        if (s == null) {
            if (fromOffset != 0) {
                throw new OffsetOutOfRangeException(stream, fromOffset, 0, 0);
            }
            return new ReadResult(0, List.of());
        }
        List<byte[]> out = new ArrayList<>();
        synchronized (s) {
            int end = s.messages.size();
            if (fromOffset > end) {
                throw new OffsetOutOfRangeException(stream, fromOffset, 0, end);
            }
            long bytes = 0;
            for (int i = (int) fromOffset; i < end && out.size() < maxMessages; i++) {
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

    @Override
    public long firstOffset(String stream) {
        Limits.streamNameBytes(stream);
        checkOpen();
        return 0;
    }

    @Override
    public long endOffset(String stream) {
        Limits.streamNameBytes(stream);
        checkOpen();
        Stream s = streams.get(stream);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.messages.size();
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
