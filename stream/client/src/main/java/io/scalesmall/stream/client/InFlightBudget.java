package io.scalesmall.stream.client;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The bound on a producer's messages in flight ({@link ProducerConfig#maxInFlight}): a plain count, taken one per
 * message by a send, given back a whole batch at a time when the batch leaves the producer (acknowledged, refused,
 * expired or closed). Replaces a {@link java.util.concurrent.Semaphore} acquired and released per message: the
 * producer holds its lock for the send anyway, and waiting senders are woken only when some wait.
 *
 * <p>Not thread-safe by itself: every method is called holding {@code lock}, the producer's monitor, on which
 * blocked senders wait.
 */
final class InFlightBudget {
    private final Object lock;
    private final int max;
    /** Messages taken and not given back, 0..max. */
    private int used;
    /** Senders waiting in {@link #await}. */
    private int waiters;

    /** @param max messages in flight at most, at least 1; @param lock the monitor callers hold */
    InFlightBudget(Object lock, int max) {
        this.lock = lock;
        this.max = max;
    }

    /** @return true, with one message counted, if there is room */
    boolean tryTake() {
        if (used >= max) {
            return false;
        }
        used++;
        return true;
    }

    /**
     * Waits for room up to {@code maxBlock} (releasing the monitor meanwhile), giving up early when {@code closed}
     * turns true or the thread is interrupted (its flag is then set again).
     *
     * @return true, with one message counted, if room came in time
     */
    boolean take(Duration maxBlock, BooleanSupplier closed) {
        long wait;
        try {
            wait = maxBlock.toNanos();
        } catch (ArithmeticException e) {
            wait = Long.MAX_VALUE;
        }
        long deadline = System.nanoTime() + wait;
        try {
            for (long left = wait; left > 0 && !closed.getAsBoolean(); left = deadline - System.nanoTime()) {
                await(left);
                if (!closed.getAsBoolean() && tryTake()) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return false;
    }

    /**
     * Waits (releasing the monitor) until room is given back, {@link #wakeAll} is called, or {@code nanos} pass;
     * may return early (spurious wake-ups): the caller rechecks.
     */
    private void await(long nanos) throws InterruptedException {
        waiters++;
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, nanos);
        } finally {
            waiters--;
        }
    }

    /** Gives back {@code n} messages (a batch that left) and wakes waiting senders, if any. */
    void give(int n) {
        used -= n;
        wakeAll();
    }

    /** Wakes every waiting sender (to see a closed producer). */
    void wakeAll() {
        if (waiters > 0) {
            lock.notifyAll();
        }
    }

    /** @return messages in flight now */
    int used() {
        return used;
    }

    int max() {
        return max;
    }
}
