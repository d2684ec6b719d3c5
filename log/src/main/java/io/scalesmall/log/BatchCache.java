package io.scalesmall.log;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.concurrent.atomic.LongAdder;

/**
 * The file log's memory budget: the most recently appended batch records, kept in memory so that consumers
 * reading recent data -- the common case, a consumer following producers -- never touch the disk.
 *
 * <p><b>Layout: a ring of direct (off-heap) chunks.</b> Records are copied one after another into chunks of
 * {@value #CHUNK_BYTES} bytes (one chunk of the whole budget when that is smaller), at most {@code budget / chunk}
 * of them. When the last chunk is full, the oldest one is emptied and reused: the cache forgets the oldest records
 * first, a chunk at a time. <b>Growth stays off the append path:</b> the first chunk is allocated on first use, each
 * later one by the {@code grower} executor ahead of need (one spare at a time); when the spare is not ready the
 * appender reuses the oldest chunk and the cache grows at a later turn of the ring. A new chunk costs its zeroing and
 * the first touch of each of its pages, which on a virtual machine's fresh memory measured about 3 ms per MiB: made
 * on the appender's thread, 80 of them a second while a greedy budget filled, they held memory acks back (p99 of
 * 10-20 ms at 830,000 msgs/s in the bench). The grower also paces itself, spending at most a share of one core
 * ({@value #GROWTH_SHARE_PERCENT} % in the log): after an allocation that took {@code t} it starts the next no sooner
 * than {@code t * (100 - share) / share} later, so a budget of gigabytes fills over a minute or two on such a machine (in seconds where memory
 * is fast) instead of taking two thirds of a core from the node while it fills. Off-heap because of the collector: a cache of many small
 * arrays made every young collection copy the recent data (pauses of 100 ms and more in the bench), and chunks of
 * half a G1 region or more (8 MiB, tried next) are humongous objects, whose allocations started a concurrent marking
 * cycle every ~200 ms in the bench. Direct chunks are neither copied nor marked; they count against
 * {@code -XX:MaxDirectMemorySize} (by default the heap's maximum), and when that refuses a chunk the cache stops
 * growing and reuses the chunks it has. Reads of older data go to the disk and do not enter the cache, so a consumer
 * catching up from far behind never evicts what followers are reading. A record larger than a chunk is not cached.
 * The index costs about 100 bytes of heap per cached batch beyond the budget.
 *
 * <p><b>Reading while a chunk is reused</b> is a sequence lock: each chunk has a generation, raised (with a store
 * fence) before its bytes are overwritten; a reader checks it before and -- after it decoded what it needs --
 * again ({@link #stillValid}), and reads the disk instead if it changed.
 *
 * <p>Threads: {@link #put}, {@link #dropThrough} and {@link #clear} are called by the log's appender only (under its
 * lock); {@link #get}, {@link #stillValid} and the counters by any thread, without locks; the grower only allocates a
 * chunk and hands it over through an atomic reference.
 */
final class BatchCache {
    /**
     * The chunk size: 1 MiB. Allocating one zeroes it (about 0.1 ms) on the appender's thread; small enough for that
     * not to show in ack latencies, large enough that a cache of gigabytes is a few thousand chunks.
     */
    static final int CHUNK_BYTES = 1 << 20;

    /** A record's place: {@code chunk.bytes[offset, offset + length)}, valid while the chunk is at {@code generation}. */
    record Slot(Chunk chunk, int offset, int length, long generation) {
        /** The record's bytes (a direct buffer), positioned at 0 with the record's length as limit. Read only. */
        ByteBuffer buffer() {
            return chunk.bytes.slice(offset, length);
        }
    }

    /** One chunk of the ring. Written by the appender only. */
    static final class Chunk {
        /** Direct; only absolute puts and slices, so its position never moves. */
        final ByteBuffer bytes;
        /** Raised before the chunk is reused; readers compare. */
        volatile long generation;
        /** The next free byte. */
        int used;
        /** Keys of the records written since the chunk was last emptied (for eviction). */
        long[] keys = new long[64];
        int keyCount;

        Chunk(int size) {
            bytes = ByteBuffer.allocateDirect(size);
        }
    }

    private final long budgetBytes;
    private final int chunkBytes;
    private final Chunk[] ring;
    /** Chunks the ring may hold: ring.length, less once direct memory refused one. Appender only. */
    private int maxChunks;
    /** Chunks allocated so far, ring[0, allocated). Appender only. */
    private int allocated;
    /** The chunk taking records, an index into ring; -1 before the first. Appender only. */
    private int current = -1;
    /** Records by {@link #key}. */
    private final ConcurrentHashMap<Long, Slot> slots = new ConcurrentHashMap<>();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();

