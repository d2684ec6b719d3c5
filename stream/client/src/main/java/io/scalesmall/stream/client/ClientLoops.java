package io.scalesmall.stream.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The event loops every producer and consumer of this JVM shares: {@code min(2, processors)} daemon threads named
 * {@code scalesmall-client-N}, created on first use, never shut down (daemon threads do not hold the JVM).
 */
final class ClientLoops {
    private ClientLoops() {
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("scalesmall-client", true));
    }

    static EventLoopGroup group() {
        return Holder.GROUP;
    }
}
