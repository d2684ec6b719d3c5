package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MessageLog} must have. Each implementation runs it through a short subclass that
 * says how to open a fresh log ({@link #newLog()}).
 */
abstract class MessageLogContract {
    /** A fresh, empty log; closed by the suite after each test. */
    protected abstract MessageLog newLog() throws IOException;

    /**
     * A fresh, empty log with retention by age ({@code retentionMillis}) and no other limit, recording append
     * times from {@code clock}. The file log uses small segments here, so that retention has whole ones to drop.
     */
    protected abstract MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException;

    /** A fresh, empty log whose idempotent producers expire after {@code producerExpiryMillis}; times from the clock. */
    protected abstract MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock)
            throws IOException;

    /** Checked after {@link #manyStreamsWithoutAFilePerStream}: the implementation's own evidence. */
    protected void assertNoFilePerStream(MessageLog log, int streams) throws IOException {
    }

    protected MessageLog log;

    @BeforeEach
    void open() throws IOException {
        log = newLog();
    }

    @AfterEach
    void closeLog() throws IOException {
        log.close();
    }

    /** Idempotent appends, on the same kind of log. */
    @Nested
    class IdempotentAppends extends IdempotentAppendContract {
        @Override
        protected MessageLog log() {
            return log;
        }

        @Override
        protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
            return MessageLogContract.this.newLog(retentionMillis, clock);
        }

        @Override
        protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock)
                throws IOException {
            return MessageLogContract.this.newLogWithProducerExpiry(producerExpiryMillis, clock);
        }
    }

    /** Appends given as {@link MessageBatch} views, on the same kind of log. */
    @Nested
    class MessageBatchAppends extends MessageBatchAppendContract {
        @Override
        protected MessageLog log() {
            return log;
        }

        @Override
        protected MessageLog newLog() throws IOException {
            return MessageLogContract.this.newLog();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static List<String> strings(ReadResult r) {
        return strings(r.messages());
    }

    static List<String> strings(List<byte[]> messages) {
        List<String> out = new ArrayList<>();
        for (byte[] m : messages) {
            out.add(new String(m, StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aStreamNeverAppendedToIsEmpty() throws IOException {
        assertThat(log.firstOffset("none")).isZero();
        assertThat(log.endOffset("none")).isZero();
        assertThat(log.streamCount()).isZero();
        ReadResult r = log.read("none", 0, 10, 1000);
        assertThat(r.messages()).isEmpty();
        assertThat(r.nextOffset()).isZero();
        assertThatThrownBy(() -> log.read("none", 1, 10, 1000)).isInstanceOf(OffsetOutOfRangeException.class);
    }

    @Test
    void offsetsAreConsecutivePerStream() throws IOException {
        assertThat(log.append("s", b("a"))).isEqualTo(0);
        assertThat(log.append("s", List.of(b("b"), b("c"), b("d")))).isEqualTo(1);
        assertThat(log.append("s", b("e"))).isEqualTo(4);
        assertThat(log.firstOffset("s")).isZero();
        assertThat(log.endOffset("s")).isEqualTo(5);
        assertThat(strings(log.read("s", 0, 100, 1 << 20))).containsExactly("a", "b", "c", "d", "e");
    }

    @Test
    void streamsAreIndependent() throws IOException {
        assertThat(log.append("a", b("a0"))).isEqualTo(0);
        assertThat(log.append("b", List.of(b("b0"), b("b1")))).isEqualTo(0);
        assertThat(log.append("a", b("a1"))).isEqualTo(1);
        assertThat(log.append("b", b("b2"))).isEqualTo(2);
        assertThat(log.endOffset("a")).isEqualTo(2);
        assertThat(log.endOffset("b")).isEqualTo(3);
        assertThat(log.streamCount()).isEqualTo(2);
        assertThat(strings(log.read("a", 0, 100, 1000))).containsExactly("a0", "a1");
        assertThat(strings(log.read("b", 1, 100, 1000))).containsExactly("b1", "b2");
    }

    @Test
    void readsHonourRangesAndBounds() throws IOException {
        for (int i = 0; i < 10; i++) {
            log.append("s", b("m" + i)); // 2 bytes each
        }
        ReadResult mid = log.read("s", 3, 4, 1000);
        assertThat(mid.fromOffset()).isEqualTo(3);
        assertThat(strings(mid)).containsExactly("m3", "m4", "m5", "m6");
        assertThat(mid.nextOffset()).isEqualTo(7);
        assertThat(strings(log.read("s", 0, 100, 5))).containsExactly("m0", "m1"); // 4 bytes; a third is 6 > 5
        assertThat(strings(log.read("s", 9, 100, 1))).containsExactly("m9"); // the first is returned whatever its size
        assertThat(log.read("s", 10, 100, 1000).messages()).isEmpty();
        assertThatThrownBy(() -> log.read("s", 11, 1, 1)).isInstanceOf(OffsetOutOfRangeException.class)
                .hasMessageContaining("11").hasMessageContaining("[0, 10]");
        assertThatThrownBy(() -> log.read("s", -1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.read("s", 0, 0, 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.read("s", 0, 1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readsAgreeWithAModelAcrossBatchBoundaries() {
        Seeds.check("reads agree with a model", 5, seed -> {
            try (MessageLog l = newLog()) {
                SplittableRandom rnd = new SplittableRandom(seed);
                List<byte[]> model = new ArrayList<>();
                for (int batch = 0; batch < 60; batch++) {
                    List<byte[]> msgs = new ArrayList<>();
                    for (int i = rnd.nextInt(1, 8); i > 0; i--) {
                        msgs.add(Seeds.message(rnd, rnd.nextInt(0, 300)));
                    }
                    assertThat(l.append("s", msgs)).isEqualTo(model.size());
                    model.addAll(msgs);
                }
                for (int q = 0; q < 200; q++) {
                    int from = rnd.nextInt(0, model.size() + 1);
                    int maxMessages = rnd.nextInt(1, 40);
                    int maxBytes = rnd.nextInt(1, 4000);
                    ReadResult r = l.read("s", from, maxMessages, maxBytes);
                    int expected = 0;
                    long bytes = 0;
                    while (from + expected < model.size() && expected < maxMessages
                            && (expected == 0 || bytes + model.get(from + expected).length <= maxBytes)) {
                        bytes += model.get(from + expected).length;
                        expected++;
                    }
                    assertThat(r.size()).as("read(%d, %d, %d)", from, maxMessages, maxBytes).isEqualTo(expected);
                    for (int i = 0; i < expected; i++) {
                        assertThat(r.messages().get(i)).isEqualTo(model.get(from + i));
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void theLargestMessageIsAcceptedAndOneByteMoreIsRefused() throws IOException {
        byte[] max = new byte[MessageLog.MAX_MESSAGE_BYTES];
        max[max.length - 1] = 7;
        assertThat(log.append("s", max)).isZero();
        assertThatThrownBy(() -> log.append("s", List.of(b("ok"), new byte[MessageLog.MAX_MESSAGE_BYTES + 1])))
                .isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining(String.valueOf(MessageLog.MAX_MESSAGE_BYTES + 1))
                .hasMessageContaining("limit");
        List<byte[]> huge = Collections.nCopies(17, new byte[MessageLog.MAX_MESSAGE_BYTES]);
        assertThatThrownBy(() -> log.append("s", huge)).isInstanceOf(MessageTooLargeException.class)
                .hasMessageContaining("batch");
        assertThat(log.endOffset("s")).isEqualTo(1);
        assertThat(log.read("s", 0, 1, 1).messages().get(0)).isEqualTo(max);
    }

    @Test
    void badArgumentsAreRefusedAndStoreNothing() throws IOException {
        assertThatThrownBy(() -> log.append("", b("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("x".repeat(256), b("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("256");
        assertThatThrownBy(() -> log.append("bad\uD800", b("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", (byte[]) null)).isInstanceOf(NullPointerException.class);
        assertThat(log.streamCount()).isZero();
        String longest = "\u6d41".repeat(85); // 85 × 3 UTF-8 bytes = 255
        assertThat(log.append(longest, new byte[0])).isZero();
        assertThat(log.read(longest, 0, 1, 1).messages().get(0)).isEmpty();
        assertThat(log.endOffset("x".repeat(255))).isZero();
    }

    @Test
    void callersOwnTheirArrays() throws IOException {
        byte[] m = b("abc");
        log.append("s", m);
        m[0] = 'X';
        byte[] read = log.read("s", 0, 1, 10).messages().get(0);
        read[1] = 'Y';
        assertThat(strings(log.read("s", 0, 1, 10))).containsExactly("abc");
    }

    @Test
    void manyStreamsWithoutAFilePerStream() throws IOException {
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            assertThat(log.append("stream-" + i, b("m" + i))).isZero();
        }
        assertThat(log.streamCount()).isEqualTo(n);
        for (int i = 0; i < n; i += 997) {
            assertThat(log.endOffset("stream-" + i)).isEqualTo(1);
            assertThat(strings(log.read("stream-" + i, 0, 10, 100))).containsExactly("m" + i);
        }
        assertNoFilePerStream(log, n);
    }

    /**
     * Writers append batches to one stream while a reader watches: every batch's messages are contiguous and in
     * order, and the end offset a reader sees never falls inside a batch.
     */
    @Test
    void batchesAreAtomicUnderConcurrentAppends() throws Exception {
        int writers = 4;
        int batchesEach = 300;
        CountDownLatch start = new CountDownLatch(1);
        AtomicBoolean done = new AtomicBoolean();
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            threads.add(new Thread(() -> {
                try {
                    start.await();
                    SplittableRandom rnd = new SplittableRandom(writer);
                    for (int batch = 0; batch < batchesEach; batch++) {
                        int size = rnd.nextInt(1, 6);
                        List<byte[]> msgs = new ArrayList<>();
                        for (int i = 0; i < size; i++) {
                            msgs.add(ByteBuffer.allocate(16).putInt(writer).putInt(batch).putInt(i).putInt(size).array());
                        }
                        log.append("shared", msgs);
                    }
                } catch (Throwable t) {
                    errors.add(t);
                }
            }));
        }
        Thread reader = new Thread(() -> {
            try {
                start.await();
                while (!done.get()) {
                    long end = log.endOffset("shared");
                    if (end > 0) {
                        ByteBuffer last = ByteBuffer.wrap(log.read("shared", end - 1, 1, 16).messages().get(0));
                        last.getInt();
                        last.getInt();
                        if (last.getInt() != last.getInt() - 1) {
                            errors.add(new AssertionError("end offset " + end + " falls inside a batch"));
                        }
                    }
                }
            } catch (Throwable t) {
                errors.add(t);
            }
        });
        threads.forEach(Thread::start);
        reader.start();
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }
        done.set(true);
        reader.join();
        assertThat(errors).isEmpty();

        List<byte[]> all = new ArrayList<>();
        for (long off = 0; off < log.endOffset("shared"); ) {
            ReadResult r = log.read("shared", off, 1000, 1 << 20);
            all.addAll(r.messages());
            off = r.nextOffset();
        }
        int[] nextBatch = new int[writers];
        int i = 0;
        while (i < all.size()) {
            ByteBuffer first = ByteBuffer.wrap(all.get(i));
            int writer = first.getInt();
            int batch = first.getInt();
            assertThat(batch).as("writer %d's batches in order", writer).isEqualTo(nextBatch[writer]++);
            int size = first.getInt(12);
            for (int k = 0; k < size; k++) {
                ByteBuffer m = ByteBuffer.wrap(all.get(i + k));
                assertThat(new int[] {m.getInt(), m.getInt(), m.getInt()}).as("message %d", i + k)
                        .containsExactly(writer, batch, k);
            }
            i += size;
        }
        assertThat(nextBatch).containsOnly(batchesEach);
    }

    @Test
    void aClosedLogRefusesWork() throws IOException {
        log.append("s", b("x"));
        log.flush();
        log.close();
        log.close(); // idempotent
        assertThatThrownBy(() -> log.append("s", b("y"))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.read("s", 0, 1, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.endOffset("s")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> log.flush()).isInstanceOf(IllegalStateException.class);
    }

    /**
     * Old data goes, whole batches at a time: first offsets move up to the first message still held, reads below
     * it name it, what is left reads back intact, and end offsets (the next offsets given out) never move back.
     */
    @Test
    void retentionByAgeMovesFirstOffsetsButNeverEndOffsets() throws IOException {
        long[] now = {1_000};
        SplittableRandom rnd = new SplittableRandom(7);
        List<byte[]> old = new ArrayList<>();
        List<byte[]> recent = new ArrayList<>();
        try (MessageLog l = newLog(10_000, () -> now[0])) {
            for (int i = 0; i < 40; i++) {
                old.add(Seeds.message(rnd, 100));
                l.append("old", old.get(i));
            }
            now[0] = 50_000;
            for (int i = 0; i < 40; i++) {
                recent.add(Seeds.message(rnd, 100));
                l.append("recent", recent.get(i));
            }
            assertThat(l.enforceRetention(10_999)).as("nothing older than 10 s yet").isZero();
            assertThat(l.firstOffset("old")).isZero();

            long dropped = l.enforceRetention(50_000);
            long first = l.firstOffset("old");
            assertThat(first).isPositive().isLessThanOrEqualTo(40).isEqualTo(dropped);
            assertThat(l.endOffset("old")).isEqualTo(40);
            assertThat(l.firstOffset("recent")).isZero();
            assertThat(l.endOffset("recent")).isEqualTo(40);
            assertThatThrownBy(() -> l.read("old", first - 1, 10, 1000))
                    .isInstanceOfSatisfying(OffsetOutOfRangeException.class, e -> {
                        assertThat(e.firstOffset()).isEqualTo(first);
                        assertThat(e.endOffset()).isEqualTo(40);
                    })
                    .hasMessageContaining("first available offset is " + first);
            ReadResult rest = l.read("old", first, 100, 1 << 20);
            assertThat(rest.messages()).containsExactlyElementsOf(old.subList((int) first, 40));
            assertThat(l.read("recent", 0, 100, 1 << 20).messages()).containsExactlyElementsOf(recent);

            assertThat(l.append("old", b("again"))).isEqualTo(40);
            assertThat(strings(l.read("old", 40, 10, 100))).containsExactly("again");
            assertThat(l.streamCount()).isEqualTo(2);
        }
    }

    @Test
    void aStreamWhoseMessagesAreAllDroppedKeepsItsEndOffset() throws IOException {
        long[] now = {0};
        try (MessageLog l = newLog(1_000, () -> now[0])) {
            for (int i = 0; i < 30; i++) {
                l.append("gone", Seeds.message(new SplittableRandom(i), 100));
            }
            byte[] big = new byte[1000]; // fills a (small) segment of the file log on its own: no newer batch shares
            new SplittableRandom(1).nextBytes(big); // a segment with "gone"'s last one
            l.append("big", big);
            now[0] = 100_000;
            for (int i = 0; i < 30; i++) {
                l.append("filler", Seeds.message(new SplittableRandom(i), 200));
            }
            assertThat(l.enforceRetention(100_000)).isEqualTo(31);
            assertThat(l.firstOffset("gone")).isEqualTo(30);
            assertThat(l.endOffset("gone")).isEqualTo(30);
            assertThat(l.read("gone", 30, 10, 100).messages()).isEmpty();
            assertThatThrownBy(() -> l.read("gone", 0, 10, 100)).isInstanceOf(OffsetOutOfRangeException.class)
                    .hasMessageContaining("first available offset is 30");
            assertThat(l.append("gone", b("next"))).isEqualTo(30);
            assertThat(l.firstOffset("gone")).isEqualTo(30);
        }
    }

    /** Offsets 0..2 producer 7 seq 10..12, 3..4 plain, 5..8 producer 9 seq 0..3. */
    static void fillProducerBatches(MessageLog l) throws IOException {
        assertThat(l.append("s", 7, 10, List.of(b("a0"), b("a1"), b("a2"))).firstOffset()).isZero();
        assertThat(l.append("s", List.of(b("b0"), b("b1")))).isEqualTo(3);
        assertThat(l.append("s", 9, 0, List.of(b("c0"), b("c1"), b("c2"), b("c3"))).firstOffset()).isEqualTo(5);
    }

    /** What {@link #fillProducerBatches} stored, as {@link MessageLog#readBatches} must return it. */
    static void checkProducerBatches(MessageLog l) throws IOException {
        List<StoredBatch> all = l.readBatches("s", 0, 100, 1 << 20);
        assertThat(all).extracting(StoredBatch::firstOffset).containsExactly(0L, 3L, 5L);
        assertThat(all).extracting(StoredBatch::producerId).containsExactly(7L, 0L, 9L);
        assertThat(all).extracting(StoredBatch::firstSequence).containsExactly(10L, 0L, 0L);

        List<StoredBatch> mid = l.readBatches("s", 1, 100, 1 << 20);
        assertThat(mid.get(0).firstOffset()).isEqualTo(1);
        assertThat(mid.get(0).firstSequence()).as("advanced with the start inside the batch").isEqualTo(11);
        assertThat(strings(mid.get(0).messages())).containsExactly("a1", "a2");

        List<StoredBatch> cut = l.readBatches("s", 6, 2, 1 << 20); // the message limit stops inside a batch
        assertThat(cut).hasSize(1);
        assertThat(cut.get(0).firstSequence()).isEqualTo(1);
        assertThat(cut.get(0).endOffset()).isEqualTo(8);

        assertThat(l.readBatches("s", 9, 10, 10)).isEmpty();
        assertThat(l.readBatches("never", 0, 10, 10)).isEmpty();
        assertThatThrownBy(() -> l.readBatches("s", 10, 10, 10)).isInstanceOf(OffsetOutOfRangeException.class);
        assertThatThrownBy(() -> l.readBatches("s", 0, 0, 10)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Chain replication copies batches with their producer fields, so that a copy recognises resends. */
    @Test
    void readBatchesReturnsTheProducerFieldsAsStored() throws IOException {
        fillProducerBatches(log);
        checkProducerBatches(log);
    }

    /** Seeded: whatever the start and limits, the batches hold exactly the messages {@code read} returns. */
    @Test
    void readBatchesHoldsTheMessagesOfRead() {
        Seeds.check("readBatches agrees with read", 3, seed -> {
            try {
                readBatchesAgainstRead(seed);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private void readBatchesAgainstRead(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        String stream = "r" + seed;
        long seq = 0;
        for (int i = 0; i < 200; i++) {
            List<byte[]> m = new ArrayList<>();
            for (int k = rnd.nextInt(1, 6); k > 0; k--) {
                m.add(Seeds.message(rnd, rnd.nextInt(0, 60)));
            }
            if (rnd.nextBoolean()) {
                log.append(stream, 5, seq, m);
                seq += m.size();
            } else {
                log.append(stream, m);
            }
        }
        long end = log.endOffset(stream);
        for (int i = 0; i < 300; i++) {
            long from = rnd.nextLong(0, end + 1);
            int maxMessages = rnd.nextInt(1, 40);
            int maxBytes = rnd.nextInt(1, 600);
            List<byte[]> flat = new ArrayList<>();
            long next = from;
            for (StoredBatch b : log.readBatches(stream, from, maxMessages, maxBytes)) {
                assertThat(b.firstOffset()).isEqualTo(next);
                next = b.endOffset();
                flat.addAll(b.messages());
            }
            assertThat(flat).containsExactlyElementsOf(log.read(stream, from, maxMessages, maxBytes).messages());
        }
    }

    /** After retention, batches are read from the new first offset with their fields; below it is out of range. */
    @Test
    void readBatchesAfterRetention() throws IOException {
        long[] now = {1_000};
        try (MessageLog l = newLog(10_000, () -> now[0])) {
            long seq = 0;
            for (int i = 0; i < 40; i++) {
                l.append("p", 3, seq, List.of(Seeds.message(new SplittableRandom(i), 100), b("x" + i)));
                seq += 2;
            }
            now[0] = 50_000;
            l.append("p", 3, seq, List.of(b("late")));
            assertThat(l.enforceRetention(50_000)).isPositive();
            long first = l.firstOffset("p");
            assertThat(first).isPositive();
            assertThatThrownBy(() -> l.readBatches("p", first - 1, 10, 1000))
                    .isInstanceOf(OffsetOutOfRangeException.class);
            List<StoredBatch> rest = l.readBatches("p", first, 1000, 1 << 20);
            assertThat(rest.get(0).firstOffset()).isEqualTo(first);
            assertThat(rest.get(0).producerId()).isEqualTo(3);
            assertThat(rest.get(0).firstSequence()).as("sequence = offset here").isEqualTo(first);
            assertThat(rest.get(rest.size() - 1).endOffset()).isEqualTo(81);
        }
    }
}