    /** Allocates chunks ahead of need, off the appender's thread. */
    private final Executor grower;
    /** The chunk allocated ahead, or null. Set by the grower, taken by the appender. */
    private final AtomicReference<Chunk> spare = new AtomicReference<>();
    /** True while an allocation is queued or running on the grower. */
    private final AtomicBoolean growing = new AtomicBoolean();
    /** Set by the grower when direct memory refused a chunk: the cache stops growing. */
    private volatile boolean refused;
    /** The grower's share of one core the log gives it, in percent (see the class comment). */
    static final int GROWTH_SHARE_PERCENT = 10;
    /** This cache's grower share, percent, 1..100 (100: no pause between allocations). */
    private final int growthSharePercent;
    private final LongSupplier nanoClock;
    /** {@link #nanoClock} time before which no new allocation starts; written by the grower. */
    private volatile long nextGrowthNanos;

    /**
     * A cache whose chunks after the first are allocated on the calling thread (tests: deterministic growth).
     *
     * @param budgetBytes the most bytes of chunks to hold, at least 0 (0 caches nothing)
     */
    BatchCache(long budgetBytes) {
        this(budgetBytes, Runnable::run, 100, System::nanoTime);
    }

    /**
     * @param budgetBytes        the most bytes of chunks to hold, at least 0 (0 caches nothing)
     * @param grower             runs the allocation of the next chunk ahead of need (a single background thread in
     *                           the log)
     * @param growthSharePercent the grower's pace: at most this share of one core, 1..100 (100: no pause)
     * @param nanoClock          the pace's clock, ns ({@code System::nanoTime})
     * @throws IllegalArgumentException if the budget is negative or the share outside 1..100
     */
    BatchCache(long budgetBytes, Executor grower, int growthSharePercent, LongSupplier nanoClock) {
        if (growthSharePercent < 1 || growthSharePercent > 100) {
            throw new IllegalArgumentException("growth share must be in 1..100 %, got " + growthSharePercent);
        }
        this.grower = grower;
        this.growthSharePercent = growthSharePercent;
        this.nanoClock = nanoClock;
        this.nextGrowthNanos = nanoClock.getAsLong();
        if (budgetBytes < 0) {
            throw new IllegalArgumentException("cache budget must be >= 0, got " + budgetBytes);
        }
        this.budgetBytes = budgetBytes;
        this.chunkBytes = (int) Math.min(CHUNK_BYTES, budgetBytes);
        this.ring = new Chunk[chunkBytes == 0 ? 0 : (int) Math.min(Integer.MAX_VALUE - 8, budgetBytes / chunkBytes)];
        this.maxChunks = ring.length;
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
        if (c == null || c.used + length > c.bytes.capacity()) {
            c = nextChunk();
            if (c == null) {
                return;
            }
        }
        c.bytes.put(c.used, bytes, 0, length);
        long k = key(segment, position);
        if (c.keyCount == c.keys.length) {
            c.keys = Arrays.copyOf(c.keys, c.keyCount * 2);
        }
        c.keys[c.keyCount++] = k;
        slots.put(k, new Slot(c, c.used, length, c.generation)); // publishes the bytes copied above
        c.used += length;
    }

    /**
     * Moves to the next chunk: a new one while the budget (and direct memory) allows, else the oldest, emptied; null
     * if there is none at all.
     */
    private Chunk nextChunk() {
        if (refused && maxChunks > Math.max(1, allocated)) {
            maxChunks = Math.max(1, allocated);
        }
        int next = current + 1 == maxChunks ? 0 : current + 1;
        if (next == allocated) {
            Chunk grown = allocated == 0 ? allocate() : spare.getAndSet(null);
            if (grown == null) {
                growAhead();
                grown = spare.getAndSet(null); // there if the grower runs on this thread
            }
            if (grown != null) {
                ring[allocated++] = grown;
                current = next;
                growAhead();
                return grown;
            }
            if (allocated == 0) {
                return null;
            }
            next = 0; // not ready: reuse the oldest now, grow at a later turn
        }
        current = next;
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

    /** @return a new chunk, or null if direct memory refused it (the cache then stops growing) */
    private Chunk allocate() {
        try {
            return new Chunk(chunkBytes);
        } catch (OutOfMemoryError directMemoryFull) {
            refused = true;
            return null;
        }
    }

    /**
     * Has the grower allocate the next chunk, unless one is ready or queued, the ring is complete, or the grower's
     * pace ({@link #GROWTH_SHARE_PERCENT}) holds it back for now.
     */
    private void growAhead() {
        if (refused || allocated >= maxChunks || spare.get() != null || nanoClock.getAsLong() - nextGrowthNanos < 0
                || !growing.compareAndSet(false, true)) {
            return;
        }
        try {
            grower.execute(() -> {
                try {
                    long start = nanoClock.getAsLong();
                    Chunk c = allocate();
                    long end = nanoClock.getAsLong();
                    nextGrowthNanos = end + (end - start) * (100 - growthSharePercent) / growthSharePercent;
                    if (c != null) {
                        spare.set(c);
                    }
                } finally {
                    growing.set(false);
                }
            });
        } catch (RejectedExecutionException closed) {
            growing.set(false);
        }
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
        spare.set(null);
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
