package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.Offsets;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamException;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.client.Subscription;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The message path end to end on loopback — the real client against a {@link StreamServer} over a real socket —
 * run once per {@link MessageLog} implementation by a short subclass (one contract, every log).
 */
abstract class StreamContract {
    @TempDir
    Path dir;
    MessageLog log;
    StreamServer server;
    StreamConsumer consumer;

    /** A fresh, empty log in {@code dir}. */
    abstract MessageLog newLog(Path dir) throws IOException;

    @BeforeEach
    void start() throws IOException {
        log = newLog(dir);
        server = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(2));
        consumer = StreamConsumer.create(server.address());
    }

    @AfterEach
    void stop() throws IOException {
        consumer.close();
        server.close();
        log.close();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        }
    }

    ProducerConfig producer(String stream, AckMode ack) {
        return ProducerConfig.of(server.address(), stream).withAck(ack);
    }

    List<byte[]> readAll(String stream) throws Exception {
        List<byte[]> out = new ArrayList<>();
        long at = get(consumer.offsets(stream)).first();
        while (true) {
            Fetched f = get(consumer.fetch(stream, at, 1000, 1 << 20, Duration.ZERO));
            if (f.messages().isEmpty()) {
                return out;
            }
            out.addAll(f.messages());
            at = f.nextOffset();
        }
    }

    private void sendsAndReadsBack(AckMode ack) throws Exception {
        String stream = "s-" + ack.level();
        List<CompletableFuture<Long>> futures = new ArrayList<>();
        try (StreamProducer p = StreamProducer.create(producer(stream, ack).withBatchBytes(1000))) {
            for (int i = 0; i < 5_000; i++) {
                futures.add(p.send(utf8("m" + i)));
            }
            get(p.flush());
        }
        for (int i = 0; i < futures.size(); i++) {
            assertThat(get(futures.get(i))).as("offset of message %d", i)
                    .isEqualTo(ack.level() == AckMode.Level.NONE ? -1L : (long) i);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> get(consumer.offsets(stream)).end() == 5_000);
        List<byte[]> back = readAll(stream);
        assertThat(back).hasSize(5_000);
        for (int i = 0; i < back.size(); i++) {
            assertThat(new String(back.get(i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        }
    }

    @Test
    void memoryAcksGiveConsecutiveOffsetsAndTheMessagesReadBack() throws Exception {
        sendsAndReadsBack(AckMode.memory(1));
    }

    @Test
    void diskAcksGiveConsecutiveOffsetsAndTheMessagesReadBack() throws Exception {
        sendsAndReadsBack(AckMode.disk(1));
    }

    @Test
    void fireAndForgetDeliversInOrder() throws Exception {
        sendsAndReadsBack(AckMode.NONE);
    }

    @Test
    void concurrentProducersShareAStreamWithoutLossOrDuplicates() throws Exception {
        int producers = 4;
        int each = 3_000;
        List<StreamProducer> ps = new ArrayList<>();
        List<List<CompletableFuture<Long>>> futures = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            ps.add(StreamProducer.create(producer("shared", p % 2 == 0 ? AckMode.memory(1) : AckMode.disk(1))
                    .withBatchBytes(512)));
            futures.add(Collections.synchronizedList(new ArrayList<>()));
        }
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int id = p;
            threads.add(new Thread(() -> {
                for (int i = 0; i < each; i++) {
                    futures.get(id).add(ps.get(id).send(utf8(id + ":" + i)));
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) {
            t.join();
        }
        Set<Long> offsets = new HashSet<>();
        for (int p = 0; p < producers; p++) {
            long prev = -1;
            for (CompletableFuture<Long> f : futures.get(p)) {
                long o = get(f);
                assertThat(o).as("one producer's offsets increase").isGreaterThan(prev);
                prev = o;
                offsets.add(o);
            }
            ps.get(p).close();
        }
        assertThat(offsets).hasSize(producers * each);
        assertThat(Collections.max(offsets)).isEqualTo(producers * each - 1L);
        List<byte[]> back = readAll("shared");
        assertThat(back).hasSize(producers * each);
        int[] next = new int[producers];
        for (byte[] b : back) {
            String[] parts = new String(b, StandardCharsets.UTF_8).split(":");
            int p = Integer.parseInt(parts[0]);
            assertThat(Integer.parseInt(parts[1])).as("producer %d's order", p).isEqualTo(next[p]++);
        }
    }

    @Test
    void followReceivesMessagesAsTheyArrive() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (StreamProducer p = StreamProducer.create(producer("live", AckMode.memory(1)))) {
            get(p.send(utf8("before")));
            try (Subscription sub = consumer.follow("live", 0, (offset, m) -> seen.add(offset + "=" + new String(m,
                    StandardCharsets.UTF_8)))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> server.parkedFetches() == 1);
                for (int i = 0; i < 100; i++) {
                    p.send(utf8("after" + i));
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 101);
                assertThat(sub.position()).isEqualTo(101);
            }
        }
        assertThat(seen.get(0)).isEqualTo("0=before");
        assertThat(seen.get(100)).isEqualTo("100=after99");
    }

    @Test
    void longPollAnswersEmptyWhenTheWaitIsOver() throws Exception {
        Fetched f = get(consumer.fetch("quiet", 0, 10, 1000, Duration.ofMillis(50)));
        assertThat(f.messages()).isEmpty();
        assertThat(f.endOffset()).isZero();
        assertThat(server.parkedFetches()).isZero();
    }

    @Test
    void offsetsAndOutOfRange() throws Exception {
        assertThat(get(consumer.offsets("new"))).isEqualTo(new Offsets(0, 0));
        try (StreamProducer p = StreamProducer.create(producer("o", AckMode.memory(1)))) {
            get(p.send(utf8("a")));
            get(p.send(utf8("b")));
        }
        assertThat(get(consumer.offsets("o"))).isEqualTo(new Offsets(0, 2));
        assertThat(get(consumer.fetch("o", 1, 10, 1000, Duration.ZERO)).messages()).containsExactly(utf8("b"));
        CompletableFuture<Fetched> beyond = consumer.fetch("o", 5, 10, 1000, Duration.ZERO);
        assertThat(beyond).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                .havingCause().isInstanceOfSatisfying(StreamException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE));
        assertThat(get(consumer.offsets("o"))).as("the connection survives the error").isEqualTo(new Offsets(0, 2));
    }

    @Test
    void sessionsAskingForMoreCopiesThanOneNodeHasAreRefused() throws Exception {
        try (StreamProducer p = StreamProducer.create(producer("r", AckMode.disk(2)))) {
            // before the refusal arrives (queued, then failed) and after it (failed at once): the same error
            for (String m : List.of("x", "y")) {
                assertThat(p.send(utf8(m))).failsWithin(Duration.ofSeconds(10))
                        .withThrowableOfType(ExecutionException.class).havingCause()
                        .isInstanceOfSatisfying(StreamException.class,
                                e -> assertThat(e.code()).isEqualTo(ErrorCode.REDUNDANCY_UNAVAILABLE));
            }
        }
        assertThat(server.stats().hostileCloses.sum()).isZero();
    }

    @Test
    void aMessageAboveTheLimitFailsAloneAndTheRestGoThrough() throws Exception {
        try (StreamProducer p = StreamProducer.create(producer("big", AckMode.memory(1)))) {
            CompletableFuture<Long> big = p.send(new byte[MessageLog.MAX_MESSAGE_BYTES + 1]);
            assertThat(big).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                    .havingCause().isInstanceOfSatisfying(StreamException.class,
                            e -> assertThat(e.code()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
            assertThat(get(p.send(new byte[MessageLog.MAX_MESSAGE_BYTES]))).isZero();
        }
    }

    @Test
    void aResendAfterLostAcksIsStoredOnceAndAckedWithTheOriginalOffsets() throws Exception {
        try (CuttingProxy proxy = new CuttingProxy(server.address());
                StreamProducer p = StreamProducer.create(ProducerConfig.of(proxy.address(), "resend")
                        .withAck(AckMode.memory(1)).withBatchBytes(700))) {
            List<CompletableFuture<Long>> futures = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                futures.add(p.send(utf8("m" + i)));
            }
            get(p.flush());
            proxy.holdReplies(true); // the node stores the next batches, their acks are lost
            for (int i = 1_000; i < 2_000; i++) {
                futures.add(p.send(utf8("m" + i)));
            }
            p.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.stats().messagesIn.sum() == 2_000);
            assertThat(futures.get(1_999)).isNotDone();
            proxy.cutAll();
            proxy.holdReplies(false);
            get(p.flush());
            for (int i = 0; i < futures.size(); i++) {
                assertThat(get(futures.get(i))).as("offset of m%d", i).isEqualTo((long) i);
            }
            assertThat(p.resentBatches()).as("batches resent after the cut").isPositive();
            assertThat(server.stats().duplicateMessages.sum()).as("resent messages found stored")
                    .isGreaterThanOrEqualTo(1_000);
        }
        List<byte[]> back = readAll("resend");
        assertThat(back).as("each message stored once").hasSize(2_000);
        for (int i = 0; i < back.size(); i++) {
            assertThat(new String(back.get(i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        }
    }

    @Test
    void connectionsCutMidStreamLoseAndDuplicateNothing() throws Exception {
        int n = 100_000;
        List<CompletableFuture<Long>> futures = Collections.synchronizedList(new ArrayList<>());
        try (CuttingProxy proxy = new CuttingProxy(server.address());
                StreamProducer p = StreamProducer.create(ProducerConfig.of(proxy.address(), "cuts")
                        .withAck(AckMode.disk(1)).withBatchBytes(1_000))) {
            futures.add(p.send(utf8("m0")));
            get(futures.get(0)); // the session is open: the acks held back below are the DATA acks
            Thread sender = new Thread(() -> {
                for (int i = 1; i < n; i++) {
                    futures.add(p.send(utf8("m" + i)));
                }
            });
            proxy.holdReplies(true); // the first batches' acks are lost for sure: the first cut is mid-stream
            sender.start();
            int cuts = 0;
            while (cuts < 5 && server.stats().messagesIn.sum() < n) {
                // Cut while batches are stored but unacknowledged: hold the replies back until an ACK was lost,
                // then cut. The producer must resend those batches; the node must find them stored.
                long dropped = proxy.droppedBytes();
                if (cuts > 0) {
                    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1)).until(p::isConnected);
                    proxy.holdReplies(true);
                }
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(1))
                        .until(() -> proxy.droppedBytes() > dropped || server.stats().messagesIn.sum() == n);
                proxy.cutAll();
                proxy.holdReplies(false);
                cuts++;
            }
            assertThat(cuts).as("connections cut mid-stream").isPositive();
            sender.join();
            get(p.flush());
            for (int i = 0; i < n; i++) {
                assertThat(get(futures.get(i))).as("offset of m%d", i).isEqualTo((long) i);
            }
            assertThat(p.resentBatches()).isPositive();
            assertThat(server.stats().duplicateMessages.sum()).isPositive();
        }
        List<byte[]> back = readAll("cuts");
        assertThat(back).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(new String(back.get(i), StandardCharsets.UTF_8)).isEqualTo("m" + i);
        }
    }

    @Test
    void framesLeaveInSequenceOrderWhateverThreadSealsTheirBatch() throws Exception {
        // Batches are sealed by sender threads (full) and by the client's event loop (linger): their frames must
        // still leave in sequence order, or the node would see gaps and the acks would not match.
        List<CompletableFuture<Long>> futures = Collections.synchronizedList(new ArrayList<>());
        try (StreamProducer p = StreamProducer.create(producer("order", AckMode.memory(1)).withBatchBytes(300)
                .withLinger(Duration.ZERO))) {
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 50_000; i++) {
                        futures.add(p.send(utf8("x" + i)));
                    }
                }));
            }
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
            get(p.flush());
            assertThat(p.reconnects()).as("no ack mismatch forced a reconnect: %s", p).isZero();
            assertThat(p.resentBatches()).isZero();
        }
        Set<Long> offsets = new HashSet<>();
        for (CompletableFuture<Long> f : futures) {
            offsets.add(get(f));
        }
        assertThat(offsets).hasSize(200_000);
        assertThat(Collections.max(offsets)).isEqualTo(199_999L);
    }
}
