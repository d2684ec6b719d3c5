package io.scalesmall.stream.server;

import io.netty.channel.EventLoopGroup;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.topology.StreamKeys;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The head's view of how far its streams' chains hold them: re-replication of a stream without a producer
 * ({@link #ensure}), and the read limit of a head ({@link #readLimit}: Kafka's high watermark), so that a consumer
 * at the head never reads a message a failover could replace. Thread-safe.
 */
final class Replication {
    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);

    private final MessageLog log;
    private final ChainResolver resolver;
    private final ChainLinks links;
    private final Headship heads;
    private final ChainTimings timings;
    private final ServerStats stats;
    private final EventLoopGroup loops;
    private final Executor executor;
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> running = new ConcurrentHashMap<>();

    Replication(MessageLog log, ChainResolver resolver, ChainLinks links, Headship heads, ChainTimings timings,
            ServerStats stats, EventLoopGroup loops, Executor executor) {
        this.executor = executor;
        this.log = log;
        this.resolver = resolver;
        this.links = links;
        this.heads = heads;
        this.timings = timings;
        this.stats = stats;
        this.loops = loops;
    }

    /**
     * If this node heads the stream's chain: catches up with the stream's other holders (as before a client's
     * first INIT), then keeps the stream's chain link until every other member holds, on disk, everything this node
     * holds (at the moment of the check: with producers writing, it may time out; the node's driver calls again).
     * Calls for a stream already under way share its future.
     *
     * <p>If another node heads it and this node holds some of it, it asks the head for the stream's offsets, which
     * makes the head do the above (a new head may not know the stream exists); and if this node is a middle member
     * with no link for the stream, it ships to its successor (the next member after it, in its view) what that one
     * lacks ({@link #handToSuccessor}).
     *
     * @return completes with true once the whole chain holds the stream, false if this node is not its head (or
     *         the chain has no other member: true), false after {@link ChainTimings#catchUpTimeout()} without the
     *         chain catching up (the link goes on shipping; call again to wait again); exceptionally if the
     *         catch-up failed
     */
    CompletableFuture<Boolean> ensure(String stream) {
        List<ChainResolver.Member> chain = resolver.chain(stream, StreamKeys.keyOf(stream));
        if (chain.isEmpty()) {
            return CompletableFuture.completedFuture(false);
        }
        if (!chain.get(0).is(resolver.selfId())) {
            if (log.endOffset(stream) > 0) {
                tellHead(stream, chain.get(0));
                handToSuccessor(stream, chain);
            }
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<Boolean> mine = new CompletableFuture<>();
        CompletableFuture<Boolean> other = running.putIfAbsent(stream, mine);
        if (other != null) {
            return other;
        }
        heads.admit(stream).whenComplete((generation, failure) -> {
            if (failure != null) {
                mine.completeExceptionally(failure);
            } else {
                replicate(stream, mine);
            }
        });
        mine.whenComplete((ok, failure) -> running.remove(stream, mine));
        return mine;
    }

    /**
     * Asks the head for the stream's offsets (in the background, best effort): a head reading a stream it has not
     * caught up on catches up and re-replicates it ({@link #readLimit}), so a holder draws a new head to its data.
     */
    private void tellHead(String stream, ChainResolver.Member head) {
        try {
            executor.execute(() -> {
                long deadline = System.nanoTime() + timings.catchUpTimeout().toNanos();
                try (PeerClient c = PeerClient.connect(head.address(), deadline)) {
                    c.send(new OffsetsFrame(1, stream));
                    c.receive(deadline);
                } catch (IOException e) {
                    LOG.debug("stream '{}': telling head {} failed: {}", stream, head, e.toString());
                }
            });
        } catch (RejectedExecutionException closing) {
            // the server is closing
        }
    }

    /**
     * At a middle member (neither head nor tail in this node's view) without a link for the stream: holds one, as
     * a replication session from upstream would (hop, copies and exclusions of this node's place in the chain),
     * until the members after this node report holding, on disk, what this node holds, or for at most
     * {@link ChainTimings#catchUpTimeout()}. The members a link reaches count as copies whoever they are, so a head
     * whose chain gained a member while this node's view still had the old one (its link shipping there) counted
     * the old member, found its chain complete and let its link close; once this node's view, changed later,
     * names the new member, nothing else ships it the stream (MembershipChangeClusterTest's join case).
     */
    private void handToSuccessor(String stream, List<ChainResolver.Member> chain) {
        byte[] self = resolver.selfId();
        int at = 0;
        while (at < chain.size() && !chain.get(at).is(self)) {
            at++;
        }
        if (at == 0 || at >= chain.size() - 1 || links.has(stream)) {
            return; // not a middle member, or its link takes care of its successor already
        }
        List<byte[]> upstream = new ArrayList<>();
        for (ChainResolver.Member m : chain.subList(0, at)) {
            upstream.add(m.id());
        }
        hold(stream, chain.size() - 1 - at, at + 1, upstream, new CompletableFuture<>());
    }

    private void replicate(String stream, CompletableFuture<Boolean> done) {
        List<ChainResolver.Member> chain = resolver.chain(stream, StreamKeys.keyOf(stream));
        int down = chain.size() - 1;
        if (down < 1 || !chain.get(0).is(resolver.selfId())) {
            done.complete(down < 1 && !chain.isEmpty());
            return;
        }
        hold(stream, down, 1, List.of(), done);
    }

    /**
     * Uses the stream's link ({@link ChainLinks#acquire} with {@code down} copies, {@code hop}, {@code exclude})
     * until it reports {@code down} copies on disk of everything this node holds ({@code done} completes with true)
     * or for {@link ChainTimings#catchUpTimeout()} (false).
     */
    private void hold(String stream, int down, int hop, List<byte[]> exclude, CompletableFuture<Boolean> done) {
        long target = log.endOffset(stream);
        ChainLink[] link = new ChainLink[1];
        Runnable[] listener = new Runnable[1];
        listener[0] = () -> {
            ChainLink l = link[0];
            if (l != null && l.watermarks().processedThrough(Math.max(target, log.endOffset(stream))) >= down
                    && done.complete(true)) {
                links.release(l, listener[0]);
                stats.reReplications.increment();
                LOG.debug("{} stream '{}': the {} members after this one (hop {}) hold offsets 0..{}", links.self(),
                        stream, down, hop, target);
            }
        };
        link[0] = links.acquire(stream, down, hop, exclude, listener[0]);
        listener[0].run();
        loops.next().schedule(() -> {
            if (done.complete(false)) {
                links.release(link[0], listener[0]);
                LOG.info("{} stream '{}': the {} members after this one do not hold offsets 0..{} yet after {}",
                        links.self(), stream, down, target, timings.catchUpTimeout());
            }
        }, timings.catchUpTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Whether a read of the stream from {@code fromOffset} finds nothing only because this head is still drawing the
     * stream's chain together ({@link #ensure} under way, the read limit at or below {@code fromOffset} and the log
     * above it): a reader that asked not to wait is then held until the limit rises (a new head must not answer
     * "nothing there" about data it holds and a failover left acknowledged).
     */
    boolean settling(String stream, long fromOffset) {
        return readLimit(stream) <= fromOffset && log.endOffset(stream) > fromOffset && running.containsKey(stream);
    }

    /** @return how long a reader is held while its stream is {@link #settling}, ms */
    long settleMillis() {
        return timings.catchUpTimeout().toMillis();
    }

    /**
     * How far a consumer may read the stream here: its end offset, except at the head of a chain of more than one
     * member, where it is the end below which every member holds the stream in memory as last reported (never
     * moving back; {@link ChainLinks#committed}). A head that has not caught up with the stream's other holders, or
     * knows less than it holds and has no link for the stream, starts a re-replication ({@link #ensure}), which
     * catches up and makes the members report: a read (or OFFSETS) at a new head is what draws the stream to it.
     */
    long readLimit(String stream) {
        long end = log.endOffset(stream);
        List<ChainResolver.Member> chain = resolver.chain(stream, StreamKeys.keyOf(stream));
        if (chain.size() <= 1 || !chain.get(0).is(resolver.selfId())) {
            return end;
        }
        long committed = links.committed(stream);
        if ((committed < end && !links.has(stream) || !heads.caughtUp(stream)) && !running.containsKey(stream)) {
            ensure(stream);
        }
        return Math.min(end, committed);
    }
}
