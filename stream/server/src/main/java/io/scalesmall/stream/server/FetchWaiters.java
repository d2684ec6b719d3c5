package io.scalesmall.stream.server;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * FETCHes waiting at the end of a stream (long poll), by stream. An append calls {@link #appended}, which wakes
 * every waiter of that stream once; a waiter that still finds nothing parks again. The cost for a stream nobody
 * waits on is one map lookup per appended batch. Thread-safe.
 */
final class FetchWaiters {
    /** A parked fetch; {@link #wake()} must not block (it hands the work to the fetch's event loop). */
    interface Waiter {
        void wake();
    }

    private final ConcurrentHashMap<String, Set<Waiter>> byStream = new ConcurrentHashMap<>();

    /**
     * Parks a waiter. The caller must check the stream's end offset again after this returns, since an append may
     * have happened between its read and the park (the append's wake-up would have found nobody).
     */
    void park(String stream, Waiter w) {
        byStream.computeIfAbsent(stream, k -> ConcurrentHashMap.newKeySet()).add(w);
    }

    /** Removes a waiter (timed out, answered, or its connection closed); no-op if it is gone. */
    void unpark(String stream, Waiter w) {
        byStream.computeIfPresent(stream, (k, set) -> {
            set.remove(w);
            return set.isEmpty() ? null : set;
        });
    }

    /** Wakes (and removes) every waiter of {@code stream}. */
    void appended(String stream) {
        if (byStream.isEmpty()) {
            return;
        }
        Set<Waiter> set = byStream.remove(stream);
        if (set != null) {
            for (Waiter w : set) {
                w.wake();
            }
        }
    }

    /** @return how many fetches wait, over all streams (metrics, tests) */
    int size() {
        int n = 0;
        for (Set<Waiter> s : byStream.values()) {
            n += s.size();
        }
        return n;
    }
}
