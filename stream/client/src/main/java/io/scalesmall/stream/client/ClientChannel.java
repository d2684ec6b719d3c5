package io.scalesmall.stream.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.scalesmall.stream.protocol.Frame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.FrameDecoder;
import io.scalesmall.stream.protocol.FrameSplitter;
import io.scalesmall.stream.protocol.ProtocolException;
import java.net.InetSocketAddress;

/**
 * Opens one TCP connection to a node and delivers its decoded frames to a {@link Listener}, on the connection's
 * event loop. A frame the client cannot decode closes the connection (the listener sees it close). Stateless.
 */
final class ClientChannel {
    /** What a connection reports; called on its event loop, must not block. */
    interface Listener {
        void onActive(Channel ch);

        void onFrame(Channel ch, Frame f);

        void onClosed(Channel ch, Throwable cause);
    }

    /** How long a connect may take, ms. */
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private ClientChannel() {
    }

    /** Connects on one of the shared client loops. */
    static ChannelFuture connect(InetSocketAddress node, Listener listener) {
        return connect(ClientLoops.group(), node, listener);
    }

    /** Connects on {@code loop} (a loop of the shared group, or the group itself), within 5 s. */
    static ChannelFuture connect(EventLoopGroup loop, InetSocketAddress node, Listener listener) {
        return connect(loop, node, CONNECT_TIMEOUT_MILLIS, listener);
    }

    /** Connects on {@code loop}, giving up after {@code timeoutMillis} (&ge; 1) ms. */
    static ChannelFuture connect(EventLoopGroup loop, InetSocketAddress node, int timeoutMillis, Listener listener) {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FrameSplitter(FrameCodec.HARD_MAX_FRAME_BYTES), new Handler(listener));
                    }
                }).connect(node);
    }

    private static final class Handler extends ChannelInboundHandlerAdapter {
        private final Listener listener;
        private Throwable cause;

        Handler(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            listener.onActive(ctx.channel());
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                listener.onFrame(ctx.channel(), FrameDecoder.decode(buf, FrameCodec.HARD_MAX_FRAME_BYTES));
            } catch (ProtocolException e) {
                cause = e;
                ctx.close();
            } finally {
                buf.release();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            listener.onClosed(ctx.channel(), cause);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable t) {
            cause = t;
            ctx.close();
        }
    }
}
