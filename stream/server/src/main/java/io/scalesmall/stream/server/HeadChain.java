package io.scalesmall.stream.server;

import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckFrame.OffsetRun;
import io.scalesmall.stream.protocol.AckMode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The chain side of a client session at the head whose ack level needs more than one copy ({@code memory=N} or
 * {@code disk=N}, N &gt; 1): batches this node holds (in memory, or on disk after its group commit) wait here until the
 * stream's {@link ChainLink} reports N - 1 further copies of them, then become ACKs, in storage order. The copies
 * counted are those the chain's CHAIN_ACKs state (memory: delivered, disk: processed); a member that is catching
 * up counts only for what it holds, and with fewer members than needed nothing is acknowledged. Not thread-safe:
 * the session's event loop only.
 */
final class HeadChain {
    private static final Logger LOG = LoggerFactory.getLogger(HeadChain.class);
    private record Waiting(AckBatcher.Stored batch, long end) {
    }

    private final ChainLinks links;
    private final ChainLink link;
    private final AckMode ack;
    private final Runnable listener;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    /** ACKs wait and the link had no member to count copies from, as last logged (DEBUG): logged once a spell. */
    private boolean starved;

    /** @param link acquired for this session with {@code listener}; released by {@link #close()} */
    HeadChain(ChainLinks links, ChainLink link, AckMode ack, Runnable listener) {
        this.links = links;
        this.link = link;
        this.ack = ack;
        this.listener = listener;
    }

    /** @return whether ACKs wait for copies beyond this node (else the session acks as on one node) */
    boolean waitsForCopies() {
        return ack.copies() > 1;
    }

    /** Adds batches this node holds as the ack level asks (in memory, or durable), in storage order. */
    void add(List<AckBatcher.Stored> batches) {
        for (AckBatcher.Stored b : batches) {
            long end = 0;
            for (OffsetRun r : b.runs()) {
                if (r.firstOffset() >= 0) {
                    end = Math.max(end, r.firstOffset() + r.count());
                }
            }
            waiting.add(new Waiting(b, end));
        }
    }

    /** @return batches waiting for copies */
    int size() {
        return waiting.size();
    }

    /** Removes the batches that have enough copies now and returns their ACKs (none if none). */
    List<AckFrame> ready() {
        if (waiting.isEmpty()) {
            return List.of();
        }
        Watermarks w = link.watermarks();
        boolean disk = ack.level() == AckMode.Level.DISK;
        List<AckBatcher.Stored> done = new ArrayList<>();
        long maxEnd = 0;
        while (!waiting.isEmpty()) {
            Waiting p = waiting.peek();
            int copies = 1 + (disk ? w.processedThrough(p.end()) : w.deliveredThrough(p.end()));
            if (copies < ack.copies()) {
                break;
            }
            done.add(p.batch());
            maxEnd = Math.max(maxEnd, p.end());
            waiting.poll();
        }
        if (done.isEmpty()) {
            if (!starved && w.copies() == 0 && LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': {} batches wait for {} copies; the link has no member reporting",
                        links.self(), link.stream(), waiting.size(), ack.copies());
            }
            starved = w.copies() == 0;
            return List.of();
        }
        starved = false;
        int delivered = Math.min(255, 1 + w.deliveredThrough(maxEnd));
        int processed = Math.min(255, (disk ? 1 : 0) + w.processedThrough(maxEnd));
        return AckBatcher.build(done, delivered, processed);
    }

    /**
     * @return whether batches wait and the link can give them no copies: this node heads the stream no more and its
     *         link, used only by head sessions, has no member ({@link ChainLink#stranded()}); the producer must go to
     *         the new head and resend them there
     */
    boolean stranded() {
        return !waiting.isEmpty() && link.stranded();
    }

    /** The session ended: the link may close once caught up. Waiting batches are never acknowledged. */
    void close() {
        links.release(link, listener);
    }
}
