package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.ScheduledFuture;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.OffsetOutOfRangeException;
import io.scalesmall.log.ReadResult;
import io.scalesmall.log.StoredBatch;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import io.scalesmall.stream.protocol.PullFrame;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The consumer side of one connection: FETCH (read from an offset; at the end of the stream, wait up to the
 * request's wait for new messages — long poll) and OFFSETS. A FETCH at the end parks in {@link FetchWaiters}; an
 * append to its stream wakes it, it reads again and answers, or parks again until its wait is over, then answers
 * empty. At most {@link StreamServerConfig#maxParkedFetches} wait per connection; more are answered at once.
 *
 * <p>Threads: everything runs on the connection's event loop (wake-ups are handed to it).
 */
final class FetchHandler {
    /** The most messages one reply carries, whatever the FETCH asks. */
    static final int MAX_MESSAGES_PER_REPLY = 1 << 16;
    /** The poll interval of an OFFSETS held while its stream settles, ms. */
    static final long SETTLE_POLL_MILLIS = 5;

    private final Shared shared;
    private final ChannelHandlerContext ctx;
    private final Consumer<ErrorFrame> errors;
    private final Set<Parked> parked = new HashSet<>();

    FetchHandler(Shared shared, ChannelHandlerContext ctx, Consumer<ErrorFrame> errors) {
        this.shared = shared;
        this.ctx = ctx;
        this.errors = errors;
    }

    /**
     * OFFSETS: the first offset and the read limit ({@link Replication#readLimit}). At a head still drawing its chain
     * together after a failover ({@link Replication#settling}), the answer waits (polling every
     * {@link #SETTLE_POLL_MILLIS} ms, at most {@link Replication#settleMillis()}) until the limit reaches what the
     * log held when the request came, so that a reader is not told a stream ends before its acknowledged messages.
     */
    void onOffsets(OffsetsFrame f) {
        long held = shared.log().endOffset(f.stream());
        answerOffsets(f, held, System.nanoTime() + shared.replication().settleMillis() * 1_000_000, false);
    }

    private void answerOffsets(OffsetsFrame f, long held, long deadlineNanos, boolean deferred) {
        MessageLog log = shared.log();
        long end = shared.replication().readLimit(f.stream());
        if (end < held && System.nanoTime() - deadlineNanos < 0 && shared.replication().settling(f.stream(), end)) {
            ctx.executor().schedule(() -> answerOffsets(f, held, deadlineNanos, true), SETTLE_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            return;
        }
        long first = log.firstOffset(f.stream());
        ByteBuf out = ctx.alloc().buffer(32);
        FrameCodec.encode(new OffsetsReplyFrame(f.requestId(), Math.min(first, end), end), out);
        if (deferred) {
            ctx.writeAndFlush(out, ctx.voidPromise());
        } else {
            ctx.write(out, ctx.voidPromise()); // flushed at the end of the read
        }
    }

    void onFetch(FetchFrame f) {
        shared.stats().fetches.increment();
        long waitMillis = Math.min(f.waitMillis(), shared.config().maxFetchWait().toMillis());
        if (waitMillis == 0 && shared.replication().settling(f.stream(), f.fromOffset())) {
            // held at a head drawing its chain together: "nothing there" would be wrong about held data
            waitMillis = shared.replication().settleMillis();
        }
        if (answer(f, waitMillis == 0 || parked.size() >= shared.config().maxParkedFetches())) {
            return;
        }
        Parked p = new Parked(f);
        parked.add(p);
        p.timeout = ctx.executor().schedule(p::expire, waitMillis, TimeUnit.MILLISECONDS);
        p.park();
    }

    /**
     * Reads and replies, unless the read is empty and {@code evenIfEmpty} is false.
     *
     * @return whether the request was answered (with messages, empty, or an error)
     */
    private boolean answer(FetchFrame f, boolean evenIfEmpty) {
        MessageLog log = shared.log();
        ReadResult r;
        long limit;
        try {
            limit = shared.replication().readLimit(f.stream());
            // at a head, nothing beyond what every chain member holds (a failover could replace it)
            long readable = Math.max(0, limit - f.fromOffset());
            r = log.read(f.stream(), f.fromOffset(), (int) Math.min(Math.max(1, readable),
                    Math.min(f.maxMessages(), MAX_MESSAGES_PER_REPLY)),
                    Math.min(f.maxBytes(), shared.config().maxFetchBytes()));
            if (readable == 0 && r.size() > 0) {
                r = new ReadResult(f.fromOffset(), List.of());
            }
        } catch (OffsetOutOfRangeException e) {
            errors.accept(ErrorFrame.of(ErrorCode.OFFSET_OUT_OF_RANGE, f.requestId(), 0, 0, e.firstOffset(),
                    e.getMessage()));
            return true;
        } catch (IOException e) {
            errors.accept(ErrorFrame.of(ErrorCode.STORAGE_ERROR, f.requestId(), 0, 0, 0, e.toString()));
            return true;
        } catch (IllegalStateException e) {
            errors.accept(ErrorFrame.of(ErrorCode.SHUTTING_DOWN, f.requestId(), 0, 0, 0, "the log is closed"));
            return true;
        }
        if (r.messages().isEmpty() && !evenIfEmpty) {
            return false;
        }
        long end = Math.max(limit, r.nextOffset());
        long first = Math.min(log.firstOffset(f.stream()), end);
        long size = 64;
        for (byte[] m : r.messages()) {
            size += FrameCodec.PER_MESSAGE_BYTES + m.length;
        }
        ByteBuf out = ctx.alloc().buffer((int) size);
        FrameCodec.messages(out, f.requestId(), f.fromOffset(), first, end, r.messages());
        ctx.write(out, ctx.voidPromise());
        shared.stats().messagesOut.add(r.size());
        return true;
    }

    /**
     * PULL from a node taking the stream over as its head: fences the stream here ({@link Headship#fence}: this
     * node stops writing it as a head), then answers with the batches asked for as stored (REPLICATE frames, with
     * their producer ids and sequences) and an OFFSETS_REPLY with this node's offsets; or an ERROR naming the
     * request.
     */
    void onPull(PullFrame p) {
        shared.stats().pullsServed.increment();
        long end = shared.appender().fence(p.stream(), shared.heads(), p.head());
        MessageLog log = shared.log();
        try {
            if (p.maxMessages() > 0 && p.fromOffset() < end) {
                for (StoredBatch b : log.readBatches(p.stream(), p.fromOffset(), Math.min(p.maxMessages(),
                        MAX_MESSAGES_PER_REPLY), Math.min(p.maxBytes(), shared.config().maxFetchBytes()))) {
                    ByteBuf out = ctx.alloc().buffer((int) FrameCodec.replicateFrameBytes(b.messages()));
                    FrameCodec.replicate(out, b.firstOffset(), b.producerId(), b.firstSequence(), b.messages());
                    ctx.write(out, ctx.voidPromise());
                }
            } else if (p.fromOffset() > end) {
                throw new OffsetOutOfRangeException(p.stream(), p.fromOffset(), log.firstOffset(p.stream()), end);
            }
        } catch (OffsetOutOfRangeException e) {
            errors.accept(ErrorFrame.of(ErrorCode.OFFSET_OUT_OF_RANGE, p.requestId(), 0, 0, e.firstOffset(),
                    e.getMessage()));
            return;
        } catch (IOException e) {
            errors.accept(ErrorFrame.of(ErrorCode.STORAGE_ERROR, p.requestId(), 0, 0, 0, e.toString()));
            return;
        } catch (IllegalStateException e) {
            errors.accept(ErrorFrame.of(ErrorCode.SHUTTING_DOWN, p.requestId(), 0, 0, 0, "the log is closed"));
            return;
        }
        long now = log.endOffset(p.stream());
        ByteBuf out = ctx.alloc().buffer(32);
        FrameCodec.encode(new OffsetsReplyFrame(p.requestId(), Math.min(log.firstOffset(p.stream()), now), now), out);
        ctx.write(out, ctx.voidPromise());
    }

    /** Forgets every parked fetch (the connection closed). */
    void closeAll() {
        for (Parked p : parked) {
            p.timeout.cancel(false);
            shared.waiters().unpark(p.fetch.stream(), p);
        }
        parked.clear();
    }

    /** A FETCH waiting at the end of its stream. Event-loop state, except {@link #wake()}. */
    private final class Parked implements FetchWaiters.Waiter {
        final FetchFrame fetch;
        ScheduledFuture<?> timeout;
        boolean done;

        Parked(FetchFrame fetch) {
            this.fetch = fetch;
        }

        /** Registers, then checks again for an append that came between the read and the registration. */
        void park() {
            shared.waiters().park(fetch.stream(), this);
            if (shared.replication().readLimit(fetch.stream()) > fetch.fromOffset()) {
                retry();
            }
        }

        @Override
        public void wake() {
            ctx.executor().execute(this::retry);
        }

        private void retry() {
            if (done) {
                return;
            }
            shared.waiters().unpark(fetch.stream(), this);
            if (answer(fetch, false)) {
                finish();
            } else {
                park();
            }
        }

        void expire() {
            if (done) {
                return;
            }
            shared.waiters().unpark(fetch.stream(), this);
            answer(fetch, true);
            finish();
        }

        private void finish() {
            done = true;
            timeout.cancel(false);
            parked.remove(this);
            ctx.flush();
        }
    }
}
