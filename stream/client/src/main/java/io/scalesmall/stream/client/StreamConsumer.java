package io.scalesmall.stream.client;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FetchFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.MessagesFrame;
import io.scalesmall.stream.protocol.OffsetsFrame;
import io.scalesmall.stream.protocol.OffsetsReplyFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads streams from a node: {@link #fetch} from an offset, {@link #offsets} of a stream, and {@link #follow} to
 * receive every message from an offset on as it arrives (long-poll FETCHes, one at a time, so a slow handler slows
 * only its own subscription's reads). Requests share one connection, opened on first use and again after it drops;
 * requests in flight when it drops fail with a {@link StreamException} (a follow retries them itself).
 *
 * <p><b>Several nodes.</b> Created with a list of nodes ({@link #create(List)}: the members of the stream's chain, or
 * any nodes holding it), the consumer reads from one at a time, starting with the first: every member of a chain
 * holds the same messages at the same offsets, and FETCH works at any of them. When a connection fails (cannot
 * connect, or dropped) the next connection goes to the next node of the list, round robin; the requests that were in
 * flight fail (code null) and a {@link #follow} resends its FETCH there, from the offset after the last message it
 * delivered, so it delivers no message twice and skips none. A follow also moves on when a node is shutting down or
 * is behind (it answers {@code OFFSET_OUT_OF_RANGE} for an offset past its end: a replica not yet caught up).
 *
 * <p>Thread-safe. Futures complete, and follow handlers run, on the client's I/O threads: they must not block for
 * long (a blocked handler delays every request of this consumer).
 */
public final class StreamConsumer implements AutoCloseable {
    /** The longest a follow's FETCH waits at the end of the stream before it asks again, ms. */
    static final int FOLLOW_WAIT_MILLIS = 10_000;

    private final List<InetSocketAddress> nodes;
    private final AtomicInteger requestIds = new AtomicInteger();
    /** A request waiting for its reply, and the connection it went out on. */
    private record Pending(CompletableFuture<Frame> reply, CompletableFuture<Channel> connection) {
    }

    private final Map<Integer, Pending> pending = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    /** The connection, or a connect in progress; null before the first request or after it dropped. */
    private CompletableFuture<Channel> connection;
    /** The index in {@link #nodes} of the node connected to, or to connect to next. */
    private int current;
    private volatile InetSocketAddress node;
    private volatile boolean closed;

    private StreamConsumer(List<InetSocketAddress> nodes) {
        this.nodes = ProducerConfig.checkNodes(nodes);
        this.node = this.nodes.get(0);
    }

    /** A consumer of the node at {@code node} (its data port); connects on first use. */
    public static StreamConsumer create(InetSocketAddress node) {
        return new StreamConsumer(List.of(Objects.requireNonNull(node, "node")));
    }

    /**
     * A consumer of whichever of {@code nodes} answers, first to last, moving to the next when a connection fails
     * (see the class comment). Connects on first use.
     *
     * @param nodes data ports of nodes holding the streams to read, 1..64, no duplicates
     * @throws IllegalArgumentException if the list is empty, too long or repeats an address
     */
    public static StreamConsumer create(List<InetSocketAddress> nodes) {
        return new StreamConsumer(nodes);
    }

    /** @return the nodes given, in order */
    public List<InetSocketAddress> nodes() {
        return nodes;
    }

    /** @return the node read from now (or next) */
    public InetSocketAddress node() {
        return node;
    }

    /**
     * Reads at most {@code maxMessages} messages (and about {@code maxBytes} bytes; the first message comes whatever
     * its size) from {@code fromOffset}. With {@code wait} above zero, a read at the end of the stream waits up to
     * that long (the node may cap it, at 30 s by default) for a message to arrive, then returns what there is.
     *
     * @return the messages; fails with {@link StreamException} (OFFSET_OUT_OF_RANGE with the first offset as
     *         detail, BAD_STREAM_NAME, or code null when the connection failed)
     */
    public CompletableFuture<Fetched> fetch(String stream, long fromOffset, int maxMessages, int maxBytes, Duration wait) {
        int id = requestIds.incrementAndGet();
        FetchFrame f = new FetchFrame(id, stream, fromOffset, maxMessages, maxBytes,
                (int) Math.min(Integer.MAX_VALUE, wait.toMillis()));
        return request(id, f).thenApply(r -> {
            MessagesFrame m = (MessagesFrame) r;
            return new Fetched(m.fromOffset(), m.firstOffset(), m.endOffset(), m.messages());
        });
    }

    /** @return the stream's first and end offsets (0 and 0 for a stream never written) */
    public CompletableFuture<Offsets> offsets(String stream) {
        int id = requestIds.incrementAndGet();
        return request(id, new OffsetsFrame(id, stream)).thenApply(r -> {
            OffsetsReplyFrame o = (OffsetsReplyFrame) r;
            return new Offsets(o.firstOffset(), o.endOffset());
        });
    }

    /**
     * Delivers every message of {@code stream} from {@code fromOffset} on, in order, as it arrives, until closed.
     * Connection failures are retried (every 100 ms to 2 s; with several nodes, at the next node); an error the node
     * reports ends the subscription, except, with several nodes, {@code SHUTTING_DOWN} and {@code OFFSET_OUT_OF_RANGE}
     * past the node's end (that node is behind): the follow then moves to the next node and retries, so a follow from
     * an offset beyond every node's end waits until one of them holds it.
     *
     * @param handler called with (offset, message) on an I/O thread, one message at a time
     */
    public Subscription follow(String stream, long fromOffset, MessageHandler handler) {
        Follower f = new Follower(this, stream, fromOffset, handler);
        f.next();
        return f;
    }

    /** Receives followed messages. */
    @FunctionalInterface
    public interface MessageHandler {
        /** @param offset the message's offset; @param message its bytes (the handler's to keep) */
        void onMessage(long offset, byte[] message);
    }

    private CompletableFuture<Frame> request(int id, Frame f) {
        CompletableFuture<Frame> reply = new CompletableFuture<>();
        if (closed) {
            reply.completeExceptionally(new StreamException("consumer closed"));
            return reply;
        }
        ByteBuf out = Unpooled.buffer();
        try {
            FrameCodec.encode(f, out); // checks the stream name
        } catch (IllegalArgumentException e) {
            reply.completeExceptionally(new StreamException(ErrorCode.BAD_STREAM_NAME, 0, e.getMessage()));
            return reply;
        }
        CompletableFuture<Channel> connection = channel();
        pending.put(id, new Pending(reply, connection));
        connection.whenComplete((ch, t) -> {
            if (t != null) {
                pending.remove(id);
                reply.completeExceptionally(new StreamException("cannot reach the node: " + t.getMessage(), t));
            } else {
                ch.writeAndFlush(out).addListener(done -> {
                    if (!done.isSuccess() && pending.remove(id) != null) {
                        reply.completeExceptionally(new StreamException("write to " + ch.remoteAddress() + " failed",
                                done.cause()));
                    }
                });
            }
        });
        return reply;
    }

    private CompletableFuture<Channel> channel() {
        synchronized (lock) {
            if (connection != null) {
                return connection;
            }
            CompletableFuture<Channel> c = new CompletableFuture<>();
            connection = c;
            InetSocketAddress node = nodes.get(current);
            ChannelFuture cf = ClientChannel.connect(node, new ClientChannel.Listener() {
                @Override
                public void onActive(Channel ch) {
                    c.complete(ch);
                }

                @Override
                public void onFrame(Channel ch, Frame f) {
                    onReply(ch, f);
                }

                @Override
                public void onClosed(Channel ch, Throwable cause) {
                    dropped(c, cause == null ? new StreamException("connection to " + node + " closed")
                            : new StreamException("connection to " + node + " failed: " + cause, cause));
                }
            });
            cf.addListener(done -> {
                if (!done.isSuccess()) {
                    dropped(c, done.cause());
                }
            });
            return c;
        }
    }

    private void dropped(CompletableFuture<Channel> c, Throwable cause) {
        synchronized (lock) {
            if (connection == c) {
                connection = null;
                current = (current + 1) % nodes.size(); // the next request goes to the next node
                node = nodes.get(current);
            }
        }
        c.completeExceptionally(cause);
        // Replies that will never come: fail the requests that went out on this connection.
        Throwable failure = cause instanceof StreamException ? cause : new StreamException(cause.toString(), cause);
        pending.entrySet().removeIf(e -> {
            if (e.getValue().connection() != c) {
                return false;
            }
            e.getValue().reply().completeExceptionally(failure);
            return true;
        });
    }

    private void onReply(Channel ch, Frame f) {
        int id;
        if (f instanceof MessagesFrame m) {
            id = m.requestId();
        } else if (f instanceof OffsetsReplyFrame o) {
            id = o.requestId();
        } else if (f instanceof ErrorFrame e) {
            Pending r = e.requestId() == 0 ? null : pending.remove(e.requestId());
            if (r != null) {
                r.reply().completeExceptionally(new StreamException(e.errorCode(), e.detail(), e.text()));
            } else {
                ch.close(); // a connection-level error: the node closes it anyway
            }
            return;
        } else {
            ch.close();
            return;
        }
        Pending r = pending.remove(id);
        if (r != null) {
            r.reply().complete(f);
        }
    }

    /** Closes the connection; requests in flight fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        CompletableFuture<Channel> c;
        synchronized (lock) {
            c = connection;
            connection = null;
        }
        if (c != null) {
            c.thenAccept(ch -> ch.close().awaitUninterruptibly(1_000));
        }
        pending.entrySet().removeIf(e -> {
            e.getValue().reply().completeExceptionally(new StreamException("consumer closed"));
            return true;
        });
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Leaves the node read from now (closes its connection: requests in flight there fail, code null), so that the
     * next request goes to the next node. Does nothing with a single node.
     */
    void moveOn() {
        CompletableFuture<Channel> c;
        synchronized (lock) {
            c = nodes.size() > 1 ? connection : null;
        }
        if (c != null) {
            c.thenAccept(Channel::close);
        }
    }
}
