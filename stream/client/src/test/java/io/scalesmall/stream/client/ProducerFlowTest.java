package io.scalesmall.stream.client;

import static io.scalesmall.stream.client.ProducerStateTest.into;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.InitOkFrame;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The send path's bookkeeping: callbacks (once each, with offsets, isolated from each other), the in-flight bound
 * (room given back per batch, a blocked sender woken, never blocking a client I/O thread), flush (waits for every
 * earlier callback, also when batches complete out of order) and the frames' reference counts (released when a
 * batch leaves, kept for a resend). Staged on an {@link EmbeddedChannel}, whose loop runs tasks only when told.
 */
class ProducerFlowTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();

    private static ProducerConfig config(int batchBytes, int maxInFlight, boolean block, Duration maxBlock) {
        return ProducerConfig.of(new InetSocketAddress("127.0.0.1", 9), "s").withAck(AckMode.memory(1))
                .withBatchBytes(batchBytes).withLinger(Duration.ofSeconds(10)).withMaxInFlight(maxInFlight, block, maxBlock);
    }

    private ProducerState open(ProducerConfig c) {
        ProducerState s = new ProducerState(c, ch.eventLoop(), new AtomicLong());
        s.connected(ch);
        s.initOk(ch, new InitOkFrame(1 << 20, 1 << 20, 8));
        return s;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The DATA frames written so far (the caller releases them). */
    private List<ByteBuf> frames() {
        ch.runPendingTasks();
        List<ByteBuf> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.add(b);
        }
        return out;
    }

    @Test
    void oneAckCallsEachCallbackOnceWithItsOffsetEvenIfOneThrows() throws Exception {
        ProducerState s = open(config(1 << 20, 100, true, Duration.ofSeconds(1)));
        List<String> calls = new ArrayList<>();
        s.add(utf8("a"), (o, e) -> calls.add("a" + o + e));
        s.add(utf8("b"), (o, e) -> {
            calls.add("b" + o + e);
            throw new IllegalStateException("a careless callback");
        });
        s.add(utf8("c"), (o, e) -> calls.add("c" + o + e));
        CompletableFuture<Void> flushed = s.flush(); // seals the three as one batch
        List<ByteBuf> written = frames();
        assertThat(written).hasSize(1);
        assertThat(((DataFrame) FrameDecoder.decode(written.get(0).duplicate(), FrameCodec.HARD_MAX_FRAME_BYTES))
                .messages()).hasSize(3);
        assertThat(flushed).isNotDone();
        s.ack(ch, new AckFrame(2, 2, 1, 0, List.of(new AckFrame.OffsetRun(3, 10))));
        assertThat(calls).containsExactly("a10null", "b11null", "c12null");
        assertThat(flushed).isCompleted();
        s.ack(ch, new AckFrame(2, 2, 1, 0, List.of(new AckFrame.OffsetRun(3, 10)))); // a stale repeat
        assertThat(calls).hasSize(3);
        written.forEach(ByteBuf::release);
    }

    @Test
    void aBatchReleasesItsFrameWhenAcknowledgedAndKeepsItForAResend() throws Exception {
        ProducerState s = open(config(1, 100, true, Duration.ofSeconds(1)));
        CompletableFuture<Long> a = new CompletableFuture<>();
        s.add(utf8("a"), into(a));
        ByteBuf first = frames().get(0);
        ByteBuf frame = first.unwrap(); // what the batch holds; each write gets a retained derived buffer of it
        first.release(); // the socket wrote it
        assertThat(frame.refCnt()).as("the batch still holds its frame, for a resend").isEqualTo(1);
        s.disconnected(ch);
        EmbeddedChannel again = new EmbeddedChannel();
        s.connected(again);
        s.initOk(again, new InitOkFrame(1 << 20, 1 << 20, 8));
        again.runPendingTasks();
        ByteBuf resent = again.readOutbound();
        assertThat(ByteBufEquals.same(resent, frame)).as("byte for byte the same frame").isTrue();
        resent.release();
        s.ack(again, new AckFrame(0, 0, 1, 0, List.of(new AckFrame.OffsetRun(1, 5))));
        assertThat(a).isCompletedWithValue(5L);
        assertThat(frame.refCnt()).as("released once acknowledged").isZero();
    }

    @Test
    void aFullProducerThatMustNotBlockFailsTheSendAtOnce() {
        ProducerState s = open(config(1, 2, false, Duration.ZERO));
        assertThat(s.add(utf8("a"), (o, e) -> { })).isNull();
        assertThat(s.add(utf8("b"), (o, e) -> { })).isNull();
        assertThat(s.add(utf8("c"), (o, e) -> { })).hasMessage("2 messages in flight");
        frames().forEach(ByteBuf::release);
        s.ack(ch, new AckFrame(0, 0, 1, 0, List.of(new AckFrame.OffsetRun(1, 0))));
        assertThat(s.add(utf8("d"), (o, e) -> { })).as("an ack gives the batch's room back").isNull();
        frames().forEach(ByteBuf::release);
    }

    @Test
    void aBlockedSenderGoesOnWhenAnAckGivesRoomBackAndFailsWhenClosed() throws Exception {
        ProducerState s = open(config(1, 1, true, Duration.ofSeconds(30)));
        assertThat(s.add(utf8("a"), (o, e) -> { })).isNull();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread sender = new Thread(() -> outcome.set(String.valueOf(s.add(utf8("b"), (o, e) -> { }))));
        sender.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.getState() == Thread.State.TIMED_WAITING);
        assertThat(outcome.get()).isNull();
        frames().forEach(ByteBuf::release);
        s.ack(ch, new AckFrame(0, 0, 1, 0, List.of(new AckFrame.OffsetRun(1, 0))));
        sender.join(10_000);
        assertThat(outcome.get()).as("queued once the ack freed room").isEqualTo("null");

        Thread blocked = new Thread(() -> outcome.set(s.add(utf8("c"), (o, e) -> { }).getMessage()));
        blocked.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> blocked.getState() == Thread.State.TIMED_WAITING);
        s.close();
        blocked.join(10_000);
        assertThat(outcome.get()).isEqualTo("producer closed");
        frames().forEach(ByteBuf::release);
    }

    @Test
    void aSendOnAClientIoThreadNeverBlocksOnAFullProducer() throws Exception {
        ProducerState s = open(config(1, 1, true, Duration.ofSeconds(30)));
        s.add(utf8("a"), (o, e) -> { });
        long t0 = System.nanoTime();
        StreamException e = ClientLoops.group().next().submit(() -> s.add(utf8("b"), (o, x) -> { }))
                .get(10, TimeUnit.SECONDS);
        assertThat(e).hasMessage("1 messages in flight for 30000 ms");
        assertThat(System.nanoTime() - t0).as("it did not wait the 30 s").isLessThan(TimeUnit.SECONDS.toNanos(10));
        frames().forEach(ByteBuf::release);
    }

    @Test
    void flushWaitsForEveryEarlierMessageAlsoWhenALaterBatchIsRefusedFirst() throws Exception {
        ProducerState s = open(config(1, 100, true, Duration.ofSeconds(1)));
        AtomicInteger done = new AtomicInteger();
        s.add(utf8("a"), (o, e) -> done.incrementAndGet());
        s.add(utf8("b"), (o, e) -> done.incrementAndGet());
        CompletableFuture<Void> flushed = s.flush();
        frames().forEach(ByteBuf::release);
        s.error(ch, ErrorFrame.of(ErrorCode.LOG_FULL, 0, 1, 1, 0, "full")); // batch 1 refused before batch 0's ack
        assertThat(done).hasValue(1);
        assertThat(flushed).as("batch 0 is still in flight").isNotDone();
        s.ack(ch, new AckFrame(0, 0, 1, 0, List.of(new AckFrame.OffsetRun(1, 0))));
        assertThat(flushed).isCompleted();
        assertThat(s.flush()).as("nothing left").isCompleted();
    }

    /** Byte comparison of two frames, without moving their indexes. */
    private static final class ByteBufEquals {
        static boolean same(ByteBuf x, ByteBuf y) {
            return io.netty.buffer.ByteBufUtil.equals(x, x.readerIndex(), y, y.readerIndex(), x.readableBytes())
                    && x.readableBytes() == y.readableBytes();
        }
    }
}
