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
 * A head demoted while its producer waits for copies, and whose chain link then loses its member: the link may not
 * connect again (only head sessions use it, and this node heads the stream no more), so the waiting batches get no
 * copies here. The producer has sent everything already -- no DATA of its own would meet a NOT_HEAD -- so the
 * session must tell it: it goes to the new head, resends, and gets its messages acknowledged at their offsets.
 * Before, it waited until its delivery timeout (MembershipChangeClusterTest's silent stall when a node joined).
 */
class DemotedHeadTest {
    private static List<CompletableFuture<Long>> send(StreamProducer p, int from, int n) {
        List<CompletableFuture<Long>> acks = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            acks.add(p.send(("m" + i).getBytes(StandardCharsets.UTF_8)));
        }
        p.flush();
        return acks;
    }

    @Test
    void aDemotedHeadWhoseLinkLostItsMemberSendsItsWaitingProducerToTheNewHead() throws Exception {
        String s = "demoted";
        try (ChainCluster c = new ChainCluster(3, i -> new MemoryMessageLog());
                CuttingProxy toMiddle = new CuttingProxy(c.address(1))) {
            // Node 0 reaches node 1 through the proxy (to lose its acks and then the connection); the others directly.
            c.chainOf(List.of(c.members.get(0), new ChainResolver.Member(c.members.get(1).id(), toMiddle.address()),
                    c.members.get(2)));
            // A delivery timeout far beyond the waits below: the messages must be acknowledged, not expire.
            StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(0), s)
                    .withAck(AckMode.disk(2)).withDeliveryTimeout(Duration.ofMinutes(5)));
            try {
                for (CompletableFuture<Long> f : send(p, 0, 10)) {
                    f.get(30, TimeUnit.SECONDS);
                }
                toMiddle.holdReplies(true); // node 1 stores what comes, but node 0 hears nothing back
                List<CompletableFuture<Long>> waiting = send(p, 10, 10);
                await().atMost(Duration.ofSeconds(30)).until(() -> c.end(1, s) == 20);
                assertThat(waiting).noneMatch(CompletableFuture::isDone);

                c.chain(1, 0, 2); // node 1 heads the stream now; the producer has nothing more to send
                toMiddle.cutAll(); // node 0's link loses its member and, demoted, may not connect again
                for (int i = 0; i < waiting.size(); i++) {
                    assertThat(waiting.get(i).get(20, TimeUnit.SECONDS)).as("message %d", 10 + i).isEqualTo(10 + i);
                }
                assertThat(p.redirects()).as("NOT_HEAD redirects").isPositive();
                assertThat(c.end(1, s)).as("stored once at the new head").isEqualTo(20);
                assertThat(c.read(1, s)).containsExactlyElementsOf(c.read(0, s));
            } finally {
                p.close(Duration.ZERO); // what is still pending fails at once
            }
        }
    }
}
