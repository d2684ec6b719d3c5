package io.scalesmall.stream.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.protocol.FrameSplitter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link MessageLog} over the stream protocol (docs/wire-format.md, part 2) on one TCP port: producer sessions
 * with batched memory acks and group-committed disk acks, consumers with long-poll fetches, and the log's retention
 * applied periodically. Each connection gets a {@link FrameSplitter} and a {@link Session}; malformed or hostile
 * input closes that connection only and is counted in {@link #stats()}.
 *
 * <p>The server does not own the log: {@link #close()} stops serving and leaves the log open (the caller closes
 * it, after the server). Thread-safe.
 */
public final class StreamServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamServer.class);

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final ChannelGroup connections;
    private final GroupCommitter committer;
    private final Shared shared;

    private StreamServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener, ChannelGroup connections,
            GroupCommitter committer, Shared shared) {
        this.boss = boss;
        this.workers = workers;
        this.listener = listener;
        this.connections = connections;
        this.committer = committer;
        this.shared = shared;
    }

    /**
     * Starts serving {@code log}.
     *
     * @throws IOException if the address cannot be bound; the message names it
     */
    public static StreamServer start(MessageLog log, StreamServerConfig config) throws IOException {
        return start(log, config, ChainResolver.single(), ChainTimings.defaults());
    }

    /**
     * Starts serving {@code log} as a member of replication chains (docs/wire-format.md §S10): a client INIT is
     * accepted only if this node is the head of the stream's chain ({@code NOT_HEAD} names the head otherwise),
     * the head replicates each stream whose sessions ask for more than one copy down the chain, and a replica
     * stores what its upstream sends at the head's offsets.
     *
     * @param resolver the stream's chains and this node's id; {@link ChainResolver#single()} is a chain of one
     * @param timings  how chain links connect, retry and back off
     * @throws IOException if the address cannot be bound; the message names it
     */
    public static StreamServer start(MessageLog log, StreamServerConfig config, ChainResolver resolver,
            ChainTimings timings) throws IOException {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(resolver, "resolver");
        Objects.requireNonNull(timings, "timings");
        int port = config.bind().getPort();
        ServerStats stats = new ServerStats();
        EventLoopGroup boss = new NioEventLoopGroup(1, new DefaultThreadFactory("scalesmall-data-accept-" + port, true));
        EventLoopGroup workers = new NioEventLoopGroup(config.ioThreads(),
                new DefaultThreadFactory("scalesmall-data-" + port, true));
        GroupCommitter committer = new GroupCommitter(log, stats, "scalesmall-commit-" + port);
        ChainLinks links = new ChainLinks(log, resolver, timings, stats, workers);
        Shared shared = new Shared(log, new LogAppender(log, links), committer, new FetchWaiters(), stats, config,
                links);
        ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 2 << 20))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(new FrameSplitter(config.maxFrameBytes()), new Session(shared));
                    }
                });
        ChannelFuture bound = b.bind(config.bind()).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            committer.close();
            boss.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            workers.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            Throwable cause = bound.cause();
            throw new IOException("cannot listen on " + config.bind().getAddress().getHostAddress() + ":" + port
                    + " (" + cause.getMessage() + ")", cause);
        }
        Channel listener = bound.channel();
        if (!config.retentionInterval().isZero()) {
            long every = config.retentionInterval().toMillis();
            boss.scheduleAtFixedRate(() -> {
                try {
                    long dropped = log.enforceRetention(System.currentTimeMillis());
                    if (dropped > 0) {
                        LOG.info("retention dropped {} messages", dropped);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("retention failed: {}", e.toString());
                }
            }, every, every, TimeUnit.MILLISECONDS);
        }
        StreamServer s = new StreamServer(boss, workers, listener, connections, committer, shared);
        LOG.info("stream server listening on {}", s.address());
        return s;
    }

    /** @return the address the server listens on (with the actual port when 0 was asked for) */
    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** @return the server's counters */
    public ServerStats stats() {
        return shared.stats();
    }

    /** @return connections open now */
    public int connections() {
        return connections.size();
    }

    /** @return FETCHes waiting for messages now */
    public int parkedFetches() {
        return shared.waiters().size();
    }

    /** @return chain links open now (one per stream this node replicates to a next member) */
    public int chainLinks() {
        return shared.links().size();
    }

    /** Stops listening, closes every connection, chain link and the group committer. The log stays open. Idempotent. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        shared.links().closeAll();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        committer.close();
        boss.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
