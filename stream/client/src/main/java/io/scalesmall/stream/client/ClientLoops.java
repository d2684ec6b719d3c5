package io.scalesmall.stream.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;

/**
 * The event loops every producer and consumer of this JVM shares: {@code min(2, processors)} daemon threads named
 * {@code scalesmall-client-N}, created on first use, never shut down (daemon threads do not hold the JVM). Their
 * threads are {@link ClientThread}s, so that {@link #inClientThread()} answers in one type check (a producer must not
 * block one of them waiting for room its own acks would free).
 */
final class ClientLoops {
    private ClientLoops() {
    }

    /** The type of the loops' threads: a marker. */
    static final class ClientThread extends FastThreadLocalThread {
        ClientThread(ThreadGroup group, Runnable r, String name) {
            super(group, r, name);
        }
    }

    private static final class Factory extends DefaultThreadFactory {
        Factory() {
            super("scalesmall-client", true);
        }

        @Override
        protected Thread newThread(Runnable r, String name) {
            return new ClientThread(threadGroup, r, name);
        }
    }

    private static final class Holder {
        static final EventLoopGroup GROUP = new NioEventLoopGroup(Math.min(2, Runtime.getRuntime().availableProcessors()),
                new Factory());
    }

    static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** @return whether the calling thread is one of the shared client loops' (O(1): a type check) */
    static boolean inClientThread() {
        return Thread.currentThread() instanceof ClientThread;
    }
}
