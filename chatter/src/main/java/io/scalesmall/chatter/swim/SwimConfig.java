package io.scalesmall.chatter.swim;

import java.time.Duration;

/**
 * Tuning of the SWIM failure detector ({@link FailureDetector}). Immutable; validated on construction. The
 * presets follow HashiCorp memberlist's {@code DefaultLANConfig}, {@code DefaultWANConfig} and
 * {@code DefaultLocalConfig}; the reason for each LAN value is given beside it.
 *
 * <p>Derived timeouts, for a group of {@code n} members (self included):
 * <ul>
 * <li>suspicion minimum = {@code alpha * max(1, log10(n)) * protocolPeriod} (memberlist
 *     {@code suspicionTimeout}); LAN, n = 100: 4 s.</li>
 * <li>suspicion maximum = {@code beta * minimum}; LAN, n = 100: 24 s. A suspicion starts at the maximum and
 *     shrinks toward the minimum as independent confirmations arrive (Lifeguard); with {@code lifeguard} off
 *     it is the minimum, fixed.</li>
 * <li>an intermediary of an indirect probe sends its nack after {@link #nackDelay()}.</li>
 * </ul>
 *
 * @param protocolPeriod   how often a node probes one member; also the deadline of a probe, indirect part
 *                         included. LAN 500 ms: half memberlist's ProbeInterval, so that with alpha 4 a crash in
 *                         a group of 100 is agreed by every survivor within 8 s (probes cost about 2 small
 *                         datagrams and acks a second per node); a crashed member is probed by some node within
 *                         about a period.
 * @param probeTimeout     how long to wait for a direct ack before asking {@code indirectProbes} others.
 *                         LAN 250 ms: still two orders of magnitude above a LAN's 99.9th-percentile RTT.
 *                         Must be shorter than the period.
 * @param indirectProbes   k, how many members relay an indirect probe. LAN 3 (memberlist IndirectChecks):
 *                         one congested path no longer decides a verdict.
 * @param suspicionAlpha   the suspicion minimum in periods per decade of group size. LAN 4
 *                         (memberlist SuspicionMult): leaves time for a refutation to spread, which takes
 *                         O(log n) gossip rounds.
 * @param suspicionBeta    the suspicion maximum as a multiple of the minimum. LAN 6 (memberlist
 *                         SuspicionMaxTimeoutMult). {@code beta - 2} independent confirmations are expected
 *                         to bring a suspicion down to the minimum.
 * @param maxLocalHealth   the Lifeguard local health multiplier's ceiling; a node's own probe timeout,
 *                         period and suspicion timeouts stretch up to {@code maxLocalHealth + 1} times.
 *                         LAN 8 (memberlist AwarenessMaxMultiplier).
 * @param lifeguard        Lifeguard on: local health awareness, nacks, confirmation-shrunk suspicion and
 *                         the "buddy" suspect piggybacked on a ping to a suspect. Off: plain SWIM with a
 *                         fixed suspicion timeout (the minimum). Default on.
 * @param gossipInterval   how often queued membership updates are pushed to {@code gossipFanout} random
 *                         members besides riding on probes. LAN 200 ms (memberlist GossipInterval).
 * @param gossipFanout     members per gossip round. LAN 3 (memberlist GossipNodes).
 * @param retransmitMult   lambda: each update is sent {@code lambda * ceil(log10(n + 1))} times. LAN 4
 *                         (memberlist RetransmitMult).
 * @param maxPiggyback     at most this many updates ride on one packet. 16: about 0.6 KB at ~40 bytes an
 *                         update, well inside one 1,400-byte datagram.
 */
public record SwimConfig(Duration protocolPeriod, Duration probeTimeout, int indirectProbes, int suspicionAlpha,
        int suspicionBeta, int maxLocalHealth, boolean lifeguard, Duration gossipInterval, int gossipFanout,
        int retransmitMult, int maxPiggyback) {

    /** @throws IllegalArgumentException naming the field and value if one is invalid */
    public SwimConfig {
        positive("protocolPeriod", protocolPeriod);
        positive("probeTimeout", probeTimeout);
        positive("gossipInterval", gossipInterval);
        if (probeTimeout.compareTo(protocolPeriod) >= 0) {
            throw new IllegalArgumentException("probeTimeout: " + probeTimeout + " is not shorter than protocolPeriod "
                    + protocolPeriod);
        }
        atLeast("indirectProbes", indirectProbes, 0);
        atLeast("suspicionAlpha", suspicionAlpha, 1);
        atLeast("suspicionBeta", suspicionBeta, 1);
        atLeast("maxLocalHealth", maxLocalHealth, 0);
        atLeast("gossipFanout", gossipFanout, 0);
        atLeast("retransmitMult", retransmitMult, 1);
        atLeast("maxPiggyback", maxPiggyback, 1);
    }

    private static void positive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " is not a positive duration");
        }
    }

    private static void atLeast(String name, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(name + ": " + value + " is not >= " + min);
        }
    }

    /** A local network (memberlist DefaultLANConfig). */
    public static SwimConfig lan() {
        return new SwimConfig(Duration.ofMillis(500), Duration.ofMillis(250), 3, 4, 6, 8, true, Duration.ofMillis(200),
                3, 4, 16);
    }

    /** Across data centres (memberlist DefaultWANConfig): longer timeouts for higher, jittery RTTs. */
    public static SwimConfig wan() {
        return new SwimConfig(Duration.ofSeconds(5), Duration.ofSeconds(3), 3, 6, 6, 8, true, Duration.ofMillis(500),
                4, 4, 16);
    }

    /** One machine (memberlist DefaultLocalConfig): quick probes, fewer relays and retransmits. */
    public static SwimConfig local() {
        return new SwimConfig(Duration.ofSeconds(1), Duration.ofMillis(200), 1, 3, 6, 8, true, Duration.ofMillis(100),
                3, 2, 16);
    }

    /** @return this config with Lifeguard switched on or off */
    public SwimConfig withLifeguard(boolean on) {
        return new SwimConfig(protocolPeriod, probeTimeout, indirectProbes, suspicionAlpha, suspicionBeta,
                maxLocalHealth, on, gossipInterval, gossipFanout, retransmitMult, maxPiggyback);
    }

    /**
     * @return how long an intermediary waits for the target's ack before nacking: the probe timeout, but no
     *         more than 80 % of what is left of the requester's period after its own probe timeout, so the
     *         nack arrives before the requester's deadline
     */
    public Duration nackDelay() {
        Duration room = protocolPeriod.minus(probeTimeout).multipliedBy(4).dividedBy(5);
        return room.compareTo(probeTimeout) < 0 ? room : probeTimeout;
    }

    /** @return the suspicion minimum for a group of {@code n} members, self included */
    public Duration suspicionMin(int n) {
        double scale = Math.max(1.0, Math.log10(Math.max(1, n)));
        return Duration.ofNanos((long) (suspicionAlpha * scale * protocolPeriod.toNanos()));
    }

    /** @return the suspicion maximum for a group of {@code n} members, self included */
    public Duration suspicionMax(int n) {
        return suspicionMin(n).multipliedBy(suspicionBeta);
    }

    /** @return how many times each update is sent in a group of {@code n} members */
    public int retransmitLimit(int n) {
        return retransmitMult * (int) Math.ceil(Math.log10(n + 1.0));
    }
}
