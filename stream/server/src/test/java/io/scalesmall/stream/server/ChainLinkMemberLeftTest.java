package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import io.scalesmall.stream.protocol.AckMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A middle member whose view replaces its successor ships the stream to the new one, whether its link is still open
 * (a link whose member left the chain does not close on that member's copy once its users are gone) or closed
 * already (its re-replication hands the stream on). MembershipChangeClusterTest's join case stalled so (1 run in
 * about 70): a middle member's view replaced the tail between two of its link's ticks, the producer stopped
 * meanwhile, the head's link closed (the middle reported two copies: its own and the old tail's), and at the middle's
 * next tick its link, now unused, closed on the old tail's copy -- nothing ever shipped the stream to the new tail.
 */
class ChainLinkMemberLeftTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void anUnusedLinkWhoseMemberLeftTheChainShipsToItsSuccessorInsteadOfClosing() throws Exception {
        String s = "left";
        try (ChainCluster c = new ChainCluster(4, i -> new MemoryMessageLog())) {
            c.chain(0, 1, 2);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(0), s)
                    .withAck(AckMode.disk(3)))) {
                ChainContract.sendAll(p, new ArrayList<>(), "m", 100);
                assertThat(c.end(2, s)).isEqualTo(100);
                // The middle's link ticks no more for now (each tick fails at its first look at the chain): the
                // stretch between two ticks of the real run, stretched until the producer is gone.
                c.failTicks(1, Integer.MAX_VALUE);
                c.chain(0, 1, 3); // node 3 joins in the old tail's place
            }
            // The head's link closes: its member (the middle) reports two copies, the old tail's among them.
            await().atMost(WAIT).until(() -> c.servers.get(0).chainLinks() == 0);
            // The middle's replication session ended with it: its link has no user any more.
            ServerStats middle = c.servers.get(1).stats();
            await().atMost(WAIT).until(() -> middle.connectionsOpened.sum() == middle.connectionsClosed.sum());
            assertThat(c.servers.get(1).chainLinks()).isEqualTo(1);
            assertThat(c.end(3, s)).isZero();
            c.failTicks(1, 0); // the middle's next tick sees the new chain with an unused link
            await().alias("the new tail gets the stream from the middle").atMost(WAIT)
                    .until(() -> c.end(3, s) == 100);
            assertThat(c.read(3, s)).containsExactlyElementsOf(c.read(0, s));
            await().atMost(WAIT).until(() -> c.servers.get(1).chainLinks() == 0); // and then it closes
        }
    }

    /**
     * The idle form: the head re-replicates while the middle's view still has the old tail (the middle's link ships
     * there, the head counts that copy and is done), and the middle's view replaces the tail only after every link
     * closed. The middle's re-replication (what its node's driver calls when its view changes) then ships the
     * stream to the new tail itself: asking the head for offsets made the head do nothing, its chain being complete
     * by its count.
     */
    @Test
    void aMiddleMemberWhoseViewChangesAfterItsLinkClosedHandsTheStreamToItsNewSuccessor() throws Exception {
        String s = "idle";
        try (ChainCluster c = new ChainCluster(4, i -> new MemoryMessageLog())) {
            c.chain(0, 1, 2);
            try (StreamProducer p = StreamProducer.create(ProducerConfig.of(c.address(0), s)
                    .withAck(AckMode.disk(3)))) {
                ChainContract.sendAll(p, new ArrayList<>(), "m", 100);
            }
            await().atMost(WAIT).until(() -> c.servers.get(0).chainLinks() + c.servers.get(1).chainLinks() == 0);
            c.chain(0, 1, 3); // node 3 joins in the old tail's place ...
            c.view(1, 0, 1, 2); // ... but the middle does not know yet
            c.servers.get(0).ensureReplicated(s).get(30, TimeUnit.SECONDS); // the head's re-replication
            await().atMost(WAIT).until(() -> c.servers.get(0).chainLinks() + c.servers.get(1).chainLinks() == 0);
            assertThat(c.end(3, s)).isZero();
            c.chain(0, 1, 3); // the middle's view catches up
            assertThat(c.servers.get(1).ensureReplicated(s).get(30, TimeUnit.SECONDS)).isFalse(); // not the head
            await().alias("the new tail gets the stream from the middle").atMost(WAIT)
                    .until(() -> c.end(3, s) == 100);
            assertThat(c.read(3, s)).containsExactlyElementsOf(c.read(0, s));
            await().atMost(WAIT).until(() -> c.servers.get(1).chainLinks() == 0);
        }
    }
}
