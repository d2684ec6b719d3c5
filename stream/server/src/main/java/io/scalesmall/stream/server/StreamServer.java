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
import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.protocol.FrameSplitter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
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
    /** Threads running heads' catch-ups (blocking requests to other holders); idle ones end after 30 s. */
    private static final int CATCH_UP_THREADS = 4;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Channel listener;
    private final ChannelGroup connections;
    private final GroupCommitter committer;
    private final Shared shared;
    private final ExecutorService catchUps;

    private StreamServer(EventLoopGroup boss, EventLoopGroup workers, Channel listener, ChannelGroup connections,
            GroupCommitter committer, Shared shared, ExecutorService catchUps) {
        this.catchUps = catchUps;
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
        EventLoopGroup boss = new NioEventLoopGroup(1,
                new DefaultThreadFactory("scalesmall-data-accept-" + port, true));
        EventLoopGroup workers = new NioEventLoopGroup(config.ioThreads(), ThreadSlice.factory(
                new DefaultThreadFactory("scalesmall-data-" + port, true), config.ioSliceNanos(), "data event loops"));
        GroupCommitter committer = new GroupCommitter(log, stats, ThreadSlice.factory(
                r -> new Thread(r, "scalesmall-commit-" + port), config.ioSliceNanos(), "group commit"));
        FetchWaiters waiters = new FetchWaiters();
        ChainLinks links = new ChainLinks(log, resolver, timings, stats, workers, waiters);
        LogAppender appender = new LogAppender(log, links);
        ThreadPoolExecutor catchUps = new ThreadPoolExecutor(CATCH_UP_THREADS, CATCH_UP_THREADS, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), new DefaultThreadFactory("scalesmall-catchup-" + port, true));
        catchUps.allowCoreThreadTimeOut(true);
        Headship heads = new Headship(new CatchUp(resolver, log, appender, timings, catchUps, stats,
                links.self())::start,
                timings.fenceTime().toNanos(), System::nanoTime, links.self());
        Replication replication = new Replication(log, resolver, links, heads, timings, stats, workers,
                catchUps);
        Shared shared = new Shared(log, appender, committer, waiters, stats, config, links, heads, replication);
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
            catchUps.shutdownNow();
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
        StreamServer s = new StreamServer(boss, workers, listener, connections, committer, shared, catchUps);
        LOG.info("stream server listening on {}", s.address());
        return s;
    }

    /** The event loops serving connections (tests: what runs on them). */
    EventLoopGroup workers() {
        return workers;
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

    /**
     * Makes the chain of {@code stream} hold the whole stream, without a producer (after a chain change: a member
     * died, left or joined). If this node heads the stream's chain, it first catches up with the stream's other
     * holders (members of its route of any priority: {@link ChainResolver#holders}), as it does before the first
     * client INIT, then replicates down the chain until every other member holds, on disk, what this node held
     * then. If another node heads it and this node holds some of it, this node asks the head for the stream's
     * offsets, which makes the head do the same (a new head may not know the stream exists), and, if it is a middle
     * member with no link for the stream, replicates to the members after it until they hold what it holds (the
     * head counts copies, not members: one whose view still had a departed member counted that one's copy).
     * Concurrent calls for one stream share one run. Thread-safe; never blocks.
     *
     * @return completes with true once the chain holds the stream, false if this node is not the stream's head or
     *         the chain did not catch up within {@link ChainTimings#catchUpTimeout()} (the link keeps shipping;
     *         call again to wait again); exceptionally ({@link IOException}) if the catch-up failed (a holder did
     *         not answer in time)
     */
    public CompletableFuture<Boolean> ensureReplicated(String stream) {
        return shared.replication().ensure(Objects.requireNonNull(stream, "stream"));
    }

    /** Stops listening, closes every connection, chain link and the group committer. The log stays open. Idempotent. */
    @Override
    public void close() {
        catchUps.shutdownNow();
        listener.close().syncUninterruptibly();
        shared.links().closeAll();
        connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        committer.close();
        boss.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
}
