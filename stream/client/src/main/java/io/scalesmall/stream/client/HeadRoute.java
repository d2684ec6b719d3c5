package io.scalesmall.stream.client;

import io.scalesmall.stream.protocol.HostPort;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Where a producer connects: the head of its stream's chain, found from a bootstrap list by following
 * {@code NOT_HEAD} redirects (docs/wire-format.md §S6, code 14), and found again when the head fails (failover).
 * Pure logic without I/O or clocks: the producer reports each event with the time ({@link System#nanoTime} units) and
 * is told where to connect next and after what delay.
 *
 * <p>Rules:
 * <ul>
 * <li>The <em>candidates</em> are the bootstrap addresses in the order given, then the last head when it is not one
 *     of them. The first attempt goes to the first bootstrap address.</li>
 * <li>A <em>round</em> starts whenever the producer picks a candidate; it follows redirects: each {@code NOT_HEAD}
 *     naming {@code H} sends the producer to {@code H} at once. Naming a node that already answered
 *     {@code NOT_HEAD} in this round (a cycle), or more than {@code maxRedirects} redirects in one round, is a
 *     <em>loop</em>: the nodes disagree about the head (their topologies have not settled, or are wrong).</li>
 * <li>After a loop the next round starts at the next candidate, after the backoff (doubling per loop). Once loops
 *     have gone on for {@code failoverTimeout} without a session, the route gives up: the producer fails.</li>
 * <li>A session (INIT_OK) makes the node the <em>last head</em> and resets every counter.</li>
 * <li>A failure at the last head (connection lost, connect refused or timed out) retries it, with the backoff
 *     doubling from {@code backoff} to 2 s, until {@code failoverTimeout} has passed since its first failure; then
 *     the producer fails over: it goes round the candidates. A node that said it is shutting down is left at once.</li>
 * <li>A failure anywhere else (a bootstrap node, the target of a redirect) moves to the next candidate at once;
 *     after a whole pass over the candidates without a session, it waits the backoff first (doubling per pass).</li>
 * </ul>
 *
 * <p>Not thread-safe: the producer calls it from its event loop only.
 */
final class HeadRoute {
    /** The longest wait between attempts, ns. */
    static final long MAX_BACKOFF_NANOS = 2_000_000_000L;

    /** Where to connect next, and after how long (ns, &ge; 0). */
    record Next(InetSocketAddress address, long delayNanos) {
    }

    private final List<InetSocketAddress> bootstrap;
    private final int maxRedirects;
    private final long failoverNanos;
    private final long backoffNanos;

    private InetSocketAddress target;
    /** Where the last session opened; null before the first. */
    private InetSocketAddress lastHead;
    /** The candidate the current round started from. */
    private int index;
    /** The current round: its starting node, then each redirect's target. */
    private final List<InetSocketAddress> round = new ArrayList<>();
    /** What the producer does once the current connection is closed (a redirect or loop decided it); or null. */
    private Next planned;
    /** The target said it is shutting down: do not wait for it. */
    private boolean leaving;
    /** Since the last session (or start): */
    private long headDownSince = -1;
    /** The last head was given up on (counted once in {@link #failovers}). */
    private boolean failedOver;
    private int headFailures;
    private int candidatesTried;
    private int passes;
    private long loopingSince = -1;
    private int loops;
    private String lastLoop;
    private volatile long redirects;
    private volatile long failovers;

    /**
     * @param bootstrap      1.. addresses, no duplicates (checked by {@link ProducerConfig})
     * @param maxRedirects   redirects one round may follow, &ge; 0
     * @param failoverNanos  how long to retry the last head, and how long loops may go on, ns &ge; 0
     * @param backoffNanos   the first wait between attempts, ns &gt; 0
     */
    HeadRoute(List<InetSocketAddress> bootstrap, int maxRedirects, long failoverNanos, long backoffNanos) {
        this.bootstrap = List.copyOf(bootstrap);
        this.maxRedirects = maxRedirects;
        this.failoverNanos = failoverNanos;
        this.backoffNanos = backoffNanos;
        this.target = this.bootstrap.get(0);
        round.add(target);
    }

    /** @return where the producer connects (or is connected) now */
    InetSocketAddress target() {
        return target;
    }

    /** @return the node of the last session, or null before the first */
    InetSocketAddress lastHead() {
        return lastHead;
    }

    /** A session opened at {@link #target()}: it is the head. */
    void sessionOpened() {
        lastHead = target;
        List<InetSocketAddress> c = candidates();
        for (int i = 0; i < c.size(); i++) {
            if (HostPort.same(c.get(i), target)) {
                index = i;
            }
        }
        round.clear();
        round.add(target);
        planned = null;
        leaving = false;
        headDownSince = -1;
        failedOver = false;
        headFailures = 0;
        candidatesTried = 0;
        passes = 0;
        loopingSince = -1;
        loops = 0;
    }

    /**
     * {@link #target()} answered {@code NOT_HEAD} naming {@code head}. Unless the route gives up, the producer
     * closes the connection and {@link #closed} then says where to go.
     *
     * @return null to go on; else why the route gives up (loops for {@code failoverTimeout}), for the error
     */
    String redirected(InetSocketAddress head, long now) {
        redirects++;
        boolean cycle = HostPort.containsSame(round, head);
        if (!cycle && round.size() <= maxRedirects) {
            round.add(head);
            planned = new Next(head, 0);
            return null;
        }
        String path = round.stream().map(HostPort::of).collect(Collectors.joining(" -> ")) + " -> "
                + HostPort.of(head);
        lastLoop = path + (cycle ? " (a cycle)" : " (more than " + maxRedirects + " redirects)");
        if (loopingSince < 0) {
            loopingSince = now;
        }
        if (now - loopingSince >= failoverNanos) {
            return "no head found: " + lastLoop + "; nodes disagreed for " + (now - loopingSince) / 1_000_000 + " ms";
        }
        Next n = advance();
        planned = new Next(n.address(), Math.max(n.delayNanos(), backoff(loops++)));
        return null;
    }

    /** The target said it is shutting down: when its connection closes, go to the next candidate. */
    void leaving() {
        leaving = true;
    }

    /**
     * The connection to {@link #target()} closed, or could not be opened.
     *
     * @return where to connect next and when; {@link #target()} is then that address
     */
    Next closed(long now) {
        if (planned != null) {
            Next n = planned;
            planned = null;
            target = n.address();
            return n;
        }
        if (HostPort.same(target, lastHead) && !leaving) {
            if (headDownSince < 0) {
                headDownSince = now;
            }
            if (now - headDownSince < failoverNanos) {
                return new Next(target, backoff(headFailures++));
            }
        }
        if (HostPort.same(target, lastHead) && !failedOver) {
            failedOver = true;
            failovers++;
        }
        leaving = false;
        return advance();
    }

    /** Starts a round at the next candidate; sets the target. */
    private Next advance() {
        List<InetSocketAddress> c = candidates();
        index = (index + 1) % c.size();
        target = c.get(index);
        round.clear();
        round.add(target);
        long delay = 0;
        if (++candidatesTried >= c.size()) {
            candidatesTried = 0;
            delay = backoff(passes++);
        }
        return new Next(target, delay);
    }

    /** @return the bootstrap list, then the last head if it is not in it */
    List<InetSocketAddress> candidates() {
        if (lastHead == null || HostPort.containsSame(bootstrap, lastHead)) {
            return bootstrap;
        }
        List<InetSocketAddress> c = new ArrayList<>(bootstrap);
        c.add(lastHead);
        return c;
    }

    private long backoff(int attempt) {
        return Math.min(MAX_BACKOFF_NANOS, backoffNanos << Math.min(attempt, 20));
    }

    /** @return redirects received (metrics) */
    long redirects() {
        return redirects;
    }

    /** @return times the producer left a failed head for the other candidates (metrics) */
    long failovers() {
        return failovers;
    }

    /** @return the last redirect loop seen, or null */
    String lastLoop() {
        return lastLoop;
    }
}
