package io.scalesmall.stream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalServerChannel;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.FrameSplitter;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.ProtocolException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The producer's protocol logic, with the interleavings that are races on real threads staged every time: an
 * {@link EmbeddedChannel} (its loop runs queued tasks only when told), or a real loop held by a latch.
 */
class ProducerStateTest {
    private final EmbeddedChannel ch = new EmbeddedChannel();
    /** batchBytes 1: every message is sealed as its own batch at once. */
    private final ProducerState state = new ProducerState(ProducerConfig.of(new InetSocketAddress("127.0.0.1", 9), "s")
            .withAck(AckMode.memory(1)).withBatchBytes(1), ch.eventLoop(), new AtomicLong());

    private CompletableFuture<Long> send(String m) {
        CompletableFuture<Long> f = new CompletableFuture<>();
        assertThat(state.add(m.getBytes(StandardCharsets.UTF_8), into(f))).isNull();
        return f;
    }

    /** A callback completing {@code f}. */
    static SendCallback into(CompletableFuture<Long> f) {
        return (offset, error) -> {
            if (error == null) {
                f.complete(offset);
            } else {
                f.completeExceptionally(error);
            }
        };
    }

    /** The sequences of the DATA frames written so far, in the order they left. */
    private List<Long> written() throws ProtocolException {
        ch.runPendingTasks();
        List<Long> out = new ArrayList<>();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.add(((DataFrame) FrameDecoder.decode(b, FrameCodec.HARD_MAX_FRAME_BYTES)).firstSequence());
            b.release();
        }
        return out;
    }

    private static AckFrame ack(long seq, long offset) {
        return new AckFrame(seq, 0, 1, 0, List.of(new AckFrame.OffsetRun(1, offset)));
    }

    @Test
    void aSendSealsTheOpenBatchOnceItsLingerRanOutWithoutWaitingForTheTimer() throws ProtocolException {
        // The loop's linger timer never fires here (10 s on an EmbeddedChannel); the clock is stepped by hand.
        long[] now = {1_000_000_000L};
        Duration linger = Duration.ofMillis(10_000);
        EmbeddedChannel c = new EmbeddedChannel();
        ProducerState s = new ProducerState(ProducerConfig.of(new InetSocketAddress("127.0.0.1", 9), "s")
                .withAck(AckMode.memory(1)).withBatchBytes(1 << 20).withLinger(linger),
                c.eventLoop(), new AtomicLong(), () -> now[0]);
        s.connected(c);
        s.initOk(c, new InitOkFrame(2 << 20, 1 << 20, 8));
        int every = ProducerState.LINGER_CHECK_EVERY;
        for (int i = 0; i < 3 * every; i++) {
            assertThat(s.add(utf8("m" + i), into(new CompletableFuture<>()))).isNull();
        }
        assertThat(sizesWritten(c)).as("within its linger the batch stays open").isEmpty();
        now[0] += linger.toNanos() - 1;
        for (int i = 0; i < every; i++) {
            s.add(utf8("n" + i), into(new CompletableFuture<>()));
        }
        assertThat(sizesWritten(c)).as("one nanosecond short of the linger").isEmpty();
        now[0] += 1;
        for (int i = 0; i < every; i++) {
            s.add(utf8("o" + i), into(new CompletableFuture<>()));
        }
        // The first check after the linger ran out seals the 4 * every messages added before it; the rest open the
        // next batch, whose own linger starts now.
        assertThat(sizesWritten(c)).containsExactly(4 * every);
        now[0] += linger.toNanos() / 2;
        for (int i = 0; i < 2 * every; i++) {
            s.add(utf8("p" + i), into(new CompletableFuture<>()));
        }
        assertThat(sizesWritten(c)).as("the second batch's linger counts from its own first message").isEmpty();
    }

    /** The message counts of the DATA frames written on {@code c} so far, in order. */
    private static List<Integer> sizesWritten(EmbeddedChannel c) throws ProtocolException {
        c.runPendingTasks();
        List<Integer> out = new ArrayList<>();
        for (ByteBuf b; (b = c.readOutbound()) != null; ) {
            if (FrameDecoder.decode(b, FrameCodec.HARD_MAX_FRAME_BYTES) instanceof DataFrame d) {
                out.add(d.messages().size());
            }
            b.release();
        }
        return out;
    }

    @Test
    void aWriteFreedByAnAckNeverOvertakesOneAlreadyQueued() throws Exception {
        // A real loop and an in-JVM channel pair: the ack is handled on the loop while the write of "b", queued by
        // this thread, still waits behind it; the write of "c" the ack frees must not go first.
        DefaultEventLoopGroup group = new DefaultEventLoopGroup(1);
        List<Long> received = new CopyOnWriteArrayList<>();
        LocalAddress address = new LocalAddress("producer-state-test");
        Channel server = new ServerBootstrap().group(group).channel(LocalServerChannel.class)
                .childHandler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel c) {
                        c.pipeline().addLast(new FrameSplitter(FrameCodec.HARD_MAX_FRAME_BYTES),
                                new ChannelInboundHandlerAdapter() {
                                    @Override
                                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                        ByteBuf b = (ByteBuf) msg;
                                        try {
                                            received.add(((DataFrame) FrameDecoder.decode(b,
                                                    FrameCodec.HARD_MAX_FRAME_BYTES)).firstSequence());
                                        } catch (ProtocolException e) {
                                            throw new AssertionError(e);
                                        } finally {
                                            b.release();
                                        }
                                    }
                                });
                    }
                }).bind(address).sync().channel();
        try {
            Channel client = new Bootstrap().group(group).channel(LocalChannel.class)
                    .handler(new ChannelInboundHandlerAdapter()).connect(address).sync().channel();
            ProducerState s = new ProducerState(ProducerConfig.of(new InetSocketAddress("127.0.0.1", 9), "s")
                    .withAck(AckMode.memory(1)).withBatchBytes(1), client.eventLoop(), new AtomicLong());
            s.connected(client);
            s.initOk(client, new InitOkFrame(1 << 20, 1 << 20, 2));
            CompletableFuture<Long> a = new CompletableFuture<>();
            s.add(utf8("a"), into(a));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);
            CountDownLatch hold = new CountDownLatch(1);
            client.eventLoop().execute(() -> {
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                s.ack(client, ack(0, 40)); // on the loop, ahead of the queued write of "b"
            });
            s.add(utf8("b"), into(new CompletableFuture<>())); // on the wire: its write queued behind the ack
            s.add(utf8("c"), into(new CompletableFuture<>())); // waits: two batches in flight
            hold.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);
            assertThat(received).as("frames leave in sequence order").containsExactly(0L, 1L, 2L);
            assertThat(a).isCompletedWithValue(40L);
            client.close().sync();
        } finally {
            server.close().sync();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aLostConnectionResendsTheSameBatchesInOrderWithinTheWindow() throws Exception {
        state.connected(ch);
        state.initOk(ch, new InitOkFrame(1 << 20, 1 << 20, 2));
        CompletableFuture<Long> a = send("a");
        CompletableFuture<Long> b = send("b");
        send("c");
        assertThat(written()).containsExactly(0L, 1L);
        assertThat(state.disconnected(ch)).isTrue();
        EmbeddedChannel again = new EmbeddedChannel();
        state.connected(again);
        state.initOk(again, new InitOkFrame(1 << 20, 1 << 20, 2));
        again.runPendingTasks();
        List<Long> resent = new ArrayList<>();
        for (ByteBuf f; (f = again.readOutbound()) != null; ) {
            resent.add(((DataFrame) FrameDecoder.decode(f, FrameCodec.HARD_MAX_FRAME_BYTES)).firstSequence());
            f.release();
        }
        assertThat(resent).as("the oldest unacknowledged batches, within the window").containsExactly(0L, 1L);
        state.ack(again, new AckFrame(1, 1, 1, 0, List.of(new AckFrame.OffsetRun(2, 7))));
        assertThat(a).isCompletedWithValue(7L);
        assertThat(b).isCompletedWithValue(8L);
    }

    @Test
    void aRefusedBatchFailsAloneAndAMismatchedAckClosesTheConnection() throws Exception {
        state.connected(ch);
        state.initOk(ch, new InitOkFrame(1 << 20, 1 << 20, 8));
        CompletableFuture<Long> a = send("a");
        CompletableFuture<Long> b = send("b");
        written();
        state.error(ch, ErrorFrame.of(ErrorCode.LOG_FULL, 0, 0, 1, 0, "full"));
        assertThat(a).isCompletedExceptionally();
        assertThat(b).isNotDone();
        state.ack(ch, ack(5, 1)); // not the oldest batch in flight (1)
        assertThat(ch.isOpen()).as("a mismatched ack closes the connection, to resend").isFalse();
        assertThat(b).isNotDone();
    }
}
