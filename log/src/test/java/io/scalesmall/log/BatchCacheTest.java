package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The chunk ring behind the file log's memory budget. */
class BatchCacheTest {
    private static final int MIB = 1 << 20;

    /** A record of {@code length} bytes that names its key in its first 8 bytes and repeats it after. */
    private static byte[] record(long key, int length) {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.remaining() >= 8) {
            b.putLong(key);
        }
        return b.array();
    }

    @Test
    void chunksComeAsNeededAndTheOldestIsReusedWhole() {
        BatchCache cache = new BatchCache(3L * BatchCache.CHUNK_BYTES + 5);
        int perChunk = BatchCache.CHUNK_BYTES / MIB;
        assertThat(cache.heldBytes()).isZero();
        for (int i = 0; i < 3 * perChunk; i++) {
            cache.put(0, (long) i * MIB, record(i, MIB), MIB);
            assertThat(cache.heldBytes()).isEqualTo((long) (i / perChunk + 1) * BatchCache.CHUNK_BYTES);
        }
        assertThat(cache.batches()).isEqualTo(3 * perChunk);
        cache.put(0, 3L * perChunk * MIB, record(3 * perChunk, MIB), MIB);
        assertThat(cache.heldBytes()).as("no fourth chunk").isEqualTo(3L * BatchCache.CHUNK_BYTES);
        assertThat(cache.batches()).isEqualTo(2 * perChunk + 1);
        for (int i = 0; i <= 3 * perChunk; i++) {
            BatchCache.Slot s = cache.get(0, (long) i * MIB);
            if (i < perChunk) {
                assertThat(s).as("record %d was in the reused chunk", i).isNull();
            } else {
                assertThat(s.buffer().getLong(0)).isEqualTo(i);
                assertThat(s.length()).isEqualTo(MIB);
            }
        }
        assertThat(cache.hits()).isEqualTo(2 * perChunk + 1);
        assertThat(cache.misses()).isEqualTo(perChunk);
    }

    /**
     * With a background grower, the appender never allocates past the first chunk: a chunk not ready when needed
     * means reusing the oldest, and the cache grows at the next turn of the ring.
     */
    @Test
    void growthWaitsForTheGrowerAndNeverBlocksThePut() {
        List<Runnable> queued = new ArrayList<>();
        BatchCache cache = new BatchCache(3L * BatchCache.CHUNK_BYTES, queued::add, 100, System::nanoTime);
        int half = BatchCache.CHUNK_BYTES / 2;
        cache.put(0, 0, record(0, half), half);
        assertThat(cache.heldBytes()).as("the first chunk at once").isEqualTo(BatchCache.CHUNK_BYTES);
        assertThat(queued).as("the second asked for ahead").hasSize(1);
        cache.put(0, half, record(1, half), half);
        cache.put(0, 2L * half, record(2, half), half);
        assertThat(cache.heldBytes()).as("the grower has not run: the one chunk is reused")
                .isEqualTo(BatchCache.CHUNK_BYTES);
        assertThat(cache.get(0, 0)).as("evicted with its chunk").isNull();
        assertThat(queued).as("asked for once only").hasSize(1);

        queued.remove(0).run();
        cache.put(0, 3L * half, record(3, half), half);
        cache.put(0, 4L * half, record(4, half), half);
        assertThat(cache.heldBytes()).as("grown at the next turn").isEqualTo(2L * BatchCache.CHUNK_BYTES);
        assertThat(cache.get(0, 2L * half).buffer().getLong(0)).isEqualTo(2);
        assertThat(cache.get(0, 4L * half).buffer().getLong(0)).isEqualTo(4);
        assertThat(queued).as("and the third asked for").hasSize(1);
        queued.remove(0).run();
        for (int i = 5; i < 8; i++) {
            cache.put(0, (long) i * half, record(i, half), half);
        }
        assertThat(cache.heldBytes()).isEqualTo(3L * BatchCache.CHUNK_BYTES);
        assertThat(queued).as("the ring is complete: nothing more asked for").isEmpty();
        assertThat(cache.batches()).isEqualTo(6);
    }

    /** The grower paces itself: after an allocation that took t, none starts before t * (100 - share) / share. */
    @Test
    void theGrowerSpendsAtMostItsShareOfACore() {
        List<Runnable> queued = new ArrayList<>();
        AtomicLong now = new AtomicLong(1_000);
        AtomicLong step = new AtomicLong();
        BatchCache cache = new BatchCache(4L * BatchCache.CHUNK_BYTES, queued::add, 10, () -> now.addAndGet(step.get()));
        int half = BatchCache.CHUNK_BYTES / 2;
        long key = 0;
        cache.put(0, key++, record(0, half), half); // the first chunk, at once; the second asked for
        step.set(1_000_000); // the allocation takes 1 ms on this clock
        queued.remove(0).run();
        step.set(0);
        long allocated = now.get();
        for (int i = 0; i < 3; i++) {
            cache.put(0, key++, record(i, half), half);
        }
        assertThat(cache.heldBytes()).as("the spare is taken").isEqualTo(2L * BatchCache.CHUNK_BYTES);
        assertThat(queued).as("the next waits 9 ms after a 1 ms allocation at 10 %").isEmpty();

        now.set(allocated + 9_000_000 - 1);
        for (int i = 0; i < 2; i++) {
            cache.put(0, key++, record(i, half), half);
        }
        assertThat(queued).as("still too early").isEmpty();
        now.set(allocated + 9_000_000);
        for (int i = 0; i < 3; i++) { // the ring's end comes round again: a point to grow at
            cache.put(0, key++, record(i, half), half);
        }
        assertThat(queued).as("due: asked for").hasSize(1);
        assertThat(cache.heldBytes()).isEqualTo(2L * BatchCache.CHUNK_BYTES);
    }

    @Test
    void aReaderOfAReusedChunkIsToldToReadAgain() {
        BatchCache cache = new BatchCache(1000);
        cache.put(1, 0, record(7, 400), 400);
        BatchCache.Slot slot = cache.get(1, 0);
        assertThat(BatchCache.stillValid(slot)).isTrue();
        cache.put(1, 400, record(8, 400), 400);
        cache.put(1, 800, record(9, 400), 400); // does not fit the one chunk: it is reused
        assertThat(BatchCache.stillValid(slot)).isFalse();
        assertThat(slot.buffer().getLong(0)).as("the bytes were overwritten").isEqualTo(9);
        assertThat(cache.get(1, 0)).isNull();
        assertThat(cache.get(1, 800).buffer().getLong(0)).isEqualTo(9);
    }

    @Test
    void recordsLargerThanAChunkAreNotCachedAndRetentionForgetsDroppedSegments() {
        BatchCache cache = new BatchCache(1000);
        cache.put(0, 0, new byte[1001], 1001);
        assertThat(cache.batches()).isZero();
        assertThat(cache.heldBytes()).isZero();
        cache.put(0, 0, record(1, 100), 100);
        cache.put(1, 0, record(2, 100), 100);
        cache.put(2, 0, record(3, 100), 100);
        cache.dropThrough(1);
        assertThat(cache.get(0, 0)).isNull();
        assertThat(cache.get(1, 0)).isNull();
        assertThat(cache.get(2, 0).buffer().getLong(0)).isEqualTo(3);
        cache.clear();
        assertThat(cache.heldBytes()).isZero();
        assertThat(cache.get(2, 0)).isNull();
        assertThat(new BatchCache(0).get(0, 0)).isNull();
    }

    /**
     * The sequence lock under a race: readers copy records while the writer keeps reusing the chunks; every copy
     * that {@link BatchCache#stillValid} accepts holds exactly the record asked for.
     */
    @Test
    void concurrentReadersNeverAcceptAnOverwrittenRecord() throws Exception {
        BatchCache cache = new BatchCache(4096); // one chunk of 4 KiB: reused every 16 records of 256 bytes
        int records = 200_000;
        AtomicLong written = new AtomicLong();
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicLong accepted = new AtomicLong();
        AtomicLong rejected = new AtomicLong();
        List<Thread> readers = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            long seed = r;
            readers.add(new Thread(() -> {
                SplittableRandom rnd = new SplittableRandom(seed);
                byte[] copy = new byte[256];
                while (!done.get()) {
                    long newest = written.get();
                    if (newest == 0) {
                        continue;
                    }
                    long k = Math.max(0, newest - 1 - rnd.nextInt(20));
                    BatchCache.Slot s = cache.get(0, k * 256);
                    if (s == null) {
                        continue;
                    }
                    s.buffer().get(copy);
                    if (!BatchCache.stillValid(s)) {
                        rejected.incrementAndGet();
                        continue;
                    }
                    accepted.incrementAndGet();
                    ByteBuffer b = ByteBuffer.wrap(copy);
                    while (b.hasRemaining()) {
                        long got = b.getLong();
                        if (got != k) {
                            errors.add(new AssertionError("record " + k + " read as holding " + got));
                            return;
                        }
                    }
                }
            }));
        }
        readers.forEach(Thread::start);
        for (long k = 0; k < records; k++) {
            cache.put(0, k * 256, record(k, 256), 256);
            written.set(k + 1);
        }
        done.set(true);
        for (Thread t : readers) {
            t.join();
        }
        assertThat(errors).isEmpty();
        assertThat(accepted.get()).isPositive();
        System.out.println("seqlock race: " + accepted + " reads accepted, " + rejected + " sent to disk");
    }
}
