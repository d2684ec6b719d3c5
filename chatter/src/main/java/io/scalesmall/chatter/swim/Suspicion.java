package io.scalesmall.chatter.swim;

import io.scalesmall.topology.NetId;
import java.util.HashSet;
import java.util.Set;

/**
 * The timer of one suspicion (memberlist {@code suspicion.go}, Lifeguard's LHA-Suspicion): it starts at
 * {@code max} and shrinks toward {@code min} as independent confirmations arrive,
 * {@code timeout = max - (max - min) * log(c + 1) / log(k + 1)} for {@code c} of {@code k} expected
 * confirmations. With {@code k == 0} (too few members to expect any) it is {@code min}.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class Suspicion {
    /** When the suspicion started, ns. */
    final long startNanos;
    /** The incarnation suspected. */
    final long incarnation;
    private final long minNanos;
    private final long maxNanos;
    private final int expected;
    /** Who confirmed, the first accuser included (it does not count as a confirmation). */
    private final Set<NetId> confirmedBy = new HashSet<>();

    Suspicion(long startNanos, long incarnation, NetId accuser, long minNanos, long maxNanos, int expected) {
        this.startNanos = startNanos;
        this.incarnation = incarnation;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.expected = expected;
        confirmedBy.add(accuser);
    }

    /** @return true if {@code from} is a new, independent confirmation (it counts toward the k expected) */
    boolean confirm(NetId from) {
        if (confirmations() >= expected) {
            return false;
        }
        return confirmedBy.add(from);
    }

    int confirmations() {
        return confirmedBy.size() - 1;
    }

    /** @return the unscaled timeout, ns from start, for the confirmations so far */
    long timeoutNanos() {
        return timeoutNanos(confirmations(), expected, minNanos, maxNanos);
    }

    static long timeoutNanos(int confirmations, int expected, long minNanos, long maxNanos) {
        if (expected < 1) {
            return minNanos;
        }
        double frac = Math.log(confirmations + 1.0) / Math.log(expected + 1.0);
        long t = maxNanos - (long) (frac * (maxNanos - minNanos));
        return Math.max(minNanos, t);
    }
}
