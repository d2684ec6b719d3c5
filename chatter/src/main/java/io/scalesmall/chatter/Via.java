package io.scalesmall.chatter;

/** How a message reached this node. */
public enum Via {
    /** UDP multicast: the sender's LAN. */
    MULTICAST,
    /** UDP unicast. */
    PACKET,
    /** The reliable stream (TCP). */
    STREAM
}
