package io.scalesmall.stream.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Timing of chain links (the connection a node keeps to the next member of a stream's chain) and of a head taking a
 * stream over. Immutable.
 *
 * @param connectTimeout how long a TCP connect to the next member may take before it counts as failed; 1 ms .. 1 min;
 *                       default 2 s
 * @param retryInterval  how often a link with no downstream (none eligible, or all failed) looks again, and a
 *                       connected link checks that its member is still in the chain; 1 ms .. 1 min; default 500 ms
 * @param failureBackoff how long a member whose connection failed stays out of this node's choice for that stream
 *                       (the chain re-forms around it meanwhile); 0 .. 1 h; default 10 s
 * @param catchUpTimeout how long a head taking a stream over may spend learning its other holders' offsets and
 *                       pulling what it lacks before a client INIT is refused with {@code CATCHING_UP}; also how long
 *                       a re-replication waits for the chain to hold the stream; 1 ms .. 1 h; default 10 s
 * @param fenceTime      how long a holder asked by a new head (PULL) refuses to write the stream as a head itself
 *                       ({@code NOT_HEAD} naming the new head); should exceed the time the nodes' views of the chains
 *                       take to agree; 0 .. 1 h; default 5 s
 */
public record ChainTimings(Duration connectTimeout, Duration retryInterval, Duration failureBackoff,
        Duration catchUpTimeout, Duration fenceTime) {
    public ChainTimings {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(retryInterval, "retryInterval");
        Objects.requireNonNull(failureBackoff, "failureBackoff");
        Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
        Objects.requireNonNull(fenceTime, "fenceTime");
        check("connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(1));
        check("retryInterval", retryInterval, Duration.ofMillis(1), Duration.ofMinutes(1));
        check("failureBackoff", failureBackoff, Duration.ZERO, Duration.ofHours(1));
        check("catchUpTimeout", catchUpTimeout, Duration.ofMillis(1), Duration.ofHours(1));
        check("fenceTime", fenceTime, Duration.ZERO, Duration.ofHours(1));
    }

    /** With the default catch-up timeout (10 s) and fence time (5 s). */
    public ChainTimings(Duration connectTimeout, Duration retryInterval, Duration failureBackoff) {
        this(connectTimeout, retryInterval, failureBackoff, Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    private static void check(String field, Duration d, Duration min, Duration max) {
        if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
            throw new IllegalArgumentException(field + " must be in " + min + ".." + max + ", got " + d);
        }
    }

    /** The defaults: connect 2 s, retry 500 ms, failure backoff 10 s, catch-up 10 s, fence 5 s. */
    public static ChainTimings defaults() {
        return new ChainTimings(Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(10));
    }
}
