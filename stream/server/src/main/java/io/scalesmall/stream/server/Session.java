package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.scalesmall.log.DuplicateSequenceException;
import io.scalesmall.log.LogFullException;
import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageTooLargeException;
import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.DataView;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.HostPort;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.ProtocolException;
import io.scalesmall.stream.protocol.PullFrame;
import io.scalesmall.stream.protocol.ReplicateFrame;
import io.scalesmall.log.MessageLog;
import io.scalesmall.topology.StreamKeys;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One connection: decodes its frames, runs its producer session (INIT, then DATA appended to the log and
 * acknowledged as the session's {@link AckMode} asks) and hands FETCH and OFFSETS to its {@link FetchHandler}.
 *
 * <p>Acks are batched: memory acks for everything a socket read brought are sent once that read is processed
 * ({@code channelReadComplete}); disk acks after the group commit that covered them. Errors: a fatal
 * {@link ProtocolException} (malformed input, DATA before INIT, ...) sends an ERROR frame, counts, and closes this
 * connection only; other errors fail the batch or request they name.
 *
 * <p>Back-pressure: the node stops reading the connection while its outbound buffer is above the high-water mark
 * (a client not reading its acks or messages; frames already read wait in a backlog, processed once it drains) or
 * while {@link StreamServerConfig#maxUnsyncedBatches} of its batches wait for a group commit. Per-connection memory
 * is so bounded by the frame limit, one socket read, the write buffer plus one reply, and the parked-fetch limit.
 *
 * <p>Threads: every method runs on the connection's event loop, so the state needs no locks.
 */
final class Session extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(Session.class);

    private final Shared shared;
    private ChannelHandlerContext ctx;
    private FetchHandler fetches;
    /** The producer session, once INIT was accepted. */
    private InitFrame init;
    private final AckBatcher memoryAcks = new AckBatcher();
    private final AckBatcher diskPending = new AckBatcher();
    /** At the head of a chain, for a session that needs copies beyond this node; else null. */
    private HeadChain headChain;
    /** For a replication session (INIT with hop >= 1); else null. */
    private ReplicaSession replica;
    /** A check of the chain's watermarks is queued on this loop (coalesces the link's reports). */
    private final AtomicBoolean chainCheckQueued = new AtomicBoolean();
    private final Runnable chainListener = this::chainChanged;
    /** A client INIT waits for this node to catch up with the stream's other holders: frames wait in the backlog. */
    private boolean initPending;
    /** The generation of the stream's headship this session was admitted in ({@link Headship}). */
    private int generation;
    /** The session was told NOT_HEAD (or is stale): later DATA is refused the same way, nothing stored. */
    private ErrorFrame refused;
    /** Batches handed to the group committer and not yet back. */
    private int unsynced;
    /** Set once a fatal error started closing the connection: later frames are ignored. */
    private boolean closing;
    /**
     * Frames read while the connection could not take more replies (a client not reading them), processed in order
     * once it can. Reading stops meanwhile, so this holds at most what one socket read brought.
     */
    private final ArrayDeque<ByteBuf> backlog = new ArrayDeque<>();

    Session(Shared shared) {
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.fetches = new FetchHandler(shared, ctx, this::sendError);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        shared.stats().connectionsOpened.increment();
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        shared.stats().connectionsClosed.increment();
        fetches.closeAll();
        if (headChain != null) {
            headChain.close();
        }
        if (replica != null) {
            replica.close();
        }
        for (ByteBuf b; (b = backlog.poll()) != null; ) {
            b.release();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        if (initPending || !backlog.isEmpty() || !ctx.channel().isWritable()) {
            // Replies pile up unread: hold this frame (and stop reading) until they drain, so that one read of
            // small requests cannot make the node buffer an unbounded amount of replies.
            backlog.add(buf);
            updateAutoRead();
            return;
        }
        process(buf);
    }

    private void process(ByteBuf buf) {
        try {
            if (!closing) {
                // DATA's messages stay in buf (a view, no array each) until the append copied them into the log's
                // batch record; buf is released below, once, whatever happened.
                dispatch(FrameDecoder.decodeInPlace(buf, shared.config().maxFrameBytes()));
            }
        } catch (ProtocolException e) {
            onProtocolError(e);
        } finally {
            buf.release();
        }
    }

    private void dispatch(Frame f) throws ProtocolException {
        if (!f.type().fromClient) {
            throw new ProtocolException(ErrorCode.UNKNOWN_TYPE, f.type() + " is sent by nodes, not to them");
        }
        if (f instanceof InitFrame i) {
            onInit(i);
        } else if (f instanceof DataView d) {
            onData(d);
        } else if (f instanceof ReplicateFrame r) {
            onReplicate(r);
        } else if (f instanceof FetchFrame fetch) {
            fetches.onFetch(fetch);
        } else if (f instanceof PullFrame pull) {
            fetches.onPull(pull);
        } else {
            fetches.onOffsets((OffsetsFrame) f);
        }
    }

    private void onInit(InitFrame i) throws ProtocolException {
        if (init != null) {
            throw new ProtocolException(ErrorCode.NOT_INITIALIZED, "a second INIT on one connection");
        }
        if (i.hop() > 0) {
            onReplicaInit(i);
            return;
        }
        ChainResolver resolver = shared.resolver();
        List<ChainResolver.Member> chain = resolver.chain(i.stream(), StreamKeys.keyOf(i.stream()));
        if (!chain.isEmpty() && !chain.get(0).is(resolver.selfId())) {
            sendError(notHead(HostPort.of(chain.get(0).address())));
            return;
        }
        int needed = Math.max(i.redundancy(), i.ack().copies());
        int members = Math.max(1, chain.size());
        if (needed > members) {
            throw new ProtocolException(ErrorCode.REDUNDANCY_UNAVAILABLE, "the chain of stream '" + i.stream()
                    + "' has " + members + " member(s); redundancy " + i.redundancy() + " and ack " + i.ack()
                    + " need " + needed);
        }
        // Before the first INIT_OK of a stream this node heads, it catches up with the stream's other holders (they
        // may hold what an earlier head wrote); frames wait meanwhile.
        CompletableFuture<Integer> admitted = shared.heads().admit(i.stream());
        if (admitted.isDone() && !admitted.isCompletedExceptionally()) {
            open(i, members, admitted.join());
            return;
        }
        initPending = true;
        updateAutoRead();
        admitted.whenComplete((g, failure) -> ctx.executor().execute(() -> admittedLater(i, members, g, failure)));
    }

    /** Back from the catch-up, on this connection's event loop. */
    private void admittedLater(InitFrame i, int members, Integer g, Throwable failure) {
        initPending = false;
        if (!ctx.channel().isActive()) {
            return;
        }
        if (failure == null) {
            open(i, members, g);
        } else {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (cause instanceof Headship.NotHeadException n && n.head != null) {
                sendError(notHead(n.head));
            } else {
                sendError(ErrorFrame.of(ErrorCode.CATCHING_UP, 0, 0, 0, 0, "stream '" + i.stream()
                        + "': this head could not catch up with the stream's other holders: " + cause.getMessage()));
            }
        }
        drainBacklog();
    }

    /** Opens the producer session at the head (admitted in {@code g}) and answers INIT_OK. */
    private void open(InitFrame i, int members, int g) {
        // The stream is kept on every member of its chain (R copies), whatever this session waits for: the ack
        // level says when to answer, not how many copies exist.
        int copies = members;
        init = i;
        generation = g;
        if (copies > 1) {
            headChain = new HeadChain(shared.links(), shared.links().acquire(i.stream(), copies - 1, 1, List.of(),
                    chainListener), i.ack(), chainListener);
        }
        // The log's idempotence window bounds the batches a producer may have unacknowledged: a resend of any of them
        // is then always recognised.
        send(new InitOkFrame(shared.config().maxFrameBytes(), MessageLog.MAX_MESSAGE_BYTES,
                MessageLog.PRODUCER_WINDOW_BATCHES));
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} producer session {} on stream '{}' from {}, ack {}, generation {}", shared.links().self(),
                    Long.toHexString(i.producerId()), i.stream(), ctx.channel().remoteAddress(), i.ack(), g);
        }
    }

    /** NOT_HEAD naming {@code head} ({@code HOST:PORT}); detail is its port. */
    static ErrorFrame notHead(String head) {
        long port = 0;
        try {
            port = Integer.parseInt(head.substring(head.lastIndexOf(':') + 1));
        } catch (NumberFormatException e) {
            // detail stays 0: the text is what clients parse
        }
        return ErrorFrame.of(ErrorCode.NOT_HEAD, 0, 0, 0, port, head);
    }

    /** A replication session from the previous member of a chain. */
    private void onReplicaInit(InitFrame i) {
        init = i;
        replica = new ReplicaSession(shared, ctx, i, chainListener);
        send(new InitOkFrame(shared.config().maxFrameBytes(), MessageLog.MAX_MESSAGE_BYTES,
                MessageLog.PRODUCER_WINDOW_BATCHES));
        replica.start();
        ctx.flush();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} replication session on stream '{}' from {}, hop {}, redundancy {}, excluding {}",
                    shared.links().self(), i.stream(), ctx.channel().remoteAddress(), i.hop(), i.redundancy(),
                    ChainLinks.ids(i.exclude()));
        }
    }

    private void onReplicate(ReplicateFrame r) throws ProtocolException {
        if (replica == null) {
            throw new ProtocolException(ErrorCode.NOT_INITIALIZED, "REPLICATE outside a replication session (an INIT "
                    + "with hop >= 1)");
        }
        ErrorFrame e = replica.onReplicate(r);
        if (e != null) {
            shared.stats().error(e.errorCode());
            closeWith(e);
        }
    }

    /** A watermark of the stream's chain link moved (on the link's loop): check here, once per burst. */
    private void chainChanged() {
        if (chainCheckQueued.compareAndSet(false, true)) {
            ctx.executor().execute(() -> {
                chainCheckQueued.set(false);
                if (closing || !ctx.channel().isActive()) {
                    return;
                }
                if (headChain != null) {
                    ackCopied();
                }
                if (replica != null) {
                    replica.sendIfChanged();
                }
                ctx.flush();
            });
        }
    }

    /**
     * Sends the ACKs of the batches that have enough copies now. If batches still wait and the stream's link can give
     * them none (this node was demoted and its link lost its member: {@link HeadChain#stranded()}), answers NOT_HEAD
     * naming the new head, as to DATA after a demotion: the producer may have nothing more to send, and would
     * otherwise wait for these ACKs until its delivery timeout; it resends them at the new head instead.
     */
    private void ackCopied() {
        for (AckFrame ack : headChain.ready()) {
            sendAck(ack);
        }
        if (refused == null && headChain.stranded()) {
            refused = demotion();
            if (refused != null) {
                sendError(refused);
            }
        }
    }

    /** A DATA frame; its messages are a view of the frame buffer, valid during this call only. */
    private void onData(DataView d) throws ProtocolException {
        if (init == null) {
            throw new ProtocolException(ErrorCode.NOT_INITIALIZED, "DATA before INIT");
        }
        if (replica != null) {
            throw new ProtocolException(ErrorCode.NOT_INITIALIZED,
                    "DATA on a replication session (REPLICATE expected)");
        }
        if (refused == null) {
            refused = demotion();
        }
        if (refused != null) {
            sendError(refused);
            return;
        }
        MessageBatch messages = MessageBatch.ofBody(d.messages().nioBody(), d.messages().count());
        int count = messages.count();
        LogAppender.Appended a;
        try {
            a = shared.appender().append(init.stream(), init.producerId(), d.firstSequence(), messages,
                    shared.heads(), generation);
        } catch (Headship.NotHeadException e) {
            if (e.head == null) { // admitted before this node's headship lapsed: the client must INIT again
                LOG.debug("stream '{}': closing a stale session from {}", init.stream(), ctx.channel().remoteAddress());
                closing = true;
                ctx.flush();
                ctx.close();
                return;
            }
            refused = notHead(e.head);
            sendError(refused);
            return;
        } catch (MessageTooLargeException e) {
            batchError(ErrorCode.MESSAGE_TOO_LARGE, d, e.limit(), e.getMessage());
            return;
        } catch (DuplicateSequenceException e) {
            batchError(ErrorCode.DUPLICATE_UNKNOWN, d, e.lastSequence(), e.getMessage());
            return;
        } catch (LogFullException e) {
            batchError(ErrorCode.LOG_FULL, d, e.maxDiskBytes(), e.getMessage());
            return;
        } catch (IOException e) {
            batchError(ErrorCode.STORAGE_ERROR, d, 0, e.toString());
            return;
        } catch (IllegalStateException e) {
            throw new ProtocolException(ErrorCode.SHUTTING_DOWN, "the log is closed");
        }
        ServerStats s = shared.stats();
        s.batchesIn.increment();
        s.messagesIn.add(count - a.duplicates());
        if (a.duplicates() > 0) {
            s.duplicateMessages.add(a.duplicates());
        }
        s.bytesIn.add(messages.payloadBytes());
        shared.waiters().appended(init.stream());
        switch (init.ack().level()) {
            case MEMORY -> memoryAcks.add(d.firstSequence(), count, a);
            case DISK -> {
                diskPending.add(d.firstSequence(), count, a);
                if (unsynced + diskPending.size() >= shared.config().maxUnsyncedBatches()) {
                    updateAutoRead();
                }
            }
            case NONE -> {
            }
        }
    }

    /**
     * @return NOT_HEAD naming the head if this node's view of the stream's chain names another head now (the
     *         stream's sessions here may not write any more: {@link Headship#demoted}), else null
     */
    private ErrorFrame demotion() {
        ChainResolver resolver = shared.resolver();
        List<ChainResolver.Member> chain = resolver.chain(init.stream(), StreamKeys.keyOf(init.stream()));
        if (chain.isEmpty() || chain.get(0).is(resolver.selfId())) {
            return null;
        }
        shared.heads().demoted(init.stream());
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} stream '{}': no longer the head, {} is; producer {} redirected", shared.links().self(),
                    init.stream(), chain.get(0), ctx.channel().remoteAddress());
        }
        return notHead(HostPort.of(chain.get(0).address()));
    }

    private void batchError(ErrorCode code, DataView d, long detail, String text) {
        sendError(ErrorFrame.of(code, 0, d.firstSequence(), d.messages().count(), detail, text));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        completeRead();
        ctx.fireChannelReadComplete();
    }

    /** After a batch of frames: sends the memory acks, hands disk acks to the group committer, flushes. */
    private void completeRead() {
        if (!memoryAcks.isEmpty()) {
            if (headChain != null && headChain.waitsForCopies()) {
                headChain.add(memoryAcks.drain());
                ackCopied();
            } else {
                for (AckFrame ack : memoryAcks.build(1, 0)) {
                    sendAck(ack);
                }
            }
        }
        if (replica != null) {
            replica.afterRead();
        }
        if (!diskPending.isEmpty()) {
            List<AckBatcher.Stored> batches = diskPending.drain();
            unsynced += batches.size();
            shared.committer().submit((done, failure) -> ctx.executor().execute(() -> onCommitted(done, failure)),
                    batches);
        }
        ctx.flush();
    }

    /** Back from the group committer, on this connection's event loop. */
    private void onCommitted(List<AckBatcher.Stored> batches, IOException failure) {
        unsynced -= batches.size();
        if (!ctx.channel().isActive()) {
            return;
        }
        if (failure == null && headChain != null && headChain.waitsForCopies()) {
            headChain.add(batches);
            ackCopied();
        } else if (failure == null) {
            for (AckFrame ack : AckBatcher.build(batches, 1, 1)) {
                sendAck(ack);
            }
        } else {
            for (AckBatcher.Stored b : batches) {
                sendError(ErrorFrame.of(ErrorCode.STORAGE_ERROR, 0, b.firstSequence(), b.count(), 0,
                        "fsync failed, durability unknown: " + failure.getMessage()));
            }
        }
        ctx.flush();
        updateAutoRead();
    }

    private void sendAck(AckFrame ack) {
        ByteBuf out = ctx.alloc().buffer(32 + 12 * ack.runs().size());
        FrameCodec.ack(out, ack);
        ctx.write(out, ctx.voidPromise());
        shared.stats().acksSent.increment();
    }

    private void send(Frame f) {
        ByteBuf out = ctx.alloc().buffer();
        FrameCodec.encode(f, out);
        ctx.write(out, ctx.voidPromise());
    }

    /** Sends a non-fatal error (the caller flushes, or the read-complete does). */
    private void sendError(ErrorFrame e) {
        ErrorCode code = e.errorCode();
        if (code != null) {
            shared.stats().error(code);
        }
        send(e);
    }

    private void onProtocolError(ProtocolException e) {
        shared.stats().error(e.code());
        if (!e.fatal()) {
            send(ErrorFrame.of(e.code(), e.requestId(), 0, 0, 0, e.getMessage()));
            return;
        }
        if (closing) {
            return;
        }
        closing = true;
        if (e.code() != ErrorCode.REDUNDANCY_UNAVAILABLE && e.code() != ErrorCode.SHUTTING_DOWN) {
            shared.stats().hostileCloses.increment();
        }
        LOG.debug("closing {}: {} {}", ctx.channel().remoteAddress(), e.code(), e.getMessage());
        closeWith(ErrorFrame.of(e.code(), e.requestId(), 0, 0,
                e.code() == ErrorCode.FRAME_TOO_LARGE ? shared.config().maxFrameBytes() : e.detail(), e.getMessage()));
    }

    /** Sends a last ERROR and closes the connection; later frames are ignored. */
    private void closeWith(ErrorFrame e) {
        closing = true;
        ByteBuf out = ctx.alloc().buffer();
        FrameCodec.error(out, e);
        ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
        ctx.channel().config().setAutoRead(false);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        drainBacklog();
        ctx.fireChannelWritabilityChanged();
    }

    /** Processes frames held back while the connection could not take replies or an INIT waited, as far as it can. */
    private void drainBacklog() {
        boolean processed = false;
        while (!initPending && !backlog.isEmpty() && ctx.channel().isWritable()) {
            process(backlog.poll());
            processed = true;
        }
        if (processed) {
            completeRead();
        } else {
            ctx.flush();
        }
        updateAutoRead();
    }

    /** Reads while the connection can take replies and the group commit keeps up. */
    private void updateAutoRead() {
        if (closing) {
            return;
        }
        boolean want = !initPending && ctx.channel().isWritable() && backlog.isEmpty()
                && unsynced + diskPending.size() < shared.config().maxUnsyncedBatches();
        if (ctx.channel().config().isAutoRead() != want) {
            ctx.channel().config().setAutoRead(want);
            if (!want) {
                shared.stats().readPauses.increment();
            }
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && cause.getCause() instanceof ProtocolException p) {
            onProtocolError(p);
            return;
        }
        LOG.debug("closing {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
