package io.scalesmall.node.netty;

import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.slf4j.LoggerFactory;

/** Loopback addresses, free ports, frames and polling for the transport tests. Everything stays on 127.0.0.1. */
final class TestSupport {
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private TestSupport() {
    }

    /** Keeps Netty's start-up DEBUG chatter out of the test output (there is no logback-test.xml in this module). */
    static void quietLogs() {
        if (LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root) {
            root.setLevel(ch.qos.logback.classic.Level.INFO);
        }
        if (LoggerFactory.getLogger("io.scalesmall.node.netty") instanceof ch.qos.logback.classic.Logger ours) {
            ours.setLevel(ch.qos.logback.classic.Level.WARN); // start and close lines of ~60 transports
        }
    }

    /** @return a TCP port of 127.0.0.1 that was free a moment ago */
    static int freeTcpPort() {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a port of 127.0.0.1 that was free for TCP and UDP a moment ago */
    static int freeTcpAndUdpPort() {
        for (int attempt = 0; attempt < 50; attempt++) {
            int port = freeTcpPort();
            try (DatagramSocket d = new DatagramSocket(new InetSocketAddress(LOOPBACK, port))) {
                return d.getLocalPort();
            } catch (IOException e) {
                // taken for UDP: try another
            }
        }
        throw new IllegalStateException("no port free for both TCP and UDP on 127.0.0.1");
    }

    /** @return the id of a node on 127.0.0.1 at {@code port} */
    static NetId loopbackId(int port) {
        return NetId.of(LOOPBACK, port);
    }

    /**
     * A frame as the stream transport sees one: a 13-byte header (magic, version, type, flags, key id, then the
     * big-endian body length L at bytes 9..12) and L random body bytes. Never decoded by the transport.
     */
    static byte[] frame(Random random, int bodyLength) {
        byte[] f = new byte[13 + bodyLength];
        random.nextBytes(f);
        f[0] = 0x53;
        f[1] = 0x53;
        f[2] = 1;
        f[4] = 0;
        f[9] = (byte) (bodyLength >>> 24);
        f[10] = (byte) (bodyLength >>> 16);
        f[11] = (byte) (bodyLength >>> 8);
        f[12] = (byte) bodyLength;
        return f;
    }

    /** Polls {@code condition} every millisecond until it holds; false if {@code timeout} passes first. */
    static boolean eventually(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline >= 0) {
                return condition.getAsBoolean();
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }
}
