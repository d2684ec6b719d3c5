package io.scalesmall.stream.server;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether this node may write each stream as its head: caught up with the stream's other holders, and not fenced
 * by a newer head (docs/wire-format.md §S10, taking a stream over).
 *
 * <p>Per stream it keeps a <em>generation</em>, raised whenever this node's right to write the stream lapses: a
 * new head pulled from it ({@link #fence}: it also refuses to write for {@link ChainTimings#fenceTime()}, naming
 * that head) or it saw itself demoted ({@link #demoted}). A client session is admitted ({@link #admit}) once a
 * catch-up of the current generation succeeded (started on the first INIT, shared by the INITs that follow, cached
 * until the generation moves) and writes only while that generation holds ({@link #refusal}, checked under the
 * stream's append lock, so that no batch slips in after a fence). A failed catch-up is forgotten: the next INIT
 * tries again.
 *
 * <p>Thread-safe: one monitor per stream, held briefly.
 */
final class Headship {
    private static final Logger LOG = LoggerFactory.getLogger(Headship.class);
    /** Why a session may not write: fenced by a newer head (named), or admitted in an earlier generation. */
    static final class NotHeadException extends Exception {
        private static final long serialVersionUID = 1L;
        /** The new head as {@code HOST:PORT}, or null when the session is merely stale (it must INIT again). */
        final String head;

        NotHeadException(String head, String message) {
            super(message, null, false, false);
            this.head = head;
        }
    }

    private static final class State {
        int generation;
        /** The catch-up of {@link #generation}: completes with it; null before one started or after one failed. */
        CompletableFuture<Integer> caughtUp;
        long fencedUntil;
        /**
         * The node whose PULL fenced this one last ({@code HOST:PORT}), kept after the fence time until a catch-up
         * that pulled from it succeeded: every catch-up asks it, listed in this node's view or not.
         */
        String fencedBy;
    }

    private final ConcurrentHashMap<String, State> states = new ConcurrentHashMap<>();
    private final BiFunction<String, String, CompletableFuture<Void>> catchUp;
    private final long fenceNanos;
    private final LongSupplier nanoClock;
    /** This node, as log lines name it. */
    private final String self;

    /**
     * @param catchUp    starts a catch-up of a stream (this node is its head) given the node that fenced this one last
     *                   ({@code HOST:PORT}, or null), which it must pull from too; completes when done
     * @param fenceNanos how long a fence lasts, ns
     * @param nanoClock  {@link System#nanoTime()} outside tests
     * @param self       this node, as log lines name it
     */
    Headship(BiFunction<String, String, CompletableFuture<Void>> catchUp, long fenceNanos, LongSupplier nanoClock,
            String self) {
        this.self = self;
        this.catchUp = catchUp;
        this.fenceNanos = fenceNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * Admits a client session at a node whose view names it the head: completes with the generation to write in
     * once this node caught up with the stream's other holders (at once when it already did), or exceptionally with
     * the catch-up's failure. A fence does not stop it: the node's own view wins, and its catch-up pulls from (and
     * fences) the node that fenced it -- named to the catch-up, since a view that lags may not list the new head
     * among the holders -- so no offset is given out twice; the fence ends when the catch-up succeeds.
     * (Two nodes whose views both name themselves take the stream from each other until the views agree; each
     * takes everything the other stored.)
     */
    CompletableFuture<Integer> admit(String stream) {
        State s = states.computeIfAbsent(stream, k -> new State());
        CompletableFuture<Void> started;
        int generation;
        CompletableFuture<Integer> result = new CompletableFuture<>();
        synchronized (s) {
            if (s.caughtUp != null) {
                return s.caughtUp;
            }
            generation = s.generation;
            s.caughtUp = result;
            started = catchUp.apply(stream, s.fencedBy);
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} stream '{}': headship generation {}: catch-up started", self, stream, generation);
        }
        started.whenComplete((v, failure) -> {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': headship generation {}: catch-up {}", self, stream, generation,
                        failure == null ? "done" : "failed: " + failure);
            }
            if (failure != null) {
                synchronized (s) {
                    if (s.caughtUp == result) {
                        s.caughtUp = null; // the next INIT tries again
                    }
                }
                result.completeExceptionally(failure);
            } else {
                synchronized (s) {
                    if (s.generation == generation) {
                        s.fencedBy = null; // this node pulled from (and fenced) every holder and the fencer: its turn
                    }
                }
                result.complete(generation);
            }
        });
        return result;
    }

    /** @return whether a catch-up of the current generation succeeded (the stream is this node's to write) */
    boolean caughtUp(String stream) {
        State s = states.get(stream);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            return s.caughtUp != null && s.caughtUp.isDone() && !s.caughtUp.isCompletedExceptionally()
                    && !fencedNow(s);
        }
    }

    /**
     * Under the stream's append lock: may a session admitted in {@code generation} append now?
     *
     * @return null if it may, else why not
     */
    NotHeadException refusal(String stream, int generation) {
        State s = states.get(stream);
        if (s == null) {
            return generation == 0 ? null : new NotHeadException(null, "stale session");
        }
        synchronized (s) {
            if (fencedNow(s)) {
                return new NotHeadException(s.fencedBy, "stream taken over by " + s.fencedBy);
            }
            return s.generation == generation ? null : new NotHeadException(null, "this node's headship of the "
                    + "stream lapsed since the session began");
        }
    }

    /** A new head ({@code head}, {@code HOST:PORT}) pulled from this node: stop writing the stream for a while. */
    void fence(String stream, String head) {
        State s = states.computeIfAbsent(stream, k -> new State());
        synchronized (s) {
            s.generation++;
            s.caughtUp = null;
            s.fencedUntil = nanoClock.getAsLong() + fenceNanos;
            s.fencedBy = head;
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': fenced by {}: headship generation {}", self, stream, head, s.generation);
            }
        }
    }

    /** This node saw that it is no longer the stream's head: sessions admitted so far may not write any more. */
    void demoted(String stream) {
        State s = states.get(stream);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (s.caughtUp != null) {
                s.generation++;
                s.caughtUp = null;
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} stream '{}': demoted: headship generation {}", self, stream, s.generation);
                }
            }
        }
    }

    private boolean fencedNow(State s) {
        return s.fencedBy != null && s.fencedUntil - nanoClock.getAsLong() > 0;
    }
}
