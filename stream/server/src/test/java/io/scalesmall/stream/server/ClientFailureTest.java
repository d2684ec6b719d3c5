package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamException;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.client.Subscription;
import io.scalesmall.stream.protocol.AckMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client under failure, through a {@link CuttingProxy}: back-pressure at the in-flight limit (fail at once, or
 * block then fail), the delivery timeout when acks never come, and a follow that survives cut connections.
 */
class ClientFailureTest {
    private MemoryMessageLog log;
    private StreamServer server;
    private CuttingProxy proxy;

    @BeforeEach
    void start() throws Exception {
        log = new MemoryMessageLog();
        server = StreamServer.start(log, StreamServerConfig.loopback());
        proxy = new CuttingProxy(server.address());
    }

    @AfterEach
    void stop() throws Exception {
        proxy.close();
        server.close();
        log.close();
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void failsWith(CompletableFuture<Long> f, String text) {
        assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class).havingCause()
                .isInstanceOf(StreamException.class).withMessageContaining(text);
    }

    @Test
    void theInFlightLimitFailsAtOnceOrAfterBlocking() throws Exception {
        try (StreamProducer fail = StreamProducer.create(ProducerConfig.of(proxy.address(), "bp")
                .withAck(AckMode.memory(1)).withMaxInFlight(10, false, Duration.ZERO))) {
            fail.send(utf8("warm")).get(10, TimeUnit.SECONDS);
            proxy.holdReplies(true); // no acks: nothing leaves the in-flight window
            List<CompletableFuture<Long>> ten = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                ten.add(fail.send(utf8("m" + i)));
            }
            failsWith(fail.send(utf8("one too many")), "10 messages in flight");
            assertThat(ten).allMatch(f -> !f.isDone());
            fail.close(Duration.ofMillis(10));
            assertThat(ten).as("closing fails what is pending").allMatch(CompletableFuture::isCompletedExceptionally);
        }
        proxy.holdReplies(false);
        try (StreamProducer block = StreamProducer.create(ProducerConfig.of(proxy.address(), "bp2")
                .withAck(AckMode.memory(1)).withMaxInFlight(5, true, Duration.ofMillis(200)))) {
            block.send(utf8("warm")).get(10, TimeUnit.SECONDS);
            proxy.holdReplies(true);
            for (int i = 0; i < 5; i++) {
                block.send(utf8("m" + i));
            }
            long t0 = System.nanoTime();
            failsWith(block.send(utf8("blocked")), "5 messages in flight for 200 ms");
            assertThat(System.nanoTime() - t0).as("send blocked first").isGreaterThanOrEqualTo(150_000_000L);
            block.close(Duration.ofMillis(10));
        }
    }

    @Test
    void messagesNotAcknowledgedInTimeFailWithAnUnknownOutcome() throws Exception {
        try (StreamProducer p = StreamProducer.create(ProducerConfig.of(proxy.address(), "late")
                .withAck(AckMode.memory(1)).withDeliveryTimeout(Duration.ofMillis(300)))) {
            p.send(utf8("warm")).get(10, TimeUnit.SECONDS);
            proxy.holdReplies(true);
            CompletableFuture<Long> late = p.send(utf8("late"));
            failsWith(late, "not acknowledged within 300 ms");
            proxy.holdReplies(false);
            assertThat(p.send(utf8("after")).get(10, TimeUnit.SECONDS)).as("the producer goes on")
                    .isGreaterThanOrEqualTo(1L);
        }
        assertThat(log.endOffset("late")).as("'late' was stored (outcome unknown to the client), once").isEqualTo(3);
    }

    @Test
    void aFollowSurvivesCutConnectionsAndMissesNothing() throws Exception {
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        try (StreamConsumer consumer = StreamConsumer.create(proxy.address());
                StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "f")
                        .withAck(AckMode.memory(1)));
                Subscription sub = consumer.follow("f", 0, (o, m) -> seen.add(o + "=" + new String(m,
                        StandardCharsets.UTF_8)))) {
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 100; i++) {
                    p.send(utf8("r" + round + "-" + i));
                }
                int expected = 100 * (round + 1);
                await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= expected);
                proxy.cutAll();
            }
            assertThat(sub.done()).isNotDone();
        }
        assertThat(seen).hasSize(300);
        for (int i = 0; i < 300; i++) {
            assertThat(seen.get(i)).isEqualTo(i + "=r" + i / 100 + "-" + i % 100);
        }
    }
}
