package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DATA path reads its messages in place from the frame buffer ({@code FrameDecoder.decodeInPlace}); this checks
 * with Netty's leak detector at PARANOID (every buffer tracked) that every frame buffer is still released exactly
 * once on each way through the head: appended and acknowledged, refused (message too large), malformed (the
 * connection closes), cut off mid-frame by the client, and left in the backlog of a connection that closes. The
 * detector is first shown to work: a buffer leaked on purpose must be reported. Loopback only.
 */
class BufferLeakTest {
    @TempDir
    Path dir;

    /** Collects garbage and allocates until the detector has reported what was leaked (or a bound is hit). */
    private static List<String> leaksAfterGc(int expectAtLeast) {
        for (int round = 0; round < 20 && LeakLog.reports().size() < expectAtLeast; round++) {
            System.gc();
            for (int i = 0; i < 200; i++) { // the detector reports from allocations that follow the collection
                PooledByteBufAllocator.DEFAULT.buffer(64).release();
            }
        }
        return LeakLog.reports();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.buffer(16);
        leaked.writeInt(1);
    }

    @Test
    void everyFrameBufferIsReleasedOnceOnEveryPath() throws Exception {
        ResourceLeakDetector.Level before = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        try {
            leaksAfterGc(0); // reports of earlier tests in this JVM, if any, are theirs: printed, then cleared
            LeakLog.clear();
            leakOne();
            assertThat(leaksAfterGc(1)).as("the detector is on and reports a leak").isNotEmpty();
            LeakLog.clear();

            try (MessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT);
                    StreamServer server = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(2))) {
                traffic(server);
            }
            assertThat(leaksAfterGc(Integer.MAX_VALUE)).as("no buffer leaked").isEmpty();
        } finally {
            ResourceLeakDetector.setLevel(before);
        }
    }

    private static void traffic(StreamServer server) throws Exception {
        // appended and acknowledged (memory and disk), through the client library
        for (AckMode ack : List.of(AckMode.memory(1), AckMode.disk(1))) {
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "s-" + ack.level())
                    .withAck(ack))) {
                List<CompletableFuture<Long>> acked = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    acked.add(p.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
                }
                for (CompletableFuture<Long> f : acked) {
                    assertThat(f.get(30, TimeUnit.SECONDS)).isNotNegative();
                }
            }
        }
        InitFrame init = new InitFrame(7, AckMode.memory(1), 1, 0, "raw", List.of());
        // refused batch (too large), then a good one, on one connection
        try (RawConnection c = new RawConnection(server.address())) {
            c.send(init);
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            c.send(new DataFrame(0, List.of(new byte[MessageLog.MAX_MESSAGE_BYTES + 1])));
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE));
            c.send(new DataFrame(0, List.of("ok".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOf(AckFrame.class);
        }
        // malformed DATA (a count larger than the messages present): closes the connection
        try (RawConnection c = new RawConnection(server.address())) {
            c.send(init);
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            byte[] data = encode(new DataFrame(1, List.of("x".getBytes(StandardCharsets.UTF_8))));
            data[FrameCodec.HEADER_BYTES + 8 + 3] = 2; // count 2, one message
            c.sendBytes(data);
            Frame f = c.read();
            assertThat(f).isInstanceOfSatisfying(ErrorFrame.class,
                    e -> assertThat(e.errorCode()).isEqualTo(ErrorCode.MALFORMED));
            assertThat(c.closedByNode()).isTrue();
        }
        // cut off mid-frame, and many frames then a close before they are answered (some wait in the backlog)
        try (RawConnection c = new RawConnection(server.address())) {
            c.send(init);
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            byte[] data = encode(new DataFrame(2, List.of(new byte[5000])));
            c.sendBytes(Arrays.copyOf(data, data.length / 2));
        }
        try (RawConnection c = new RawConnection(server.address())) {
            c.send(init);
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            ByteBuf many = Unpooled.buffer();
            for (int i = 0; i < 200; i++) {
                FrameCodec.encode(new DataFrame(3 + i, List.of(new byte[100])), many);
            }
            c.sendBytes(ByteBufUtil.getBytes(many));
        } catch (SocketException resetByTheNode) {
            // closing with unread acks may reset: the point is the close
        }
    }

    private static byte[] encode(Frame f) {
        ByteBuf b = Unpooled.buffer();
        FrameCodec.encode(f, b);
        return ByteBufUtil.getBytes(b);
    }
}
