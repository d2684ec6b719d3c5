package io.scalesmall.stream.server;

import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.log.MessageLog;
import io.scalesmall.sched.ThreadSlice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link StreamServer}. Immutable; checked when built (an {@link IllegalArgumentException} names the
 * field and value). Sizes are in bytes.
 *
 * @param bind                  address and port to listen on (port 0: any free port; the node's default is 29998)
 * @param ioThreads             Netty event-loop threads serving connections, 1..256; default: the number of
 *                              processors (each connection is served by one thread; appends and acks run there)
 * @param maxFrameBytes         the largest frame accepted, header included, checked before anything is buffered;
 *                              {@value #DEFAULT_MAX_FRAME_BYTES} (2 MiB) by default: room for one message of the log's
 *                              maximum (1 MiB) plus batching; 1 MiB + 64 .. {@link FrameCodec#HARD_MAX_FRAME_BYTES}.
 *                              Bounds the memory one connection can make the node buffer.
 * @param maxFetchBytes         the most payload bytes one MESSAGES reply carries (a FETCH asking more gets this
 *                              much); default 1 MiB; 1 .. maxFrameBytes - 1 MiB
 * @param maxFetchWait          the longest a FETCH may wait for new messages (long poll); longer waits are cut to
 *                              it; default 30 s; 0 .. 10 min
 * @param maxParkedFetches      FETCHes one connection may have waiting at once; more are answered at once, empty;
 *                              default 64; 1..65536
 * @param maxUnsyncedBatches    batches one {@code disk=N} session may have appended and not yet acknowledged as on
 *                              disk; at the limit the node stops reading that connection until the group commit
 *                              catches up (back-pressure); default 8192; 1..2^20
 * @param retentionInterval     how often the server applies the log's retention ({@link MessageLog#enforceRetention});
 *                              {@link Duration#ZERO} = never; default 1 min
 * @param ioSliceMicros         the scheduler slice (µs) the event loops and the group-commit thread ask for, so that
 *                              they get a CPU soon after they wake, ahead of busy threads ({@link ThreadSlice}: Linux
 *                              6.12 and later; elsewhere nothing happens); 0 = the kernel's default (1.4 ms on two
 *                              CPUs); default {@value #DEFAULT_IO_SLICE_MICROS}; 0 or 100..100,000
 */
public record StreamServerConfig(InetSocketAddress bind, int ioThreads, int maxFrameBytes, int maxFetchBytes,
        Duration maxFetchWait, int maxParkedFetches, int maxUnsyncedBatches, Duration retentionInterval,
        int ioSliceMicros) {
    /** The node's default data port. */
    public static final int DEFAULT_PORT = 29998;
    public static final int DEFAULT_MAX_FRAME_BYTES = 2 << 20;
    public static final int MIN_MAX_FRAME_BYTES = MessageLog.MAX_MESSAGE_BYTES + 64;
    /** The default {@link #ioSliceMicros}: 300 µs (docs/benchmarks.md, "Scheduler slices"). */
    public static final int DEFAULT_IO_SLICE_MICROS = 300;

    public StreamServerConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(maxFetchWait, "maxFetchWait");
        Objects.requireNonNull(retentionInterval, "retentionInterval");
        check("ioThreads", ioThreads, 1, 256);
        check("maxFrameBytes", maxFrameBytes, MIN_MAX_FRAME_BYTES, FrameCodec.HARD_MAX_FRAME_BYTES);
        check("maxFetchBytes", maxFetchBytes, 1, maxFrameBytes - MessageLog.MAX_MESSAGE_BYTES);
        check("maxFetchWait", maxFetchWait.toMillis(), 0, Duration.ofMinutes(10).toMillis());
        check("maxParkedFetches", maxParkedFetches, 1, 65536);
        check("maxUnsyncedBatches", maxUnsyncedBatches, 1, 1 << 20);
        if (retentionInterval.isNegative()) {
            throw new IllegalArgumentException("retentionInterval must be >= 0, got " + retentionInterval);
        }
        if (!ThreadSlice.validMicros(ioSliceMicros)) {
            throw new IllegalArgumentException("ioSliceMicros must be 0 (the kernel's) or in "
                    + ThreadSlice.MIN_MICROS + ".." + ThreadSlice.MAX_MICROS + ", got " + ioSliceMicros);
        }
    }

    private static void check(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + value);
        }
    }

    /** The defaults, listening on {@code address:port}. */
    public static StreamServerConfig defaults(InetAddress address, int port) {
        return new StreamServerConfig(new InetSocketAddress(address, port), Runtime.getRuntime().availableProcessors(),
                DEFAULT_MAX_FRAME_BYTES, 1 << 20, Duration.ofSeconds(30), 64, 8192, Duration.ofMinutes(1),
                DEFAULT_IO_SLICE_MICROS);
    }

    /** The defaults on 127.0.0.1 and a free port (tests). */
    public static StreamServerConfig loopback() {
        return defaults(InetAddress.getLoopbackAddress(), 0);
    }

    public StreamServerConfig withMaxFrameBytes(int bytes) {
        return new StreamServerConfig(bind, ioThreads, bytes, Math.min(maxFetchBytes, bytes - MessageLog.MAX_MESSAGE_BYTES),
                maxFetchWait, maxParkedFetches, maxUnsyncedBatches, retentionInterval, ioSliceMicros);
    }

    public StreamServerConfig withIoThreads(int threads) {
        return new StreamServerConfig(bind, threads, maxFrameBytes, maxFetchBytes, maxFetchWait, maxParkedFetches,
                maxUnsyncedBatches, retentionInterval, ioSliceMicros);
    }

    public StreamServerConfig withMaxFetchWait(Duration wait) {
        return new StreamServerConfig(bind, ioThreads, maxFrameBytes, maxFetchBytes, wait, maxParkedFetches,
                maxUnsyncedBatches, retentionInterval, ioSliceMicros);
    }

    public StreamServerConfig withRetentionInterval(Duration interval) {
        return new StreamServerConfig(bind, ioThreads, maxFrameBytes, maxFetchBytes, maxFetchWait, maxParkedFetches,
                maxUnsyncedBatches, interval, ioSliceMicros);
    }

    /** @return this config with another {@link #ioSliceMicros} (0 = the kernel's default) */
    public StreamServerConfig withIoSliceMicros(int micros) {
        return new StreamServerConfig(bind, ioThreads, maxFrameBytes, maxFetchBytes, maxFetchWait, maxParkedFetches,
                maxUnsyncedBatches, retentionInterval, micros);
    }

    /** @return {@link #ioSliceMicros} in ns, as {@link ThreadSlice} takes it */
    public long ioSliceNanos() {
        return ioSliceMicros * 1000L;
    }
}
