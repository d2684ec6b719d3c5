package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.buffer.ByteBufUtil;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import java.io.IOException;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Malformed and hostile input closes that connection only, with an ERROR frame first where one can be sent, and is
 * counted; a producer and a consumer on other connections carry on throughout. Non-fatal errors (a bad stream
 * name in a FETCH, a message too large) fail their request or batch and leave the connection open. Loopback only.
 */
class HostileInputTest {
    private MessageLog log;
    private StreamServer server;

    @BeforeEach
    void start() throws IOException {
        log = new MemoryMessageLog();
        server = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(2));
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
        log.close();
    }

    private static byte[] hex(String h) {
        return ByteBufUtil.decodeHexDump(h.replace(" ", ""));
    }

    /** Sends {@code bytes} on a fresh connection; expects an ERROR with {@code code}, then the close. */
    private void expectClose(byte[] bytes, ErrorCode code, Frame... before) throws Exception {
        try (RawConnection c = new RawConnection(server.address())) {
            for (Frame f : before) {
                c.send(f);
                assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            }
            c.sendBytes(bytes);
            Frame f = c.read();
            assertThat(f).isInstanceOfSatisfying(ErrorFrame.class, e -> assertThat(e.errorCode()).isEqualTo(code));
            assertThat(c.closedByNode()).as("closed after %s", code).isTrue();
        }
    }

    @Test
    void eachKindOfBadInputClosesItsConnectionWithTheRightCode() throws Exception {
        InitFrame init = new InitFrame(7, AckMode.memory(1), 1, 0, "h", List.of());
        expectClose(hex("02 07 00000006 00000003 01 73"), ErrorCode.UNSUPPORTED_VERSION);
        expectClose(hex("01 07 7fffffff"), ErrorCode.FRAME_TOO_LARGE);
        expectClose(hex("01 63 00000000"), ErrorCode.UNKNOWN_TYPE);
        expectClose(hex("01 04 0000001c 0000000000000001 00000000 01 01 0001 00000001 0000000000000064"),
                ErrorCode.UNKNOWN_TYPE); // an ACK sent to a node
        expectClose(hex("01 07 00000007 00000003 01 73 00"), ErrorCode.MALFORMED);
        expectClose(hex("01 03 00000012 0000000000000000 00000001 00000002 6869"), ErrorCode.NOT_INITIALIZED);
        byte[] second = hex("01 01 0000000f 0000000000000007 01 01 01 00 01 68 00");
        expectClose(second, ErrorCode.NOT_INITIALIZED, init);
        assertThat(server.stats().hostileCloses.sum()).isEqualTo(7);
        assertThat(server.stats().errors(ErrorCode.NOT_INITIALIZED)).isEqualTo(2);
    }

    @Test
    void nonFatalErrorsLeaveTheConnectionOpen() throws Exception {
        try (RawConnection c = new RawConnection(server.address())) {
            c.sendBytes(hex("01 07 00000006 00000009 01 ff")); // OFFSETS with a name that is not UTF-8
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.BAD_STREAM_NAME);
                assertThat(e.requestId()).isEqualTo(9);
            });
            c.send(new FetchFrame(10, "nothing", 5, 10, 100, 0));
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.OFFSET_OUT_OF_RANGE);
                assertThat(e.requestId()).isEqualTo(10);
            });
            c.send(new InitFrame(7, AckMode.memory(1), 1, 0, "h", List.of()));
            assertThat(c.read()).isInstanceOf(InitOkFrame.class);
            c.send(new DataFrame(0, List.of(new byte[MessageLog.MAX_MESSAGE_BYTES + 1])));
            assertThat(c.read()).isInstanceOfSatisfying(ErrorFrame.class, e -> {
                assertThat(e.errorCode()).isEqualTo(ErrorCode.MESSAGE_TOO_LARGE);
                assertThat(e.firstSequence()).isZero();
                assertThat(e.count()).isEqualTo(1);
            });
            c.send(new DataFrame(1, List.of("ok".getBytes(StandardCharsets.UTF_8))));
            assertThat(c.read()).isInstanceOfSatisfying(AckFrame.class, a -> {
                assertThat(a.lastSequence()).isEqualTo(1);
                assertThat(a.delivered()).isEqualTo(1);
                assertThat(a.processed()).isZero();
                assertThat(a.runs()).containsExactly(new AckFrame.OffsetRun(1, 0));
            });
            c.send(new OffsetsFrame(11, "h"));
            assertThat(c.read()).isEqualTo(new OffsetsReplyFrame(11, 0, 1));
        }
        assertThat(server.stats().hostileCloses.sum()).isZero();
    }

    @Test
    void randomGarbageNeverStopsTheNodeOrOtherSessions() throws Exception {
        long seed = new SecureRandom().nextLong();
        Random rng = new Random(seed);
        System.out.println("HostileInputTest seed=" + seed);
        List<CompletableFuture<Long>> acked = new ArrayList<>();
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "good")
                .withAck(AckMode.disk(1)));
                StreamConsumer consumer = StreamConsumer.create(server.address())) {
            int attacks = 200;
            for (int i = 0; i < attacks; i++) {
                acked.add(p.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
                byte[] junk = new byte[1 + rng.nextInt(3000)];
                rng.nextBytes(junk);
                if (rng.nextBoolean()) {
                    junk[0] = 1; // pass the version check now and then
                }
                try (RawConnection c = new RawConnection(server.address())) {
                    c.sendBytes(junk);
                } catch (SocketException resetByTheNode) {
                    // the node may drop the connection mid-write: that is the point
                }
            }
            for (CompletableFuture<Long> f : acked) {
                assertThat(f.get(30, TimeUnit.SECONDS)).isNotNegative();
            }
            assertThat(consumer.offsets("good").get(10, TimeUnit.SECONDS).end()).as("seed %d", seed).isEqualTo(attacks);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(server.stats().hostileCloses.sum()).as("seed %d: garbage counted", seed).isPositive());
            assertThat(server.connections()).as("seed %d: only the good sessions remain", seed).isLessThanOrEqualTo(2 + 1);
        }
    }
}
