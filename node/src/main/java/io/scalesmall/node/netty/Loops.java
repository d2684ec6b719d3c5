package io.scalesmall.node.netty;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Event-loop plumbing shared by the two transports. Stateless. */
final class Loops {
    /** Graceful shutdown gives running tasks this long to end before the threads stop. */
    static final Duration SHUTDOWN_TIMEOUT = Duration.ofMillis(500);

    private Loops() {
    }

    /** A group of daemon threads named {@code scalesmall-<kind>-<port>-…}, so a forgotten close never holds a JVM. */
    static EventLoopGroup newGroup(int threads, String kind, int port) {
        return new NioEventLoopGroup(threads, new DefaultThreadFactory("scalesmall-" + kind + "-" + port, true));
    }

    /** @return true if the calling thread is one of {@code group}'s loops (and so must not block) */
    static boolean inLoop(EventLoopGroup group) {
        for (EventExecutor e : group) {
            if (e.inEventLoop()) {
                return true;
            }
        }
        return false;
    }

    /** Shuts {@code group} down with no quiet period; waits for it unless called on one of its own loops. */
    static void shutdown(EventLoopGroup group) {
        Future<?> done = group.shutdownGracefully(0, SHUTDOWN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        if (!inLoop(group)) {
            done.awaitUninterruptibly(SHUTDOWN_TIMEOUT.toMillis() * 2);
        }
    }

    /** Waits (parking, not spinning hot) until {@code condition} holds or {@code timeout} passes. */
    static boolean awaitCondition(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    /** @return {@code a.b.c.d:port} or {@code [v6]:port}, as a node's id prints */
    static String describe(InetAddress address, int port) {
        String host = address.getHostAddress();
        return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
    }
}
