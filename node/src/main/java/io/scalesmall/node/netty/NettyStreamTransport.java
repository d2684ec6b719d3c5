package io.scalesmall.node.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.scalesmall.chatter.transport.StreamTransport;
import io.scalesmall.chatter.transport.TransportStats;
import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TCP over Netty: a listener on {@code (bindAddress, port)} and, per peer {@link NetId}, one outbound connection
 * opened on demand and reused ({@link OutboundPeer}).
 *
 * <p><b>Connections.</b> A connection carries frames one way: a node sends only on connections it opened and
 * receives on those it accepted, so two nodes talking both ways hold two connections. This needs no
 * tie-breaking between simultaneous connects and no mapping of an accepted connection's ephemeral source port
 * to a node id. (Frames that do arrive on an outbound connection are delivered all the same.) Every connection
 * is closed after {@link NettyConfig#idleTimeout()} without traffic either way, and at once on a framing error.
 *
 * <p><b>Bounded state.</b> The per-peer table holds only peers with a connection, a connect under way or queued
 * frames: an entry is dropped when its connection closes with nothing queued, or its connect fails
 * ({@link OutboundPeer}). At most {@link NettyConfig#maxOutboundConnections()} outbound connections are open or
 * opening: opening one more first closes the least recently used one (by last send; one with nothing queued
 * preferred). So a node's outbound sockets and table stay bounded whatever the cluster's size;
 * {@link #inboundConnections()}, {@link #outboundConnections()}, {@link #outboundPeers()} and
 * {@link #evictions()} show it.
 *
 * <p><b>Framing.</b> Inbound bytes are cut into frames by the length at header bytes 9..12
 * (docs/wire-format.md §1): a frame is {@code 13 + L} bytes. A length making a frame over
 * {@link NettyConfig#maxFrameBytes()} closes the connection before anything is buffered for it. Frames are not
 * otherwise checked here; the codec does that above.
 *
 * <p><b>Threads.</b> {@link #send} may be called from any thread and never blocks; it takes ownership of the
 * array (it must not be changed afterwards). The handler runs on an event-loop thread. All network work runs
 * on one group of {@link NettyConfig#ioThreads()} loops; each peer's connection state belongs to one of them.
 * {@link #start} and {@link #close} block the caller (binding; the close flush), so call them from outside the
 * transport's threads (from a handler, {@code close} skips the flush rather than deadlock).
 */
public final class NettyStreamTransport implements StreamTransport {
    private static final Logger LOG = LoggerFactory.getLogger(NettyStreamTransport.class);
    /** On an outbound channel: the peer it belongs to. */
    static final AttributeKey<OutboundPeer> PEER = AttributeKey.valueOf(NettyStreamTransport.class, "peer");
    /** Byte offset of the body length in a frame header. */
    static final int LENGTH_OFFSET = 9;
    /** Bytes of a frame header. */
    static final int HEADER_BYTES = 13;

    private static final int NEW = 0;
    /** Sends are accepted. */
    private static final int RUNNING = 1;
    /** close() is flushing: sends are dropped, queued frames still go out, connections are still opened. */
    private static final int FLUSHING = 2;
    /** Nothing is written any more. */
    private static final int CLOSED = 3;

    final NettyConfig config;
    /** {@code bind:port}, first in every log line. */
    final String name;
    final TransportStats stats = new TransportStats();
    /** Connections closed for an oversized or corrupt frame length. */
    final LongAdder framingErrors = new LongAdder();
    /** Connections closed by a socket error (reset, broken pipe). */
    final LongAdder ioErrors = new LongAdder();
    /** Connections closed for idleness. */
    final LongAdder idleCloses = new LongAdder();
    /** Connect attempts that failed or timed out. */
    final LongAdder connectFailures = new LongAdder();
    /** Frames dropped because their peer's queue was full (also counted in {@code stats.dropped}). */
    final LongAdder queueFullDrops = new LongAdder();
    /** Handler calls that threw. */
    final LongAdder handlerFailures = new LongAdder();
    /** Frames accepted by send and not yet written or dropped; close() waits for this to reach 0. */
    final AtomicLong unsettled = new AtomicLong();
    /** Established connections by direction, maintained by {@link FrameHandler}. */
    final AtomicInteger inboundOpen = new AtomicInteger();
    final AtomicInteger outboundOpen = new AtomicInteger();

    private final AtomicInteger state = new AtomicInteger(NEW);
    private final AtomicBoolean started = new AtomicBoolean();
    /** The per-peer outbound connections and their bound. */
    final OutboundTable table;
    // Written by start() before state becomes RUNNING (a volatile write), read after reading it: safely published.
    private EventLoopGroup group;
    private Channel server;
    private ChannelGroup connections;
    private Bootstrap client;
    private FrameHandler frames;

    /** @param config the settings; nothing is bound until {@link #start} */
    public NettyStreamTransport(NettyConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.name = Loops.describe(config.bindAddress(), config.port());
        this.table = new OutboundTable(name, config.maxOutboundConnections());
    }

    /**
     * Binds the listener.
     *
     * @throws IOException naming the address and port when the listener cannot bind; the transport is then closed
     * @throws IllegalStateException if called twice or after {@link #close}
     */
    @Override
    public void start(Handler handler) throws IOException {
        Objects.requireNonNull(handler, "handler");
        if (!started.compareAndSet(false, true) || state.get() != NEW) {
            throw new IllegalStateException(name + " stream transport: start called twice or after close");
        }
        group = Loops.newGroup(config.ioThreads(), "tcp", config.port());
        connections = new DefaultChannelGroup(name + "-tcp", GlobalEventExecutor.INSTANCE);
        frames = new FrameHandler(this, handler, connections);
        ChannelInitializer<Channel> pipeline = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast("idle", new IdleStateHandler(0, 0, config.idleTimeout().toMillis(), TimeUnit.MILLISECONDS))
                        .addLast("framer", new LengthFieldBasedFrameDecoder(config.maxFrameBytes(), LENGTH_OFFSET, 4, 0,
                                0, true))
                        .addLast("frames", frames);
            }
        };
        client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(pipeline);
        ChannelFuture bound = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true) // rebind at once after a restart (TIME_WAIT)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(pipeline)
                .bind(config.bindSocketAddress()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            bound.channel().close();
            Loops.shutdown(group);
            state.set(CLOSED);
            throw new IOException(name + ": cannot listen on TCP " + name + " (port " + config.port() + "): "
                    + bound.cause().getMessage(), bound.cause());
        }
        server = bound.channel();
        if (!state.compareAndSet(NEW, RUNNING)) {
            server.close().awaitUninterruptibly(); // closed concurrently with start
            Loops.shutdown(group);
            return;
        }
        LOG.info("{} stream transport listening on TCP {} (max frame {} bytes, idle {}, connect timeout {}, at most {} "
                + "outbound connections)", name, server.localAddress(), config.maxFrameBytes(), config.idleTimeout(),
                config.connectTimeout(), config.maxOutboundConnections());
    }

    /**
     * Queues {@code frame} for {@code to}, connecting if needed; see {@link StreamTransport#send}.
     *
     * @param frame one whole frame: {@code 13 + L} bytes, L being its bytes 9..12; the transport owns it from now
     * @throws IllegalArgumentException if {@code frame} is not one whole frame (a caller's bug that would
     *                                  desynchronise the stream)
     */
    @Override
    public void send(NetId to, byte[] frame) {
        Objects.requireNonNull(to, "to");
        checkWholeFrame(frame);
        if (state.get() != RUNNING || frame.length > config.maxFrameBytes()) {
            stats.dropped.increment();
            LOG.trace("{} dropped a {}-byte frame to {} (closed or oversized)", name, frame.length, to);
            return;
        }
        table.offer(to, frame, id -> new OutboundPeer(this, id, group.next(), client));
    }

    private static void checkWholeFrame(byte[] frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.length < HEADER_BYTES) {
            throw new IllegalArgumentException("frame: " + frame.length + " bytes, shorter than the "
                    + HEADER_BYTES + "-byte header");
        }
        long announced = HEADER_BYTES + (((frame[LENGTH_OFFSET] & 0xFFL) << 24) | ((frame[LENGTH_OFFSET + 1] & 0xFF) << 16)
                | ((frame[LENGTH_OFFSET + 2] & 0xFF) << 8) | (frame[LENGTH_OFFSET + 3] & 0xFF));
        if (announced != frame.length) {
            throw new IllegalArgumentException("frame: " + frame.length + " bytes, but its header announces "
                    + announced);
        }
    }

    /** @return true while queued frames may still be written (running, or flushing in close) */
    boolean writing() {
        int s = state.get();
        return s == RUNNING || s == FLUSHING;
    }

    @Override
    public TransportStats stats() {
        return stats;
    }

    /** @return active inbound and outbound connections */
    @Override
    public int openConnections() {
        ChannelGroup c = connections;
        return c == null ? 0 : (int) c.stream().filter(Channel::isActive).count();
    }

    /** @return established connections accepted from peers, {@code >= 0} */
    public int inboundConnections() {
        return inboundOpen.get();
    }

    /** @return established connections this node opened, {@code >= 0}; at most about maxOutboundConnections */
    public int outboundConnections() {
        return outboundOpen.get();
    }

    /** @return entries in the per-peer table: peers with a connection, a connect under way or queued frames */
    public int outboundPeers() {
        return table.size();
    }

    /** @return outbound connections closed to stay within {@link NettyConfig#maxOutboundConnections()} */
    public long evictions() {
        return table.evictions();
    }

    /** @return connections closed because a frame's length was oversized or corrupt */
    public long framingErrors() {
        return framingErrors.sum();
    }

    /** @return connections closed by a socket error */
    public long ioErrors() {
        return ioErrors.sum();
    }

    /** @return connections closed after {@link NettyConfig#idleTimeout()} without traffic */
    public long idleCloses() {
        return idleCloses.sum();
    }

    /** @return connect attempts that failed or timed out (each drops that peer's queued frames) */
    public long connectFailures() {
        return connectFailures.sum();
    }

    /** @return frames dropped because their peer's queue held {@link NettyConfig#maxQueuedFramesPerPeer()} */
    public long queueFullDrops() {
        return queueFullDrops.sum();
    }

    /** @return handler calls that threw (the frame is lost; the connection stays open) */
    public long handlerFailures() {
        return handlerFailures.sum();
    }

    /** @return the event loops, for tests that need to hold them; null before start */
    EventLoopGroup eventLoops() {
        return group;
    }

    /**
     * Stops accepting, gives queued frames up to {@link NettyConfig#closeFlushTimeout()} to be written (so a final
     * leave goes out), then closes every connection and stops the event loops; frames still queued are dropped
     * and counted. Idempotent. Called on a transport thread, it does not wait for the flush.
     */
    @Override
    public void close() {
        if (!state.compareAndSet(RUNNING, FLUSHING)) {
            state.compareAndSet(NEW, CLOSED);
            return;
        }
        boolean onLoop = Loops.inLoop(group);
        ChannelFuture unbound = server.close();
        if (!onLoop) {
            unbound.awaitUninterruptibly(Loops.SHUTDOWN_TIMEOUT.toMillis());
        }
        table.peers().forEach(OutboundPeer::scheduleDrain);
        boolean flushed = onLoop || Loops.awaitCondition(() -> unsettled.get() == 0, config.closeFlushTimeout());
        state.set(CLOSED);
        var closing = connections.close();
        if (!onLoop) {
            closing.awaitUninterruptibly(Loops.SHUTDOWN_TIMEOUT.toMillis());
        }
        Loops.shutdown(group);
        int unsent = 0;
        for (OutboundPeer p : table.peers()) {
            unsent += p.dropQueued();
        }
        LOG.info("{} stream transport closed ({}{} frames unsent)", name, flushed ? "" : "flush timed out, ", unsent);
    }
}
