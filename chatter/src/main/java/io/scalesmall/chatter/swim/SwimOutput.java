package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import io.scalesmall.topology.NetId;
import java.util.List;

/**
 * Where a {@link FailureDetector} puts what it sends. Called only from the thread that owns the detector.
 */
@FunctionalInterface
public interface SwimOutput {
    /**
     * Sends one best-effort packet (a datagram): at most one probe message ({@code Ping}, {@code Ack},
     * {@code PingReq}, {@code Nack}) first, then piggybacked {@link SwimMessage.Update}s. The receiver hands
     * the packet to {@link FailureDetector#onPacket}.
     *
     * @param messages not empty; the list is immutable
     */
    void send(NetId to, List<SwimMessage> messages);
}
