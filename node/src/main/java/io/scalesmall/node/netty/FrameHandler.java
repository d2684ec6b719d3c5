package io.scalesmall.node.netty;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.scalesmall.chatter.transport.StreamTransport;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of every TCP connection, inbound and outbound: registers the connection, copies each whole
 * frame (cut by the length decoder before it) out of its buffer and hands it to the transport's handler, closes
 * the connection when idle or on an error, and resumes a peer's queue when its connection becomes writable
 * again. Shared by all connections; stateless apart from counters, so it runs on any event loop.
 */
@ChannelHandler.Sharable
final class FrameHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameHandler.class);

    private final NettyStreamTransport owner;
    private final StreamTransport.Handler handler;
    private final ChannelGroup connections;

    FrameHandler(NettyStreamTransport owner, StreamTransport.Handler handler, ChannelGroup connections) {
        this.owner = owner;
        this.handler = handler;
        this.connections = connections;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        connections.add(ch);
        (ch.hasAttr(NettyStreamTransport.PEER) ? owner.outboundOpen : owner.inboundOpen).incrementAndGet();
        LOG.debug("{} connection {} {} {}", owner.name, ch.localAddress(), ch.hasAttr(NettyStreamTransport.PEER)
                ? "->" : "<-", ch.remoteAddress());
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        (ctx.channel().hasAttr(NettyStreamTransport.PEER) ? owner.outboundOpen : owner.inboundOpen).decrementAndGet();
        LOG.debug("{} connection {} / {} closed", owner.name, ctx.channel().localAddress(), ctx.channel().remoteAddress());
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        int n = frame.readableBytes();
        byte[] bytes = ByteBufUtil.getBytes(frame);
        owner.stats.messagesIn.increment();
        owner.stats.bytesIn.add(n);
        InetSocketAddress from = (InetSocketAddress) ctx.channel().remoteAddress();
        LOG.trace("{} received a {}-byte frame from {}", owner.name, n, from);
        try {
            handler.onFrame(from, bytes);
        } catch (RuntimeException e) {
            owner.handlerFailures.increment();
            LOG.debug("{} frame handler failed on {} bytes from {}", owner.name, n, from, e);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel ch = ctx.channel();
        OutboundPeer peer = ch.attr(NettyStreamTransport.PEER).get();
        if (peer != null && ch.isWritable()) {
            peer.scheduleDrain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            owner.idleCloses.increment();
            LOG.debug("{} closing idle connection to {}", owner.name, ctx.channel().remoteAddress());
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException) {
            owner.framingErrors.increment();
        } else {
            owner.ioErrors.increment();
        }
        LOG.debug("{} closing connection to {}: {}", owner.name, ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
