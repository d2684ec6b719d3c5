package io.scalesmall.log;

import java.util.Arrays;

/**
 * Where one stream's batches are: per batch, its base offset, segment number, position and record length. One
 * entry per batch (8 + 4 + 8 + 4 = 24 bytes in arrays), in offset order.
 *
 * <p>Retention drops whole leading entries ({@link #dropFirst}); a stream whose entries were all dropped keeps its
 * end offset (offsets are never reused), and its first offset is then its end.
 *
 * <p>Threads: only the log's appender (or recovery, or retention under the appender's lock) changes an index;
 * readers take {@link #view()}, an immutable snapshot published through a volatile field. Arrays are only ever
 * written past a published count, and replaced (never changed) when they grow or shrink, so a snapshot stays
 * valid without locks.
 */
final class StreamIndex {
    /** A snapshot: entries [0, count) of the arrays, and the stream's offsets. */
    record View(long[] bases, int[] segments, long[] positions, int[] lengths, int count, long end) {
        static final View EMPTY = new View(new long[0], new int[0], new long[0], new int[0], 0, 0);

        long first() {
            return count == 0 ? end : bases[0];
        }

        /** The entry of the batch holding {@code offset}, for first() ≤ offset &lt; end. */
        int find(long offset) {
            int i = Arrays.binarySearch(bases, 0, count, offset);
            return i >= 0 ? i : -i - 2;
        }

        /** Messages in entry {@code i}. */
        long countOf(int i) {
            return (i + 1 < count ? bases[i + 1] : end) - bases[i];
        }
    }

    private volatile View view;

    StreamIndex() {
        this(0);
    }

    /** An index with no entries whose next offset is {@code end} (a stream whose batches were all dropped). */
    StreamIndex(long end) {
        view = end == 0 ? View.EMPTY : new View(new long[0], new int[0], new long[0], new int[0], 0, end);
    }

    View view() {
        return view;
    }

    long end() {
        return view.end;
    }

    /** Appends an entry; {@code base} must be the current end (checked by the callers). Appender only. */
    void add(long base, int messageCount, int segment, long position, int length) {
        View v = view;
        long[] bases = v.bases;
        int[] segments = v.segments;
        long[] positions = v.positions;
        int[] lengths = v.lengths;
        if (v.count == bases.length) {
            int cap = Math.max(2, v.count * 2);
            bases = Arrays.copyOf(bases, cap);
            segments = Arrays.copyOf(segments, cap);
            positions = Arrays.copyOf(positions, cap);
            lengths = Arrays.copyOf(lengths, cap);
        }
        bases[v.count] = base;
        segments[v.count] = segment;
        positions[v.count] = position;
        lengths[v.count] = length;
        view = new View(bases, segments, positions, lengths, v.count + 1, base + messageCount);
    }

    /** How many leading entries are in segments numbered {@code segment} or lower. */
    int countThrough(int segment) {
        View v = view;
        int k = 0;
        while (k < v.count && v.segments[k] <= segment) {
            k++;
        }
        return k;
    }

    /** Drops the first {@code k} entries, keeping the end offset. Appender's lock only. */
    void dropFirst(int k) {
        View v = view;
        view = new View(Arrays.copyOfRange(v.bases, k, v.count), Arrays.copyOfRange(v.segments, k, v.count),
                Arrays.copyOfRange(v.positions, k, v.count), Arrays.copyOfRange(v.lengths, k, v.count), v.count - k,
                v.end);
    }
}
