package io.scalesmall.stream.server;

import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.HostPort;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import io.scalesmall.stream.protocol.PullFrame;
import io.scalesmall.stream.protocol.ReplicateFrame;
import io.scalesmall.topology.StreamKeys;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A head's catch-up on one stream before it gives out offsets (docs/wire-format.md §S10): it asks every other
 * holder ({@link ChainResolver#holders}) for its end offset with a PULL of no messages -- which also fences the
 * holder, so nothing it stores later collides with this head's offsets -- then pulls what it lacks from the holder
 * with the highest end, batches as stored (producer ids and sequences kept, so that resends of a producer are still
 * recognised here), storing them at the same offsets ({@link LogAppender#appendAt}). Every holder must answer
 * within {@link ChainTimings#catchUpTimeout()}: one that does not (a timeout: partitioned or hung, not yet held
 * dead) fails the catch-up, since it may hold data this head would overwrite. A holder whose port refuses
 * connections (its process is gone) is left out: it cannot write either.
 *
 * <p>Runs on the given executor (blocking I/O, {@link PeerClient}); one connection per holder per catch-up.
 */
final class CatchUp {
    private static final Logger LOG = LoggerFactory.getLogger(CatchUp.class);
    /** The most messages one PULL asks for. */
    static final int PULL_MESSAGES = 4096;
    /** The most payload bytes one PULL asks for. */
    static final int PULL_BYTES = 1 << 20;

    private final ChainResolver resolver;
    private final MessageLog log;
    private final LogAppender appender;
    private final ChainTimings timings;
    private final ExecutorService executor;
    private final ServerStats stats;
    /** This node's id in hex, the first word of log lines. */
    private final String self;

    /** @param self this node's id in hex, as the chain links' log lines name it ({@link ChainLinks#self()}) */
    CatchUp(ChainResolver resolver, MessageLog log, LogAppender appender, ChainTimings timings,
            ExecutorService executor, ServerStats stats, String self) {
        this.resolver = resolver;
        this.log = log;
        this.appender = appender;
        this.timings = timings;
        this.executor = executor;
        this.stats = stats;
        this.self = self;
    }

    /** A node to ask: a holder in this node's view, or the node that fenced this one. */
    private record Source(String name, InetSocketAddress address) {
        @Override
        public String toString() {
            return name;
        }
    }

    /**
     * Starts the catch-up of {@code stream}; completes at once when there is no other holder and no fencer.
     *
     * @param fencer the node whose PULL fenced this one last ({@code HOST:PORT}, as PULL names it), or null: asked
     *               too, whether this node's view lists it or not. It took the stream over (its view named it the
     *               head) and may have stored batches since; a view that has not caught up yet may not list it, and
     *               a catch-up without it would give out its offsets a second time.
     */
    CompletableFuture<Void> start(String stream, String fencer) {
        long key = StreamKeys.keyOf(stream);
        List<Source> holders = new ArrayList<>();
        boolean fencerListed = fencer == null;
        for (ChainResolver.Member h : resolver.holders(stream, key)) {
            holders.add(new Source(h.toString(), h.address()));
            fencerListed |= HostPort.of(h.address()).equals(fencer);
        }
        if (!fencerListed) {
            try {
                holders.add(new Source("fencer " + fencer, HostPort.parse(fencer)));
            } catch (IllegalArgumentException malformed) {
                LOG.warn("{} stream '{}': the node that fenced this one is named '{}', not HOST:PORT; catching up"
                        + " without it", self, stream, fencer);
            }
        }
        if (holders.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        stats.catchUps.increment();
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    if (LOG.isDebugEnabled()) {
                        LOG.debug("{} stream '{}': catch-up from {}", self, stream, holders);
                    }
                    run(stream, key, holders);
                    done.complete(null);
                } catch (IOException | RuntimeException e) {
                    LOG.info("{} stream '{}': catch-up failed: {}", self, stream, e.getMessage());
                    done.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new IOException("the server is closing", e));
        }
        return done;
    }

    private void run(String stream, long key, List<Source> holders) throws IOException {
        long deadline = System.nanoTime() + timings.catchUpTimeout().toNanos();
        List<ChainResolver.Member> chain = resolver.chain(stream, key);
        if (chain.isEmpty() || !chain.get(0).is(resolver.selfId())) {
            throw new IOException("this node is not the head of stream '" + stream + "' any more");
        }
        String headAddress = HostPort.of(chain.get(0).address());
        long own = log.endOffset(stream);
        Source best = null;
        long bestEnd = own;
        int request = 0;
        for (Source h : holders) {
            if (HostPort.of(h.address()).equals(headAddress)) {
                continue; // this node itself (a fencer's text naming it)
            }
            PeerClient client;
            try {
                client = PeerClient.connect(h.address(), deadline);
            } catch (ConnectException e) {
                // Nothing listens there: the holder's process is gone (a crash not yet detected), so it cannot write
                // the stream either; what only it held (acknowledged with fewer copies than it had) is unreadable
                // until it returns, with or without this head.
                LOG.info("{} stream '{}': holder {} refuses connections; catching up without it", self, stream,
                        h);
                continue;
            }
            try (PeerClient c = client) {
                c.send(new PullFrame(++request, stream, 0, 0, 1, headAddress));
                long end = awaitReply(c, stream, request, deadline).endOffset();
                if (end > bestEnd) {
                    best = h;
                    bestEnd = end;
                }
            } catch (IOException e) {
                throw new IOException("holder " + h + " of stream '" + stream + "' did not answer: " + e.getMessage(),
                        e);
            }
        }
        if (best == null) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': caught up: no holder of {} holds more than this node ({})", self, stream,
                        holders.size(), own);
            }
            return;
        }
        LOG.info("{} stream '{}': catching up from {}: offsets {}..{}", self, stream, best, own, bestEnd);
        try (PeerClient c = PeerClient.connect(best.address(), deadline)) {
            while (log.endOffset(stream) < bestEnd) {
                long from = log.endOffset(stream);
                c.send(new PullFrame(++request, stream, from, PULL_MESSAGES, PULL_BYTES, headAddress));
                awaitReply(c, stream, request, deadline);
                if (log.endOffset(stream) == from) {
                    throw new IOException(best + " sent nothing from offset " + from + " of stream '" + stream
                            + "' though it reported its end at " + bestEnd);
                }
            }
        }
    }

    /** Stores the REPLICATE frames of one PULL's answer up to its OFFSETS_REPLY, which it returns. */
    private OffsetsReplyFrame awaitReply(PeerClient c, String stream, int request, long deadline) throws IOException {
        while (true) {
            Frame f = c.receive(deadline);
            if (f instanceof ReplicateFrame r) {
                long end = appender.appendAt(stream, r.firstOffset(), r.producerId(), r.firstSequence(),
                        MessageBatch.of(r.messages()));
                if (end < 0) {
                    throw new IOException("pulled offset " + r.firstOffset() + " but this node ends at " + (-1 - end));
                }
                stats.messagesCaughtUp.add(r.messages().size());
            } else if (f instanceof OffsetsReplyFrame o && o.requestId() == request) {
                return o;
            } else if (f instanceof ErrorFrame e) {
                throw new IOException("refused: " + e.errorCode() + " " + e.text());
            } else {
                throw new IOException("unexpected " + f.type() + " in a PULL answer");
            }
        }
    }
}
