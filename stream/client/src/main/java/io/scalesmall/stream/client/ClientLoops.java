package io.scalesmall.stream.client;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.scalesmall.sched.ThreadSlice;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The event loops every producer and consumer of this JVM shares: {@code min(2, processors)} daemon threads named
 * {@code scalesmall-client-N}, created on first use, never shut down (daemon threads do not hold the JVM). Their
 * threads are {@link ClientThread}s, so that {@link #inClientThread()} answers in one type check (a producer must not
 * block one of them waiting for room its own acks would free).
 *
 * <p>They ask for a short scheduler slice ({@link ThreadSlice}), {@value #DEFAULT_SLICE_MICROS} µs unless the system
 * property {@value #SLICE_PROPERTY} gives another (in µs, 100..100,000; 0 or {@code off} for the kernel's default),
 * read when the loops start: acks complete on them, and a loop woken by an ack should not wait for a busy thread's
 * slice to end. An invalid value is logged and the default used.
 */
final class ClientLoops {
    /** The system property that sets the loops' scheduler slice, in µs. */
    static final String SLICE_PROPERTY = "scalesmall.client.io-slice-us";
    static final int DEFAULT_SLICE_MICROS = 300;
    private static final Logger LOG = LoggerFactory.getLogger(ClientLoops.class);

    private ClientLoops() {
    }

    /**
     * The slice in ns that {@code value} (the property's value, or null when unset) asks for; the default, logged,
     * when it is not 0 or 100..100,000 µs.
     */
    static long sliceNanos(String value) {
        if (value == null) {
            return DEFAULT_SLICE_MICROS * 1000L;
        }
        try {
            long micros = ThreadSlice.parseMicros(value);
            if (ThreadSlice.validMicros(micros)) {
                return micros * 1000;
            }
        } catch (NumberFormatException e) {
            // logged below
        }
        LOG.warn("{}: '{}' is not off, 0 or {}..{} µs; the client's loops use {} µs", SLICE_PROPERTY, value,
                ThreadSlice.MIN_MICROS, ThreadSlice.MAX_MICROS, DEFAULT_SLICE_MICROS);
        return DEFAULT_SLICE_MICROS * 1000L;
    }

    /** The type of the loops' threads: a marker, and the time of the completions in progress on it. */
    static final class ClientThread extends FastThreadLocalThread {
        /** When this thread began its innermost completion in progress (System.nanoTime()); {@link #IDLE} if none. */
        long completionNanos = IDLE;

        ClientThread(ThreadGroup group, Runnable r, String name) {
            super(group, r, name);
        }
    }

    /** No completion in progress. */
    private static final long IDLE = Long.MIN_VALUE;

    /**
     * Reads the clock once for the callbacks of a completion (an ACK's batches, or a batch that fails or completes
     * unacknowledged) that follow, up to the matching {@link #endCompletion}: {@link StreamProducer#completionNanos}.
     * Completions nest (a callback that closes a producer fails its batches on the same thread): each gets its own
     * reading, and the outer one's comes back when the inner one ends. Any thread; only client threads keep the time.
     *
     * @return what to hand to {@link #endCompletion}, in a finally block
     */
    static long beginCompletion() {
        if (Thread.currentThread() instanceof ClientThread t) {
            long outer = t.completionNanos;
            t.completionNanos = System.nanoTime();
            return outer;
        }
        return IDLE;
    }

    /** Ends the completion {@link #beginCompletion} began; {@code outer} is what it returned. */
    static void endCompletion(long outer) {
        if (Thread.currentThread() instanceof ClientThread t) {
            t.completionNanos = outer;
        }
    }

    /** See {@link StreamProducer#completionNanos}. */
    static long completionNanos() {
        return Thread.currentThread() instanceof ClientThread t && t.completionNanos != IDLE ? t.completionNanos
                : System.nanoTime();
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
                ThreadSlice.factory(new Factory(), sliceNanos(System.getProperty(SLICE_PROPERTY)),
                        "client event loops"));
    }

    static EventLoopGroup group() {
        return Holder.GROUP;
    }

    /** @return whether the calling thread is one of the shared client loops' (O(1): a type check) */
    static boolean inClientThread() {
        return Thread.currentThread() instanceof ClientThread;
    }
}
