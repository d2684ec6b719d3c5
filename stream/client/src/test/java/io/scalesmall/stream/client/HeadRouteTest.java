package io.scalesmall.stream.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The producer's search for the head: redirects followed at once, loops (cycles, too many hops) retried and then
 * given up, the last head retried for the failover timeout before the other nodes are tried, passes over the
 * candidates backed off. Time is a parameter: no clock, no network.
 */
class HeadRouteTest {
    private static final long MS = 1_000_000L;
    private static final InetSocketAddress A = addr(1);
    private static final InetSocketAddress B = addr(2);
    private static final InetSocketAddress C = addr(3);
    private static final InetSocketAddress H = addr(4);

    private static InetSocketAddress addr(int port) {
        return new InetSocketAddress("127.0.0.1", 1000 + port);
    }

    /** Bootstrap A, B; 2 redirects per round; failover after 1000 ms; backoff from 50 ms. */
    private static HeadRoute route() {
        return new HeadRoute(List.of(A, B), 2, 1000 * MS, 50 * MS);
    }

    @Test
    void followsARedirectAtOnceAndRemembersTheHead() {
        HeadRoute r = route();
        assertThat(r.target()).isEqualTo(A);
        assertThat(r.redirected(H, 0)).isNull();
        assertThat(r.target()).as("still connected to A until it closes").isEqualTo(A);
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(H, 0));
        assertThat(r.target()).isEqualTo(H);
        r.sessionOpened();
        assertThat(r.lastHead()).isEqualTo(H);
        assertThat(r.candidates()).containsExactly(A, B, H);
    }

    @Test
    void aCycleIsRetriedWithBackoffThenGivenUpAfterTheFailoverTimeout() {
        HeadRoute r = route();
        assertThat(r.redirected(B, 0)).isNull();
        assertThat(r.closed(0).address()).isEqualTo(B);
        assertThat(r.redirected(A, 0)).as("B names A, which named B: a loop, retried").isNull();
        assertThat(r.lastLoop()).contains("127.0.0.1:1001 -> 127.0.0.1:1002 -> 127.0.0.1:1001").contains("cycle");
        HeadRoute.Next next = r.closed(0);
        assertThat(next.address()).as("the next candidate after A").isEqualTo(B);
        assertThat(next.delayNanos()).isEqualTo(50 * MS);
        // Round two, 50 ms later: B names A, A names B again.
        assertThat(r.redirected(A, 50 * MS)).isNull();
        assertThat(r.closed(50 * MS).address()).isEqualTo(A);
        assertThat(r.redirected(B, 50 * MS)).isNull();
        assertThat(r.closed(50 * MS).delayNanos()).as("the loop backoff doubles").isEqualTo(100 * MS);
        // Loops still going on a failover timeout after the first one: give up.
        assertThat(r.redirected(B, 1000 * MS)).isNull(); // round three: A names B, not a loop yet
        r.closed(1000 * MS);
        String giveUp = r.redirected(A, 1000 * MS);
        assertThat(giveUp).startsWith("no head found: ").contains("cycle").contains("1000 ms");
    }

    @Test
    void moreThanMaxRedirectsInOneRoundIsALoop() {
        HeadRoute r = new HeadRoute(List.of(A, B), 1, 0, 50 * MS); // failover 0: the first loop gives up
        assertThat(r.redirected(C, 0)).isNull();
        r.closed(0);
        String giveUp = r.redirected(H, 0);
        assertThat(giveUp).contains("more than 1 redirects")
                .contains("127.0.0.1:1001 -> 127.0.0.1:1003 -> 127.0.0.1:1004");
    }

    @Test
    void zeroRedirectsNeverFollowsOne() {
        HeadRoute r = new HeadRoute(List.of(A), 0, 0, 50 * MS);
        assertThat(r.redirected(B, 0)).contains("more than 0 redirects");
    }

    @Test
    void aSelfRedirectIsACycle() {
        HeadRoute r = route();
        assertThat(r.redirected(A, 0)).isNull();
        assertThat(r.lastLoop()).contains("cycle");
    }

    @Test
    void theLastHeadIsRetriedForTheFailoverTimeoutThenTheOthersAreTried() {
        HeadRoute r = route();
        r.redirected(H, 0);
        r.closed(0);
        r.sessionOpened(); // H is the head; candidates A, B, H
        long t = 10_000 * MS;
        assertThat(r.closed(t)).isEqualTo(new HeadRoute.Next(H, 50 * MS));
        assertThat(r.closed(t + 60 * MS)).isEqualTo(new HeadRoute.Next(H, 100 * MS));
        assertThat(r.closed(t + 200 * MS)).isEqualTo(new HeadRoute.Next(H, 200 * MS));
        assertThat(r.failovers()).isZero();
        HeadRoute.Next next = r.closed(t + 1000 * MS);
        assertThat(next).as("failover: the candidate after H, wrapping").isEqualTo(new HeadRoute.Next(A, 0));
        assertThat(r.failovers()).isOne();
        assertThat(r.closed(t + 1001 * MS)).as("A refused: B at once").isEqualTo(new HeadRoute.Next(B, 0));
        assertThat(r.closed(t + 1002 * MS)).as("a whole pass failed: H again after the backoff")
                .isEqualTo(new HeadRoute.Next(H, 50 * MS));
        assertThat(r.closed(t + 1100 * MS)).as("H is not retried alone any more").isEqualTo(new HeadRoute.Next(A, 0));
        assertThat(r.failovers()).as("one failover, however often H fails in the rotation").isOne();
        // B answers NOT_HEAD naming C, which accepts: the new head.
        r.closed(t + 1101 * MS);
        assertThat(r.target()).isEqualTo(B);
        assertThat(r.redirected(C, t + 1102 * MS)).isNull();
        assertThat(r.closed(t + 1102 * MS)).isEqualTo(new HeadRoute.Next(C, 0));
        r.sessionOpened();
        assertThat(r.candidates()).containsExactly(A, B, C);
        assertThat(r.closed(t + 5000 * MS)).as("the new head gets its own grace")
                .isEqualTo(new HeadRoute.Next(C, 50 * MS));
    }

    @Test
    void beforeAnySessionEveryBootstrapNodeIsTriedInTurn() {
        HeadRoute r = new HeadRoute(List.of(A, B, C), 5, 1000 * MS, 50 * MS);
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(B, 0));
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(C, 0));
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(A, 50 * MS));
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(B, 0));
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(C, 0));
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(A, 100 * MS));
    }

    @Test
    void backoffStopsDoublingAtTwoSeconds() {
        HeadRoute r = new HeadRoute(List.of(A), 5, 1000 * MS, 50 * MS);
        long last = 0;
        for (int i = 0; i < 40; i++) {
            last = r.closed(0).delayNanos();
        }
        assertThat(last).isEqualTo(HeadRoute.MAX_BACKOFF_NANOS);
    }

    @Test
    void aHeadShuttingDownIsLeftAtOnce() {
        HeadRoute r = route();
        r.sessionOpened(); // A is the head
        r.leaving();
        assertThat(r.closed(0)).isEqualTo(new HeadRoute.Next(B, 0));
        assertThat(r.failovers()).isOne();
    }

    @Test
    void aRedirectToAnUnreachableHeadMovesOnToTheNextCandidate() {
        HeadRoute r = route();
        r.redirected(H, 0);
        r.closed(0); // to H
        assertThat(r.closed(1)).as("H refused: not a head of ours, no grace").isEqualTo(new HeadRoute.Next(B, 0));
    }
}
