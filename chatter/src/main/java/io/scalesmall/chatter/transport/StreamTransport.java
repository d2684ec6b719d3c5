package io.scalesmall.chatter.transport;

import io.scalesmall.topology.NetId;
import java.net.InetSocketAddress;

/**
 * Reliable, ordered delivery of whole frames to a node, over TCP: connections are opened on demand with a
 * connect timeout, reused, and closed when idle; each has a bounded outbound queue. Frames are the codec's
 * (docs/wire-format.md): a reader learns a frame's length from its 13-byte header. Thread-safe; {@link #send}
 * never blocks.
 */
public interface StreamTransport extends AutoCloseable {
    /** Receives whole frames, on a transport thread; must not block. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param from  the remote address of the connection
         * @param frame one frame's bytes; owned by the handler
         */
        void onFrame(InetSocketAddress from, byte[] frame);
    }

    /** Starts listening and receiving into {@code handler}. Call once, before any send. */
    void start(Handler handler) throws java.io.IOException;

    /**
     * Queues a frame for {@code to} (connecting if needed). If the node cannot be reached, or its queue is
     * full, the frame is dropped and counted: the protocol's anti-entropy repairs what is lost. The transport
     * takes ownership of {@code frame} (the caller must not change it afterwards).
     *
     * @throws IllegalArgumentException if {@code frame} is not exactly one frame (13 + L bytes)
     */
    void send(NetId to, byte[] frame);

    /** @return this transport's counters */
    TransportStats stats();

    /** @return the number of open connections, inbound and outbound */
    int openConnections();

    /** Closes the listener and every connection; idempotent. */
    @Override
    void close();
}
