package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** {@link StreamProducer#completionNanos}: one clock reading per ACK, between the sends and the callbacks. */
class CompletionNanosTest {
    @Test
    void theMessagesOfOneAckShareOneReadingTakenAfterTheirSends() throws Exception {
        int n = 1000;
        try (MemoryMessageLog log = new MemoryMessageLog();
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback());
                StreamProducer producer = StreamProducer.create(ProducerConfig.of(server.address(), "timed")
                        .withAck(AckMode.memory(1)).withBatchBytes(1 << 20).withLinger(Duration.ofSeconds(10)))) {
            Set<Long> readings = new HashSet<>();
            AtomicBoolean ordered = new AtomicBoolean(true);
            CountDownLatch done = new CountDownLatch(n);
            long sent = System.nanoTime();
            for (int i = 0; i < n; i++) {
                producer.send(new byte[20], (offset, error) -> {
                    long at = StreamProducer.completionNanos();
                    long now = System.nanoTime();
                    synchronized (readings) {
                        readings.add(at);
                    }
                    if (error != null || at < sent || at > now) {
                        ordered.set(false);
                    }
                    done.countDown();
                });
            }
            long lastSend = System.nanoTime();
            producer.flush(); // one batch, one ACK
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(ordered).as("sent <= completionNanos <= the callback's own clock, no error").isTrue();
            assertThat(readings).hasSize(1);
            assertThat(readings.iterator().next()).isGreaterThanOrEqualTo(lastSend);
        }
        long before = System.nanoTime();
        long outside = StreamProducer.completionNanos();
        assertThat(outside).as("outside a callback: the clock").isBetween(before, System.nanoTime());
    }
}
