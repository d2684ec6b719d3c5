package io.scalesmall.node.netty;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.scalesmall.topology.NetId;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The outbound side of one peer: a bounded queue of frames and at most one connection.
 *
 * <p>Any thread may {@link #offer} (a full queue drops the frame) and {@link #scheduleDrain}. Everything else runs
 * on {@link #loop}, the event loop the peer's connections are registered with, which alone touches
 * {@link #channel} and {@link #connecting}. A drain connects if there is no connection, else writes queued frames
 * while the connection is writable; a connection becoming writable again, a connect completing, and every offer
 * schedule another drain. A failed connect drops the queue: the next offer tries again.
 */
final class OutboundPeer {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundPeer.class);

    private final NettyStreamTransport owner;
    private final NetId id;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    /** Frames waiting for a connection or for writability; bounded by maxQueuedFramesPerPeer. Any thread. */
    private final BlockingQueue<byte[]> queue;
    /** True while a drain task is queued on {@link #loop} and has not started. Any thread. */
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    /** The current connection, or null. Loop only. */
    private Channel channel;
    /** True while a connect is under way. Loop only. */
    private boolean connecting;

    /** @param template the transport's client bootstrap; cloned onto {@code loop} */
    OutboundPeer(NettyStreamTransport owner, NetId id, EventLoop loop, Bootstrap template) {
        this.owner = owner;
        this.id = id;
        this.loop = loop;
        this.queue = new LinkedBlockingQueue<>(owner.config.maxQueuedFramesPerPeer());
        this.bootstrap = template.clone(loop).remoteAddress(new InetSocketAddress(id.address(), id.port()));
        bootstrap.attr(NettyStreamTransport.PEER, this);
    }

    /** Queues {@code frame}, or drops and counts it if the queue is full. Any thread; never blocks. */
    void offer(byte[] frame) {
        owner.unsettled.incrementAndGet();
        if (!queue.offer(frame)) {
            owner.unsettled.decrementAndGet();
            owner.queueFullDrops.increment();
            owner.stats.dropped.increment();
            LOG.trace("{} queue for {} full: dropped a {}-byte frame", owner.name, id, frame.length);
            return;
        }
        scheduleDrain();
    }

    /** Makes sure a drain will run on the loop. Any thread. */
    void scheduleDrain() {
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                loop.execute(this::drain);
            } catch (RejectedExecutionException e) { // the loop is shutting down
                drainScheduled.set(false);
                dropQueued();
            }
        }
    }

    private void drain() {
        drainScheduled.set(false);
        if (!owner.writing()) {
            dropQueued();
            return;
        }
        Channel ch = channel;
        if (ch == null || !ch.isActive()) {
            if (!connecting && !queue.isEmpty()) {
                connect();
            }
            return;
        }
        boolean wrote = false;
        byte[] frame;
        while (ch.isWritable() && (frame = queue.poll()) != null) {
            ch.write(Unpooled.wrappedBuffer(frame)).addListener(new Written(owner, frame.length));
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    private void connect() {
        connecting = true;
        LOG.debug("{} connecting to {}", owner.name, id);
        bootstrap.connect().addListener((ChannelFutureListener) this::connected);
    }

    private void connected(ChannelFuture f) {
        if (!loop.inEventLoop()) { // a failed registration notifies on another executor
            try {
                loop.execute(() -> connected(f));
            } catch (RejectedExecutionException e) {
                dropQueued();
            }
            return;
        }
        connecting = false;
        if (!f.isSuccess()) {
            owner.connectFailures.increment();
            int n = dropQueued();
            LOG.debug("{} cannot connect to {} ({}); dropped {} queued frames", owner.name, id, f.cause(), n);
            return;
        }
        Channel ch = f.channel();
        channel = ch;
        ch.closeFuture().addListener((ChannelFutureListener) cf -> closed(ch));
        drain();
    }

    private void closed(Channel ch) {
        if (channel == ch) {
            channel = null;
            if (!queue.isEmpty()) {
                scheduleDrain(); // reconnect for what is queued
            }
        }
    }

    /** Drops and counts every queued frame. Any thread. @return how many */
    int dropQueued() {
        int n = 0;
        while (queue.poll() != null) {
            n++;
        }
        if (n > 0) {
            owner.stats.dropped.add(n);
            owner.unsettled.addAndGet(-n);
        }
        return n;
    }

    /** Counts a written frame as sent, or a failed one as dropped. */
    private static final class Written implements ChannelFutureListener {
        private final NettyStreamTransport owner;
        private final int bytes;

        Written(NettyStreamTransport owner, int bytes) {
            this.owner = owner;
            this.bytes = bytes;
        }

        @Override
        public void operationComplete(ChannelFuture f) {
            if (f.isSuccess()) {
                owner.stats.messagesOut.increment();
                owner.stats.bytesOut.add(bytes);
            } else {
                owner.stats.dropped.increment();
            }
            owner.unsettled.decrementAndGet();
        }
    }
}
