package io.scalesmall.chatter;

import io.scalesmall.topology.NetId;
import io.scalesmall.wire.WireMessage;

/**
 * Where the protocol core puts what it sends. The core never touches bytes or sockets: a node encodes these
 * messages with {@link io.scalesmall.wire.Wire} onto its transports; the simulator delivers them on its
 * simulated network. Called only from the thread that owns the core.
 */
public interface Outbox {
    /** Sends to every node that hears this node's multicast; best effort. No-op where multicast is off. */
    void multicast(WireMessage message);

    /** Sends to one node over the reliable stream transport (TCP); delivery is not guaranteed if it is down. */
    void send(NetId to, WireMessage message);

    /**
     * Sends one datagram (UDP unicast to {@code to}'s address and port); best effort. The failure detector's
     * probes go this way, so that a congested or broken TCP connection does not look like a dead peer.
     */
    void sendPacket(NetId to, WireMessage message);
}
