package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.stream.client.Fetched;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamConsumer;
import io.scalesmall.stream.client.StreamException;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose log reaches its disk budget: producers get LOG_FULL for what does not fit, every message acknowledged
 * before is still there and readable, reads keep working, and the log (reopened) holds exactly the acknowledged
 * messages.
 */
class LogFullTest {
    @Test
    void producersGetFullReadsGoOnNothingAcknowledgedIsLost(@TempDir Path dir) throws Exception {
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(16 << 10).withMaxDiskBytes(64 << 10)
                .withRetentionMillis(FileLogConfig.UNLIMITED);
        TreeMap<Long, String> acked = new TreeMap<>();
        // Incompressible enough that LZ4 cannot fit them all in the budget: 2,000 × 60 random base64 characters.
        Random rng = new Random(42);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            byte[] b = new byte[45];
            rng.nextBytes(b);
            texts.add(Base64.getEncoder().encodeToString(b));
        }
        int full = 0;
        try (FileMessageLog log = FileMessageLog.open(dir, config);
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback());
                StreamConsumer consumer = StreamConsumer.create(server.address())) {
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "f")
                    .withAck(AckMode.disk(1)).withBatchBytes(2_000))) {
                List<CompletableFuture<Long>> futures = new ArrayList<>();
                for (int i = 0; i < 2_000; i++) {
                    futures.add(p.send(texts.get(i).getBytes(StandardCharsets.UTF_8)));
                }
                p.flush().get(30, TimeUnit.SECONDS);
                for (int i = 0; i < futures.size(); i++) {
                    try {
                        acked.put(futures.get(i).get(), texts.get(i));
                    } catch (ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOfSatisfying(StreamException.class,
                                se -> assertThat(se.code()).isEqualTo(ErrorCode.LOG_FULL));
                        full++;
                    }
                }
            }
            assertThat(full).as("messages refused as full").isPositive();
            assertThat(acked).as("messages acknowledged before the log filled").isNotEmpty();
            assertThat(server.stats().errors(ErrorCode.LOG_FULL)).isPositive();
            // A new producer is refused too; reads keep working.
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "other"))) {
                byte[] noise = new byte[16_000];
                rng.nextBytes(noise);
                CompletableFuture<Long> f = p.send(noise);
                assertThat(f).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
                        .havingCause().isInstanceOfSatisfying(StreamException.class,
                                se -> assertThat(se.code()).isEqualTo(ErrorCode.LOG_FULL));
            }
            assertThat(readAll(consumer)).isEqualTo(acked);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, config);
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback());
                StreamConsumer consumer = StreamConsumer.create(server.address())) {
            assertThat(readAll(consumer)).as("after reopening").isEqualTo(acked);
        }
    }

    private static TreeMap<Long, String> readAll(StreamConsumer consumer) throws Exception {
        TreeMap<Long, String> out = new TreeMap<>();
        long at = 0;
        while (true) {
            Fetched f = consumer.fetch("f", at, 500, 1 << 20, Duration.ZERO).get(10, TimeUnit.SECONDS);
            if (f.messages().isEmpty()) {
                return out;
            }
            for (byte[] m : f.messages()) {
                out.put(at++, new String(m, StandardCharsets.UTF_8));
            }
        }
    }
}
