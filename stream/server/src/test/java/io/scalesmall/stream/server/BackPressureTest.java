package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.MessagesFrame;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A client that asks for much more than it reads: the node stops reading it once its replies pile up (instead of
 * buffering them all), and answers everything, in order, once the client reads.
 */
class BackPressureTest {
    @Test
    void aClientNotReadingItsRepliesIsPausedThenServedInFull() throws Exception {
        try (MemoryMessageLog log = new MemoryMessageLog();
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback())) {
            byte[] kb = new byte[1024];
            new Random(7).nextBytes(kb);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(server.address(), "big")
                    .withAck(AckMode.memory(1)))) {
                for (int i = 0; i < 1024; i++) {
                    p.send(kb);
                }
                p.flush().get(30, TimeUnit.SECONDS);
            }
            int requests = 200; // ~1 MiB each: 200 MiB of replies if the node buffered them all
            try (RawConnection c = new RawConnection(server.address())) {
                for (int i = 1; i <= requests; i++) {
                    c.send(new FetchFrame(i, "big", 0, 1024, 1 << 20, 0));
                }
                await().atMost(Duration.ofSeconds(20)).until(() -> server.stats().readPauses.sum() > 0);
                assertThat(server.stats().fetches.sum()).as("requests held back while replies wait")
                        .isLessThan(requests);
                for (int i = 1; i <= requests; i++) {
                    Frame f = c.read();
                    assertThat(f).isInstanceOf(MessagesFrame.class);
                    assertThat(((MessagesFrame) f).requestId()).isEqualTo(i);
                    assertThat(((MessagesFrame) f).messages()).hasSize(1024);
                }
            }
            assertThat(server.stats().fetches.sum()).isEqualTo(requests);
        }
    }
}
