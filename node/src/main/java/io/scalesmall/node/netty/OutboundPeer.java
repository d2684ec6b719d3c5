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
 * on {@link #loop}, the event loop the peer's connections are registered with, which alone writes
 * {@link #channel} and {@link #connecting}. A drain connects if there is no connection, else writes queued frames
 * while the connection is writable; a connection becoming writable again, a connect completing, and every offer
 * schedule another drain. A failed connect drops the queue: the next offer tries again.
 *
 * <p><b>Garbage collection.</b> An entry lives in the transport's per-peer table only while it has a connection,
 * a connect under way or queued frames: when its connection closes (idle timeout, error, eviction, the peer
 * closing) with nothing queued, or a connect fails, it asks the transport to drop it
 * ({@link OutboundTable#retire}). Each connect takes one of the transport's outbound slots, released when
 * that connect fails or that connection closes; taking one beyond {@link NettyConfig#maxOutboundConnections()}
 * evicts the least recently used connection of another peer ({@link #evict}).
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
    /** The current connection, or null. Written on the loop only; read by other loops to pick an eviction victim. */
    private volatile Channel channel;
    /** True while a connect is under way. Loop only. */
    private boolean connecting;
    /** When this peer was last offered a frame, as the table's use counter (higher is more recent). Any thread. */
    private volatile long lastUse;
    /** True from an eviction request until the connection it closes has closed. Any thread. */
    private final AtomicBoolean evicting = new AtomicBoolean();

    /** @param template the transport's client bootstrap; cloned onto {@code loop} */
    OutboundPeer(NettyStreamTransport owner, NetId id, EventLoop loop, Bootstrap template) {
        this.owner = owner;
        this.id = id;
        this.loop = loop;
        this.queue = new LinkedBlockingQueue<>(owner.config.maxQueuedFramesPerPeer());
        this.bootstrap = template.clone(loop).remoteAddress(new InetSocketAddress(id.address(), id.port()));
        bootstrap.attr(NettyStreamTransport.PEER, this);
    }

    /**
     * Queues {@code frame}, or drops and counts it if the queue is full. Any thread; never blocks.
     *
     * @param use the table's use counter at this offer (the peer's recency for LRU eviction)
     */
    void offer(byte[] frame, long use) {
        lastUse = use;
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
        owner.table.takeSlot(this);
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
            owner.table.releaseSlot();
            owner.connectFailures.increment();
            int n = dropQueued();
            LOG.debug("{} cannot connect to {} ({}); dropped {} queued frames", owner.name, id, f.cause(), n);
            owner.table.retire(this);
            return;
        }
        Channel ch = f.channel();
        channel = ch;
        ch.closeFuture().addListener((ChannelFutureListener) cf -> closed(ch));
        drain();
    }

    /** On the loop, once per connection that was established: releases its slot, then reconnects or retires. */
    private void closed(Channel ch) {
        owner.table.releaseSlot();
        if (channel == ch) {
            channel = null;
            evicting.set(false);
            if (!queue.isEmpty()) {
                scheduleDrain(); // reconnect for what is queued
            } else {
                owner.table.retire(this);
            }
        }
    }

    /**
     * @return true if this peer may be dropped from the table: no connection, no connect under way, nothing
     *         queued. Loop only; the transport calls it while holding this peer's table entry, so no offer
     *         can slip in between the check and the removal.
     */
    boolean retirable() {
        return channel == null && !connecting && queue.isEmpty();
    }

    /** @return true if this peer holds an established connection that is not already being evicted. Any thread. */
    boolean evictable() {
        Channel ch = channel;
        return ch != null && ch.isActive() && !evicting.get();
    }

    /** @return true if nothing is queued for this peer. Any thread. */
    boolean idle() {
        return queue.isEmpty();
    }

    /** @return this peer's last use on the transport's use counter (higher is more recent). Any thread. */
    long lastUse() {
        return lastUse;
    }

    /** @return the peer's id */
    NetId id() {
        return id;
    }

    /**
     * Closes this peer's connection on its loop to free an outbound slot; queued frames (if any) reconnect
     * later. Any thread.
     *
     * @return false if an eviction of this peer is already under way, or its loop is shutting down
     */
    boolean evict() {
        if (!evicting.compareAndSet(false, true)) {
            return false;
        }
        try {
            loop.execute(() -> {
                Channel ch = channel;
                if (ch != null) {
                    ch.close();
                } else {
                    evicting.set(false);
                }
            });
            return true;
        } catch (RejectedExecutionException e) {
            evicting.set(false);
            return false;
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
