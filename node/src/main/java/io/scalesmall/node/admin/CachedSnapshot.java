package io.scalesmall.node.admin;

import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A value fetched at most once per TTL: the first {@link #get()} after the snapshot is older than {@code ttlNanos}
 * refreshes it with one call to the fetcher, and every other read returns the cached value. Used by
 * {@link NodeMetrics} so that a Prometheus scrape reading many meters costs at most one hop to the protocol core's
 * thread per kind of snapshot, and an unscraped node costs nothing (a lazy cache needs no thread).
 *
 * <p>If the fetcher throws a {@link RuntimeException} (the core is closed, or busy past its call timeout) the last
 * value stays ({@code empty} before the first success) and the refresh is retried after the TTL, not on every
 * read. Thread-safe (synchronized).
 *
 * @param <T> the snapshot's type; an immutable value
 */
final class CachedSnapshot<T> {
    private static final Logger LOG = LoggerFactory.getLogger(CachedSnapshot.class);

    private final String what;
    private final Supplier<T> fetcher;
    /** Age after which a read refreshes the value, ns, {@code >= 0}. */
    final long ttlNanos;
    private final LongSupplier nanoTime;
    /** The last value fetched, or the empty value. Guarded by this. */
    private T value;
    /** When the last fetch was tried, per {@link #nanoTime}; guarded by this. */
    private long fetchedAt;
    private boolean fetched;
    /** Number of calls made to the fetcher; guarded by this. */
    private long fetches;

    /**
     * @param what     what is fetched, for the debug log line of a failed fetch
     * @param fetcher  the (possibly slow) source; may throw a RuntimeException
     * @param empty    the value before the first successful fetch
     * @param ttlNanos how old the value may grow before a read refreshes it, ns, {@code >= 0}
     * @param nanoTime the monotonic clock the TTL is measured on
     */
    CachedSnapshot(String what, Supplier<T> fetcher, T empty, long ttlNanos, LongSupplier nanoTime) {
        if (ttlNanos < 0) {
            throw new IllegalArgumentException("ttlNanos: " + ttlNanos + " is negative");
        }
        this.what = what;
        this.fetcher = fetcher;
        this.value = empty;
        this.ttlNanos = ttlNanos;
        this.nanoTime = nanoTime;
    }

    /** @return the cached value, refreshed first if older than the TTL */
    synchronized T get() {
        long now = nanoTime.getAsLong();
        if (!fetched || now - fetchedAt > ttlNanos) {
            fetched = true;
            fetchedAt = now;
            fetches++;
            try {
                value = fetcher.get();
            } catch (RuntimeException e) {
                LOG.debug("{} unavailable, keeping the last snapshot: {}", what, e.getMessage());
            }
        }
        return value;
    }

    /** @return how many times the fetcher was called */
    synchronized long fetches() {
        return fetches;
    }
}
