package io.scalesmall.log;

import static io.scalesmall.log.MessageLogContract.b;
import static io.scalesmall.log.MessageLogContract.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/**
 * The idempotent append ({@link MessageLog#append(String, long, long, List)}) as every log must do it. Run by
 * {@link MessageLogContract} (as a nested class) against each implementation.
 */
abstract class IdempotentAppendContract {
    /** The suite's fresh log (closed by the suite). */
    protected abstract MessageLog log();

    /** As {@link MessageLogContract#newLog(long, LongSupplier)}. */
    protected abstract MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException;

    /** A fresh log whose producers expire after {@code producerExpiryMillis}, with append times from the clock. */
    protected abstract MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock)
            throws IOException;

    static List<byte[]> msgs(String... s) {
        List<byte[]> out = new ArrayList<>();
        for (String m : s) {
            out.add(b(m));
        }
        return out;
    }

    static List<byte[]> all(MessageLog l, String stream) throws IOException {
        return l.read(stream, l.firstOffset(stream), Integer.MAX_VALUE, Integer.MAX_VALUE).messages();
    }

    @Test
    void aRetriedBatchIsNotStoredTwiceAndGetsItsOriginalOffset() throws IOException {
        MessageLog log = log();
        log.append("s", b("plain")); // offset 0, no producer
        assertThat(log.append("s", 7, 0, msgs("a", "b", "c"))).isEqualTo(new AppendResult(1, 0));
        assertThat(log.append("s", 7, 0, msgs("a", "b", "c"))).isEqualTo(new AppendResult(1, 3));
        assertThat(log.append("s", 7, 1, msgs("b"))).isEqualTo(new AppendResult(2, 1));
        assertThat(log.endOffset("s")).isEqualTo(4);
        assertThat(strings(log.read("s", 0, 100, 1000))).containsExactly("plain", "a", "b", "c");
    }

    @Test
    void aPartlyRepeatedBatchStoresOnlyItsNewTail() throws IOException {
        MessageLog log = log();
        log.append("s", 7, 0, msgs("a", "b", "c"));
        assertThat(log.append("s", 7, 1, msgs("b", "c", "d", "e"))).isEqualTo(new AppendResult(1, 2));
        assertThat(log.append("s", 7, 5, msgs("f"))).isEqualTo(new AppendResult(5, 0));
        assertThat(strings(log.read("s", 0, 100, 1000))).containsExactly("a", "b", "c", "d", "e", "f");
        assertThat(log.append("s", 7, 3, msgs("d", "e", "f"))).as("a retry spanning two stored batches")
                .isEqualTo(new AppendResult(3, 3));
        assertThat(log.endOffset("s")).isEqualTo(6);
    }

    @Test
    void producersAndStreamsAreIndependent() throws IOException {
        MessageLog log = log();
        assertThat(log.append("s", 1, 0, msgs("p1-0"))).isEqualTo(new AppendResult(0, 0));
        assertThat(log.append("s", 2, 0, msgs("p2-0"))).isEqualTo(new AppendResult(1, 0));
        assertThat(log.append("t", 1, 0, msgs("t-p1-0"))).isEqualTo(new AppendResult(0, 0));
        assertThat(log.append("s", -5, 0, msgs("neg-0"))).as("any id but 0").isEqualTo(new AppendResult(2, 0));
        assertThat(log.append("s", 1, 1, msgs("p1-1"))).isEqualTo(new AppendResult(3, 0));
        assertThat(log.append("s", 2, 0, msgs("p2-0"))).isEqualTo(new AppendResult(1, 1));
        assertThat(log.append("s", 1, 0, msgs("p1-0", "p1-1"))).isEqualTo(new AppendResult(0, 2));
        assertThat(log.append("t", 1, 0, msgs("t-p1-0"))).isEqualTo(new AppendResult(0, 1));
        assertThat(strings(log.read("s", 0, 100, 1000))).containsExactly("p1-0", "p2-0", "neg-0", "p1-1");
        assertThat(log.endOffset("t")).isEqualTo(1);
    }

    @Test
    void aGapIsAcceptedButASequenceInsideItIsRefused() throws IOException {
        MessageLog log = log();
        log.append("s", 9, 0, msgs("0", "1"));
        assertThat(log.append("s", 9, 10, msgs("10", "11"))).isEqualTo(new AppendResult(2, 0));
        assertThatThrownBy(() -> log.append("s", 9, 5, msgs("5", "6", "7", "8", "9", "10", "11", "12")))
                .isInstanceOfSatisfying(DuplicateSequenceException.class, e -> {
                    assertThat(e.producerId()).isEqualTo(9);
                    assertThat(e.sequence()).isEqualTo(5);
                    assertThat(e.lastSequence()).isEqualTo(11);
                })
                .hasMessageContaining("sequence 5").hasMessageContaining("last stored sequence 11");
        assertThat(log.endOffset("s")).isEqualTo(4);
        assertThat(log.append("s", 9, 12, msgs("12"))).isEqualTo(new AppendResult(4, 0));
    }

    @Test
    void theLast64BatchesAreRememberedAndOlderRetriesAreRefused() throws IOException {
        MessageLog log = log();
        int batches = MessageLog.PRODUCER_WINDOW_BATCHES + 6;
        for (int i = 0; i < batches; i++) {
            log.append("other", b("x" + i)); // other offsets, so a batch's offset is not its sequence
            assertThat(log.append("s", 3, 2L * i, msgs("m" + 2 * i, "m" + (2 * i + 1))).firstOffset()).isEqualTo(3L * i);
            log.append("s", b("plain" + i));
        }
        // batch i is at offsets 3i, 3i + 1
        int oldest = batches - MessageLog.PRODUCER_WINDOW_BATCHES;
        assertThat(log.append("s", 3, 2L * oldest + 1, msgs("m"))).isEqualTo(new AppendResult(3L * oldest + 1, 1));
        assertThatThrownBy(() -> log.append("s", 3, 2L * oldest - 1, msgs("m"))).isInstanceOf(
                DuplicateSequenceException.class).hasMessageContaining("window of the last 64 batches");
        assertThatThrownBy(() -> log.append("s", 3, 0, msgs("m0", "m1"))).isInstanceOf(DuplicateSequenceException.class);
        assertThat(log.endOffset("s")).isEqualTo(3L * batches);
        assertThat(log.append("s", 3, 2L * batches, msgs("next"))).isEqualTo(new AppendResult(3L * batches, 0));
    }

    @Test
    void badProducerArgumentsAreRefusedAndStoreNothing() throws IOException {
        MessageLog log = log();
        assertThatThrownBy(() -> log.append("s", 0, 0, msgs("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("producer id 0");
        assertThatThrownBy(() -> log.append("s", 1, -1, msgs("x"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> log.append("s", 1, Long.MAX_VALUE, msgs("x", "y")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overflow");
        assertThatThrownBy(() -> log.append("s", 1, 0, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("", 1, 0, msgs("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> log.append("s", 1, 0, List.of(new byte[MessageLog.MAX_MESSAGE_BYTES + 1])))
                .isInstanceOf(MessageTooLargeException.class);
        assertThat(log.streamCount()).isZero();
        assertThat(log.append("s", 1, Long.MAX_VALUE, msgs("last"))).isEqualTo(new AppendResult(0, 0));
        assertThat(log.append("s", 1, Long.MAX_VALUE, msgs("last"))).isEqualTo(new AppendResult(0, 1));
        assertThat(log.endOffset("s")).isEqualTo(1);
    }

    /** Threads resend the same producer's batches concurrently: every message is stored exactly once, in order. */
    @Test
    void concurrentRetriesStoreEachMessageOnce() throws Exception {
        MessageLog log = log();
        int threads = 4;
        int batches = 50; // 50 batches of 4 < the window: no retry can fall outside it
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> errors = new CopyOnWriteArrayList<>();
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            ts.add(new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < batches; i++) {
                        List<byte[]> batch = new ArrayList<>();
                        for (int k = 0; k < 4; k++) {
                            batch.add(b("seq" + (4 * i + k)));
                        }
                        AppendResult r = log.append("s", 42, 4L * i, batch);
                        if (r.firstOffset() != 4L * i) {
                            errors.add(new AssertionError("batch " + i + " answered with offset " + r.firstOffset()));
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        ts.forEach(Thread::start);
        start.countDown();
        for (Thread t : ts) {
            t.join();
        }
        assertThat(errors).isEmpty();
        List<String> got = strings(log.read("s", 0, 1000, 1 << 20));
        assertThat(got).hasSize(4 * batches);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i)).isEqualTo("seq" + i);
        }
    }

    @Test
    void anIdleProducerIsForgottenAfterTheExpiry() throws IOException {
        long[] now = {1_000};
        try (MessageLog l = newLogWithProducerExpiry(60_000, () -> now[0])) {
            l.append("s", 5, 0, msgs("a", "b"));
            now[0] = 61_000; // exactly the expiry: still remembered
            assertThat(l.append("s", 5, 0, msgs("a", "b"))).isEqualTo(new AppendResult(0, 2));
            now[0] = 61_001;
            assertThat(l.append("s", 5, 0, msgs("a", "b"))).as("forgotten: stored afresh")
                    .isEqualTo(new AppendResult(2, 0));
            assertThat(l.append("s", 5, 0, msgs("a", "b"))).isEqualTo(new AppendResult(2, 2));

            l.append("t", 6, 10, msgs("x"));
            assertThat(l.enforceRetention(now[0] + 60_000)).isZero(); // drops no data, but forgets nothing yet
            assertThat(l.append("t", 6, 10, msgs("x"))).isEqualTo(new AppendResult(0, 1));
            assertThat(l.enforceRetention(now[0] + 60_001)).isZero(); // forgets producer 6 (and 5)
            assertThat(l.append("t", 6, 3, msgs("y"))).as("any sequence is accepted again")
                    .isEqualTo(new AppendResult(1, 0));
            assertThat(strings(l.read("t", 0, 10, 100))).containsExactly("x", "y");
        }
    }

    @Test
    void retentionForgetsTheBatchesItDrops() throws IOException {
        long[] now = {0};
        try (MessageLog l = newLog(1_000, () -> now[0])) {
            for (int i = 0; i < 30; i++) {
                l.append("gone", 1, i, List.of(Seeds.message(new SplittableRandom(i), 100)));
                l.append("kept", 2, i, List.of(Seeds.message(new SplittableRandom(i), 100)));
            }
            byte[] big = new byte[1000]; // alone in a (small) file-log segment, as in the contract's retention tests
            new SplittableRandom(1).nextBytes(big); // incompressible
            l.append("big", big);
            now[0] = 100_000;
            l.append("kept", 2, 30, msgs("recent"));
            for (int i = 0; i < 30; i++) {
                l.append("filler", Seeds.message(new SplittableRandom(i), 200));
            }
            l.enforceRetention(100_000);
            assertThat(l.firstOffset("gone")).isEqualTo(30);
            assertThat(l.firstOffset("kept")).isEqualTo(30);
            assertThat(l.append("gone", 1, 0, msgs("again"))).as("no batch of producer 1 left: forgotten")
                    .isEqualTo(new AppendResult(30, 0));
            assertThatThrownBy(() -> l.append("kept", 2, 29, msgs("old"))).as("its batch was dropped")
                    .isInstanceOf(DuplicateSequenceException.class);
            assertThat(l.append("kept", 2, 30, msgs("recent"))).isEqualTo(new AppendResult(30, 1));
            assertThat(l.endOffset("kept")).isEqualTo(31);
        }
    }
}
