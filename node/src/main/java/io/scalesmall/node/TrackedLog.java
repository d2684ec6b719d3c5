package io.scalesmall.node;

import io.scalesmall.log.AppendResult;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.ReadResult;
import io.scalesmall.log.StoredBatch;
import io.scalesmall.topology.StreamKeys;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link MessageLog} that remembers the names of the streams appended to through it, so that placement can ask
 * which key ranges still hold data ({@link #holdsDataIn}) before it drops a priority-0 location item. Every call is
 * delegated to a {@link FileMessageLog} unchanged.
 *
 * <p>The log module has no way to list its streams yet, so the names of streams recovered at open (written by an
 * earlier life of the node) are unknown: while the log holds more streams than this wrapper has seen,
 * {@link #holdsDataIn} answers true for every range (keep every location; never lose track of data).
 *
 * <p>Thread-safe: the name set is concurrent; the delegate is thread-safe.
 */
final class TrackedLog implements MessageLog {
    private final FileMessageLog log;
    /** Names of the streams appended to through this wrapper; only grows. */
    private final Set<String> names = ConcurrentHashMap.newKeySet();

    TrackedLog(FileMessageLog log) {
        this.log = Objects.requireNonNull(log, "log");
    }

    /** @return the wrapped log (disk use, recovery report) */
    FileMessageLog file() {
        return log;
    }

    /** @return the names of the streams appended to through this wrapper since it opened (a snapshot) */
    List<String> names() {
        return List.copyOf(names);
    }

    /**
     * @param start first key, inclusive, 0..2^32-1
     * @param end   last key, inclusive
     * @return true if a stream whose key ({@link StreamKeys#keyOf}) is in {@code start..end} holds at least one
     *         message (first offset below end offset), or if the log holds streams of unknown names (see above)
     */
    boolean holdsDataIn(long start, long end) {
        return keysWithData().overlaps(start, end);
    }

    /**
     * A snapshot of the keys of the streams holding data, for many {@link Keys#overlaps} queries at the cost of one
     * pass over the streams.
     */
    Keys keysWithData() {
        if (log.streamCount() > names.size()) {
            return Keys.ALL;
        }
        long[] keys = names.stream().filter(n -> log.firstOffset(n) < log.endOffset(n))
                .mapToLong(StreamKeys::keyOf).sorted().toArray();
        return new Keys(keys);
    }

    /** Sorted stream keys; {@link #ALL} stands for "unknown: assume every range holds data". Immutable. */
    static final class Keys {
        static final Keys ALL = new Keys(null);
        private final long[] sorted;

        Keys(long[] sorted) {
            this.sorted = sorted;
        }

        /** @return true if a key lies in {@code start..end} (inclusive) */
        boolean overlaps(long start, long end) {
            if (sorted == null) {
                return true;
            }
            int i = Arrays.binarySearch(sorted, start);
            int at = i >= 0 ? i : -i - 1; // first key >= start
            return at < sorted.length && sorted[at] <= end;
        }

        /** @return how many streams hold data, or -1 if unknown */
        int size() {
            return sorted == null ? -1 : sorted.length;
        }
    }

    @Override
    public long append(String stream, MessageBatch messages) throws IOException {
        long at = log.append(stream, messages);
        names.add(stream);
        return at;
    }

    @Override
    public AppendResult append(String stream, long producerId, long firstSequence, MessageBatch messages)
            throws IOException {
        AppendResult r = log.append(stream, producerId, firstSequence, messages);
        names.add(stream);
        return r;
    }

    @Override
    public ReadResult read(String stream, long fromOffset, int maxMessages, int maxBytes) throws IOException {
        return log.read(stream, fromOffset, maxMessages, maxBytes);
    }

    @Override
    public List<StoredBatch> readBatches(String stream, long fromOffset, int maxMessages, int maxBytes)
            throws IOException {
        return log.readBatches(stream, fromOffset, maxMessages, maxBytes);
    }

    @Override
    public long firstOffset(String stream) {
        return log.firstOffset(stream);
    }

    @Override
    public long endOffset(String stream) {
        return log.endOffset(stream);
    }

    @Override
    public long enforceRetention(long nowMillis) throws IOException {
        return log.enforceRetention(nowMillis);
    }

    @Override
    public int streamCount() {
        return log.streamCount();
    }

    @Override
    public void flush() throws IOException {
        log.flush();
    }

    @Override
    public void close() throws IOException {
        log.close();
    }
}
