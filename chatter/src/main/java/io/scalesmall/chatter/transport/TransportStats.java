package io.scalesmall.chatter.transport;

import java.util.concurrent.atomic.LongAdder;

/** Counters a transport keeps, read by metrics. Thread-safe. */
public final class TransportStats {
    /** Messages sent. */
    public final LongAdder messagesOut = new LongAdder();
    /** Bytes sent. */
    public final LongAdder bytesOut = new LongAdder();
    /** Messages received. */
    public final LongAdder messagesIn = new LongAdder();
    /** Bytes received. */
    public final LongAdder bytesIn = new LongAdder();
    /** Sends dropped: unreachable peer, full queue, oversized datagram, socket error. */
    public final LongAdder dropped = new LongAdder();
}
