package io.scalesmall.chatter.transport;

import java.net.InetSocketAddress;

/**
 * Best-effort datagrams: UDP unicast and multicast. A datagram may be lost, duplicated or reordered.
 * Implementations are thread-safe; {@link #send} and {@link #multicast} never block on the network.
 */
public interface PacketTransport extends AutoCloseable {
    /** Receives datagrams, on a transport thread; must not block. */
    @FunctionalInterface
    interface Handler {
        /**
         * @param from      the sender's address (its UDP source address, not necessarily its node id)
         * @param data      the datagram's bytes; owned by the handler
         * @param multicast true if it arrived on the multicast group
         */
        void onPacket(InetSocketAddress from, byte[] data, boolean multicast);
    }

    /** Starts receiving into {@code handler}. Call once, before any send. */
    void start(Handler handler) throws java.io.IOException;

    /**
     * Sends one datagram to {@code to}. Oversized or failed sends are dropped and counted. The transport takes
     * ownership of {@code data}: the caller must not change it afterwards.
     */
    void send(InetSocketAddress to, byte[] data);

    /** Sends one datagram to the multicast group; a no-op where multicast is off. */
    void multicast(byte[] data);

    /** @return this transport's counters */
    TransportStats stats();

    /** @return true if this transport sends and receives multicast */
    boolean multicastEnabled();

    /** Stops receiving and releases the sockets; idempotent. */
    @Override
    void close();
}
