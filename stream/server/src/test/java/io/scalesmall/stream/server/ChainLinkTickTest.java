package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A chain link's periodic tick survives an exception: a scheduled task that throws is never run again, and a middle
 * member whose tick had died never re-formed its link when the chain's tail changed (the new tail got nothing).
 */
class ChainLinkTickTest {
    private static List<CompletableFuture<Long>> send(StreamProducer p, int from, int n) {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            acks.add(p.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        return acks;
    }

    @Test
    void aMiddleMemberWhoseTickFailedStillReFormsItsLinkWhenTheTailChanges() throws Exception {
        String s = "ticks";
        try (ChainCluster c = new ChainCluster(4, i -> new MemoryMessageLog())) {
            c.chain(0, 1, 2);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(0), s)
                    .withAck(AckMode.memory(2)))) {
                for (CompletableFuture<Long> f : send(p, 0, 100)) {
                    f.get(30, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> c.end(2, s) == 100);
                c.failTicks(1, 1); // the middle's link: its next tick meets a failing resolver
                await().atMost(Duration.ofSeconds(10)).until(() -> c.tickFaultsLeft(1) == 0);
                c.chain(0, 1, 3); // the tail is replaced, as when a node joins
                for (CompletableFuture<Long> f : send(p, 100, 100)) {
                    f.get(30, TimeUnit.SECONDS);
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> c.end(3, s) == 200);
                assertThat(c.read(3, s)).containsExactlyElementsOf(c.read(0, s));
            }
        }
    }
}
