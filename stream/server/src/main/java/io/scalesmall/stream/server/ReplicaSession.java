package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.scalesmall.log.DuplicateSequenceException;
import io.scalesmall.log.LogFullException;
import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageTooLargeException;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.ReplicateFrame;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica side of a replication session (an INIT with hop &ge; 1 from the previous member of a chain): stores
 * each REPLICATE at the head's offsets ({@link LogAppender#appendAt}), makes it durable by group commit, forwards
 * the stream down the chain when the INIT asks for more copies (redundancy &gt; 1: INIT with redundancy - 1,
 * hop + 1, the exclude list plus this node), and acks upstream with CHAIN_ACKs combining its own end offsets
 * (memory, disk) with those of the nodes after it. A CHAIN_ACK goes out when something changed, at most once per
 * socket read, group commit or downstream report (batched). The first one reports this node alone: its end offset
 * is where the upstream starts sending (catch-up).
 *
 * <p>Not thread-safe: the session's event loop only.
 */
final class ReplicaSession {
    private static final Logger LOG = LoggerFactory.getLogger(ReplicaSession.class);

    private final Shared shared;
    private final ChannelHandlerContext ctx;
    private final InitFrame init;
    private final Runnable listener;
    private ChainLink link;
    /** Offsets below this are on disk here (a group commit covered them). */
    private long durable;
    /** The end offset the group commit in flight covers, or -1 when none is in flight. */
    private long committing = -1;
    private Watermarks lastSent;

    /** @param listener the session's hook for downstream watermark changes (runs on the link's loop) */
    ReplicaSession(Shared shared, ChannelHandlerContext ctx, InitFrame init, Runnable listener) {
        this.shared = shared;
        this.ctx = ctx;
        this.init = init;
        this.listener = listener;
    }

    /** After INIT_OK: reports this node alone, then links to the next member if more copies are wanted. */
    void start() {
        Watermarks alone = Watermarks.combine(end(), durable, Watermarks.NONE);
        send(alone);
        commitIfBehind();
        if (init.redundancy() > 1 && init.hop() < 255) {
            List<byte[]> exclude = new ArrayList<>(init.exclude());
            link = shared.links().acquire(init.stream(), init.redundancy() - 1, init.hop() + 1, exclude, listener);
        }
    }

    private long end() {
        return shared.log().endOffset(init.stream());
    }

    /**
     * Stores one REPLICATE.
     *
     * @return null, or the fatal error to answer with (the connection then closes: the upstream re-forms the chain)
     */
    ErrorFrame onReplicate(ReplicateFrame f) {
        long before = end();
        long r;
        try {
            r = shared.appender().appendAt(init.stream(), f.firstOffset(), f.producerId(), f.firstSequence(),
                    MessageBatch.of(f.messages()));
        } catch (LogFullException e) {
            return fatal(ErrorCode.LOG_FULL, f, e.maxDiskBytes(), e.getMessage());
        } catch (MessageTooLargeException e) {
            return fatal(ErrorCode.MESSAGE_TOO_LARGE, f, e.limit(), e.getMessage());
        } catch (LogAppender.DivergedException | DuplicateSequenceException e) {
            LOG.error("stream '{}': this replica diverged from its upstream: {}", init.stream(), e.getMessage());
            return fatal(ErrorCode.STORAGE_ERROR, f, 0, "replica diverged: " + e.getMessage());
        } catch (IOException e) {
            return fatal(ErrorCode.STORAGE_ERROR, f, 0, e.toString());
        } catch (IllegalStateException e) {
            return fatal(ErrorCode.SHUTTING_DOWN, f, 0, "the log is closed");
        }
        if (r < 0) {
            long end = -1 - r;
            return fatal(ErrorCode.OFFSET_GAP, f, end, "REPLICATE from offset " + f.firstOffset()
                    + " but this replica ends at " + end);
        }
        shared.stats().replicaMessagesIn.add(Math.max(0, r - Math.max(f.firstOffset(), before)));
        shared.waiters().appended(init.stream());
        return null;
    }

    private static ErrorFrame fatal(ErrorCode code, ReplicateFrame f, long detail, String text) {
        return ErrorFrame.of(code, 0, 0, 0, detail, text);
    }

    /** After a socket read: makes the new messages durable, reports what changed. */
    void afterRead() {
        commitIfBehind();
        sendIfChanged();
    }

    private void commitIfBehind() {
        long target = end();
        if (committing >= 0 || target <= durable) {
            return;
        }
        committing = target;
        shared.committer().submit((batches, failure) -> ctx.executor().execute(() -> committed(target, failure)),
                List.of());
    }

    private void committed(long target, IOException failure) {
        committing = -1;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (failure != null) {
            LOG.warn("stream '{}': group commit failed at a replica: {}", init.stream(), failure.toString());
            return; // processed stays where it is: the upstream does not count this copy as on disk
        }
        durable = Math.max(durable, target);
        commitIfBehind();
        sendIfChanged();
        ctx.flush();
    }

    /** Sends a CHAIN_ACK if this node's or its downstream's watermarks moved since the last one. */
    void sendIfChanged() {
        Watermarks w = Watermarks.combine(end(), durable, link == null ? Watermarks.NONE : link.watermarks());
        if (!w.equals(lastSent)) {
            send(w);
        }
    }

    private void send(Watermarks w) {
        lastSent = w;
        ByteBuf out = ctx.alloc().buffer(8 + 16 * w.copies());
        FrameCodec.chainAck(out, w.toFrame());
        ctx.write(out, ctx.voidPromise());
        shared.stats().chainAcksSent.increment();
    }

    /** The session ended. */
    void close() {
        if (link != null) {
            shared.links().release(link, listener);
            link = null;
        }
    }
}
