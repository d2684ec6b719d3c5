package io.scalesmall.stream.server;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.scalesmall.stream.protocol.ChainAckFrame;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.FrameSplitter;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.stream.protocol.ProtocolException;
import java.time.Duration;

/**
 * One connection of a {@link ChainLink} to the next member of the chain: sends the INIT when connected, and hands
 * what comes back (INIT_OK, CHAIN_ACK, ERROR) or the connection's end to the link. Anything else the member sends
 * is a failure of that member. Runs on the link's event loop (the channel is registered there).
 */
final class Downstream extends ChannelInboundHandlerAdapter {
    private final ChainLink link;
    private final ChainResolver.Member member;
    private final InitFrame init;
    private Channel channel;

    Downstream(ChainLink link, ChainResolver.Member member, InitFrame init) {
        this.link = link;
        this.member = member;
        this.init = init;
    }

    /**
     * Connects to the member on {@code loop} (the link's); a failed connect is reported to the link as a failure
     * (possibly before this returns, so the link must know this connection first).
     */
    void connect(EventLoop loop, Duration connectTimeout) {
        Downstream d = this;
        new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(512 << 10, 2 << 20))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameSplitter(FrameCodec.HARD_MAX_FRAME_BYTES), d);
                    }
                })
                .connect(member.address()).addListener((ChannelFutureListener) f -> {
                    if (!f.isSuccess()) {
                        link.onFailure(d, "connect failed: " + f.cause(), true);
                    }
                });
    }

    ChainResolver.Member member() {
        return member;
    }

    /** @return the channel, or null before it was registered */
    Channel channel() {
        return channel;
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf out = ctx.alloc().buffer();
        FrameCodec.encode(init, out);
        ctx.writeAndFlush(out, ctx.voidPromise());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        Frame f;
        try {
            f = FrameDecoder.decode(buf, FrameCodec.HARD_MAX_FRAME_BYTES);
        } catch (ProtocolException e) {
            link.onFailure(this, member + " sent a bad frame: " + e.getMessage(), true);
            ctx.close();
            return;
        } finally {
            buf.release();
        }
        if (f instanceof ChainAckFrame a) {
            link.onAck(this, a);
        } else if (f instanceof InitOkFrame ok) {
            link.onInitOk(this, ok);
        } else if (f instanceof ErrorFrame e) {
            link.onError(this, e);
        } else {
            link.onFailure(this, member + " sent " + f.type() + " on a chain link", true);
            ctx.close();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            link.onWritable(this);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        link.onFailure(this, "connection to " + member + " closed", true);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        link.onFailure(this, "connection to " + member + " failed: " + cause, true);
        ctx.close();
    }
}
