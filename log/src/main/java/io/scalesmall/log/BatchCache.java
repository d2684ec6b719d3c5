package io.scalesmall.log;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file log's memory budget: the most recently appended batch records, kept in the heap so that consumers
 * reading recent data -- the common case, a consumer following producers -- never touch the disk.
 *
 * <p>Filled by appends only, in append order, and emptied oldest first: a batch enters when it is written and
 * leaves when newer ones need its room ({@link #put}) or retention drops its segment ({@link #dropThrough}). Reads
 * of older data go to the disk and do not enter the cache, so a consumer catching up from far behind never evicts
 * what followers are reading. A batch counts its record's length plus {@value #ENTRY_OVERHEAD_BYTES} bytes of
 * bookkeeping against the budget; a batch larger than the whole budget is not cached.
 *
 * <p>Threads: {@link #put}, {@link #dropThrough} and {@link #clear} are called by the log's appender only (under its
 * lock); {@link #get} and the counters by any thread, without locks.
 */
final class BatchCache {
    /** The bookkeeping counted per cached batch besides its bytes (map node, key, queue slot, headers), in bytes. */
    static final int ENTRY_OVERHEAD_BYTES = 96;

    /** A cached record: {@code bytes[0, length)}. */
    private record Entry(byte[] bytes, int length) {
    }

    private final long budgetBytes;
    /** Records by {@link #key}. */
    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();
    /** Keys in append order, oldest first. Appender only. */
    private final ArrayDeque<Long> order = new ArrayDeque<>();
    /** Bytes counted against the budget. Written by the appender only. */
    private volatile long usedBytes;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** @param budgetBytes the most bytes to count, at least 0 (0 caches nothing) */
    BatchCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("cache budget must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
    }

    /** Segment numbers and positions are below 2^31 and 2^32: one long names a batch. */
    private static long key(int segment, long position) {
        return ((long) segment << 32) | position;
    }

    private static int segmentOf(long key) {
        return (int) (key >>> 32);
    }

    /**
     * Caches the record just written at ({@code segment}, {@code position}), {@code bytes[0, length)}; the cache
     * keeps the array (copied only if much larger than the record), so the caller must not change it. Evicts the
     * oldest records until the budget holds it.
     */
    void put(int segment, long position, byte[] bytes, int length) {
        long cost = (long) length + ENTRY_OVERHEAD_BYTES;
        if (cost > budgetBytes) {
            return;
        }
        long used = usedBytes;
        while (used + cost > budgetBytes) {
            Entry gone = entries.remove(order.poll());
            used -= gone.length + ENTRY_OVERHEAD_BYTES;
        }
        byte[] kept = bytes.length > length + 64 ? Arrays.copyOf(bytes, length) : bytes;
        long k = key(segment, position);
        entries.put(k, new Entry(kept, length));
        order.add(k);
        usedBytes = used + cost;
    }

    /**
     * The record at ({@code segment}, {@code position}) as a buffer over the cached bytes, positioned at 0 with the
     * record's length as limit, or null if it is not cached. Callers only read it. Counts a hit or a miss.
     */
    ByteBuffer get(int segment, long position) {
        Entry e = entries.get(key(segment, position));
        if (e == null) {
            misses.increment();
            return null;
        }
        hits.increment();
        return ByteBuffer.wrap(e.bytes, 0, e.length).slice();
    }

    /** Forgets the records of segments numbered {@code segment} or lower (retention dropped them). */
    void dropThrough(int segment) {
        long used = usedBytes;
        for (Long k = order.peek(); k != null && segmentOf(k) <= segment; k = order.peek()) {
            order.poll();
            Entry gone = entries.remove(k);
            used -= gone.length + ENTRY_OVERHEAD_BYTES;
        }
        usedBytes = used;
    }

    /** Forgets everything (close). */
    void clear() {
        entries.clear();
        order.clear();
        usedBytes = 0;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    long usedBytes() {
        return usedBytes;
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }
}
