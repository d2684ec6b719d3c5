package io.scalesmall.placement;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A hold-down: a view (e.g. the member -> weight map a {@link Ring} is built from) is acted on only after it has
 * stayed the same for {@code hold}, so a flapping view does not churn claims. Every change of the offered view
 * restarts the wait; the first view waits too (a starting node sees members arrive one by one).
 *
 * <pre>
 *   s = s.offer(view, now);                  // on every change, or every tick
 *   if (s.due(now)) { publish(s.view()); s = s.applied(); }
 * </pre>
 *
 * Views are compared with {@link Object#equals}. Times are {@link System#nanoTime()}-style readings: only
 * differences matter, and they are computed overflow-safe. Immutable and thread-safe (each method returns a new
 * value); the caller keeps the current one.
 *
 * @param <V> the view type; must have value equality
 */
public final class Settling<V> {
    /** Default hold-down: 1 s. */
    public static final Duration DEFAULT_HOLD = Duration.ofSeconds(1);

    private final long holdNanos;
    /** The latest view offered; null before the first offer. */
    private final V view;
    /** When {@link #view} was first offered. */
    private final long sinceNanos;
    /** The view last acted on; null if none. */
    private final V applied;

    private Settling(long holdNanos, V view, long sinceNanos, V applied) {
        this.holdNanos = holdNanos;
        this.view = view;
        this.sinceNanos = sinceNanos;
        this.applied = applied;
    }

    /**
     * @param hold how long a view must stay unchanged, {@code >= 0}, at most {@code Long.MAX_VALUE} ns (~292 years)
     * @throws IllegalArgumentException if {@code hold} is null, negative or too long
     */
    public static <V> Settling<V> of(Duration hold) {
        if (hold == null) {
            throw new IllegalArgumentException("hold: null");
        }
        if (hold.isNegative()) {
            throw new IllegalArgumentException("hold: " + hold + " is negative");
        }
        long nanos;
        try {
            nanos = hold.toNanos();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("hold: " + hold + " does not fit in a long of nanoseconds", e);
        }
        return new Settling<>(nanos, null, 0, null);
    }

    /**
     * Offers the current view.
     *
     * @param view      non-null
     * @param nowNanos  the current time
     * @return this if {@code view} equals the latest offered (its wait goes on), else a value whose wait starts now
     * @throws NullPointerException if {@code view} is null
     */
    public Settling<V> offer(V view, long nowNanos) {
        Objects.requireNonNull(view, "view");
        if (view.equals(this.view)) {
            return this;
        }
        return new Settling<>(holdNanos, view, nowNanos, applied);
    }

    /** @return true if the latest view has been unchanged for the hold-down and is not the one last applied */
    public boolean due(long nowNanos) {
        return nanosUntilDue(nowNanos) == 0;
    }

    /**
     * @return 0 if {@link #due}, -1 if nothing awaits (no view yet, or the latest view is applied), else the
     *         nanoseconds left to wait
     */
    public long nanosUntilDue(long nowNanos) {
        if (view == null || view.equals(applied)) {
            return -1;
        }
        long waited = nowNanos - sinceNanos;
        return waited >= holdNanos ? 0 : holdNanos - Math.max(0, waited);
    }

    /** @return the latest view offered, or null before the first offer */
    public V view() {
        return view;
    }

    /** @return this with the latest view marked as acted on */
    public Settling<V> applied() {
        if (view == null) {
            throw new IllegalStateException("applied: no view has been offered");
        }
        return new Settling<>(holdNanos, view, sinceNanos, view);
    }

    /** @return the view last acted on, if any */
    public Optional<V> lastApplied() {
        return Optional.ofNullable(applied);
    }

    /** @return the hold-down */
    public Duration hold() {
        return Duration.ofNanos(holdNanos);
    }
}
