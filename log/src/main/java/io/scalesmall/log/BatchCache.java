package io.scalesmall.log;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file log's memory budget: the most recently appended batch records, kept in the heap so that consumers
 * reading recent data -- the common case, a consumer following producers -- never touch the disk.
 *
 * <p><b>Layout: a ring of large chunks.</b> Records are copied one after another into chunks of
 * {@value #CHUNK_BYTES} bytes (one chunk of the whole budget when that is smaller), allocated as they are needed,
 * at most {@code budget / chunk} of them. When the last chunk is full, the oldest one is emptied and reused: the
 * cache forgets the oldest records first, a chunk at a time. Large chunks matter for latency: G1 (the default
 * collector) puts arrays of half a region or more straight into the old generation, so the cached bytes are never
 * copied by young collections -- a cache of many small arrays made every young pause copy the recent data (pauses of
 * 100 ms and more in the bench). Reads of older data go to the disk and do not enter the cache, so a consumer
 * catching up from far behind never evicts what followers are reading. A record larger than a chunk is not cached.
 * The index costs about 100 bytes per cached batch beyond the budget.
 *
 * <p><b>Reading while a chunk is reused</b> is a sequence lock: each chunk has a generation, raised (with a store
 * fence) before its bytes are overwritten; a reader checks it before and -- after it decoded what it needs --
 * again ({@link #stillValid}), and reads the disk instead if it changed.
 *
 * <p>Threads: {@link #put}, {@link #dropThrough} and {@link #clear} are called by the log's appender only (under its
 * lock); {@link #get}, {@link #stillValid} and the counters by any thread, without locks.
 */
final class BatchCache {
    /**
     * The chunk size: 8 MiB, at least half a G1 region for heaps up to 32 GiB (G1 sizes regions heap / 2048, at most
     * 16 MiB there), so each chunk is a humongous object, allocated outside the young generation.
     */
    static final int CHUNK_BYTES = 8 << 20;

    /** A record's place: {@code chunk.bytes[offset, offset + length)}, valid while the chunk is at {@code generation}. */
    record Slot(Chunk chunk, int offset, int length, long generation) {
        /** The record's bytes, positioned at 0 with the record's length as limit. Callers only read it. */
        ByteBuffer buffer() {
            return ByteBuffer.wrap(chunk.bytes, offset, length).slice();
        }
    }

    /** One chunk of the ring. Written by the appender only. */
    static final class Chunk {
        final byte[] bytes;
        /** Raised before the chunk is reused; readers compare. */
        volatile long generation;
        /** The next free byte. */
        int used;
        /** Keys of the records written since the chunk was last emptied (for eviction). */
        long[] keys = new long[64];
        int keyCount;

        Chunk(int size) {
            bytes = new byte[size];
        }
    }

    private final long budgetBytes;
    private final int chunkBytes;
    private final Chunk[] ring;
    /** Chunks allocated so far, ring[0, allocated). Appender only. */
    private int allocated;
    /** The chunk taking records, an index into ring; -1 before the first. Appender only. */
    private int current = -1;
    /** Records by {@link #key}. */
    private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** @param budgetBytes the most bytes of chunks to hold, at least 0 (0 caches nothing) */
    BatchCache(long budgetBytes) {
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("cache budget must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
        this.chunkBytes = (int) Math.min(CHUNK_BYTES, budgetBytes);
        this.ring = new Chunk[chunkBytes == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE - 8, budgetBytes / chunkBytes)];
    }

    /** Segment numbers and positions are below 2^31 and 2^32: one long names a batch. */
    private static long key(int segment, long position) {
        return ((long) segment << 32) | position;
    }

    private static int segmentOf(long key) {
        return (int) (key >>> 32);
    }

    /** Copies the record just written at ({@code segment}, {@code position}), {@code bytes[0, length)}, in. */
    void put(int segment, long position, byte[] bytes, int length) {
        if (length > chunkBytes) {
            return;
        }
        Chunk c = current < 0 ? null : ring[current];
        if (c == null || c.used + length > c.bytes.length) {
            c = nextChunk();
        }
        System.arraycopy(bytes, 0, c.bytes, c.used, length);
        long k = key(segment, position);
        if (c.keyCount == c.keys.length) {
            c.keys = Arrays.copyOf(c.keys, c.keyCount * 2);
        }
        c.keys[c.keyCount++] = k;
        slots.put(k, new Slot(c, c.used, length, c.generation)); // publishes the bytes copied above
        c.used += length;
    }

    /** Moves to the next chunk: a new one while the budget allows, else the oldest, emptied. */
    private Chunk nextChunk() {
        current = (current + 1) % ring.length;
        if (current == allocated) {
            ring[allocated++] = new Chunk(chunkBytes);
            return ring[current];
        }
        Chunk c = ring[current];
        for (int i = 0; i < c.keyCount; i++) {
            slots.remove(c.keys[i]);
        }
        c.keyCount = 0;
        c.used = 0;
        c.generation = c.generation + 1;
        VarHandle.storeStoreFence(); // the new generation is visible before any overwritten byte
        return c;
    }

    /** The slot of the record at ({@code segment}, {@code position}), or null if not cached. Counts a hit or miss. */
    Slot get(int segment, long position) {
        Slot s = slots.get(key(segment, position));
        if (s == null || s.chunk.generation != s.generation) {
            misses.increment();
            return null;
        }
        hits.increment();
        return s;
    }

    /** Whether {@code s}'s bytes were not overwritten up to now: call after reading them; false means re-read. */
    static boolean stillValid(Slot s) {
        VarHandle.loadLoadFence(); // the bytes were read before the generation is read again
        return s.chunk.generation == s.generation;
    }

    /**
     * Forgets the records of segments numbered {@code segment} or lower (retention dropped them). Their bytes stay
     * until their chunk is reused.
     */
    void dropThrough(int segment) {
        slots.keySet().removeIf(k -> segmentOf(k) <= segment);
    }

    /** Forgets everything and lets the chunks go (close). */
    void clear() {
        slots.clear();
        Arrays.fill(ring, null);
        allocated = 0;
        current = -1;
    }

    long budgetBytes() {
        return budgetBytes;
    }

    /** Bytes of chunks allocated now. */
    long heldBytes() {
        return (long) allocated * chunkBytes;
    }

    /** Batches readable from the cache now. */
    int batches() {
        return slots.size();
    }

    long hits() {
        return hits.sum();
    }

    long misses() {
        return misses.sum();
    }
}
