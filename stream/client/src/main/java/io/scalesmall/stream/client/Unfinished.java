package io.scalesmall.stream.client;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A producer's sealed batches whose callbacks may not all have run yet, oldest first: what {@code flush} waits for.
 * A batch stays listed after it left the in-flight queue until its callbacks ran (they run outside the producer's
 * lock), and batches may finish out of order (a refused batch before an earlier one's ACK), so done batches are
 * pruned from the head only. Not thread-safe: guarded by the producer's lock.
 */
final class Unfinished {
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();

    /** Lists a batch just sealed. */
    void sealed(Batch b) {
        prune();
        batches.addLast(b);
    }

    /** @return the batches not known to be done, oldest first */
    List<Batch> list() {
        prune();
        return new ArrayList<>(batches);
    }

    private void prune() {
        while (!batches.isEmpty() && batches.peekFirst().isDone()) {
            batches.pollFirst();
        }
    }

    /** @return a future completing (normally) once every one of {@code wait} is done; call outside the lock */
    static CompletableFuture<Void> whenAllDone(List<Batch> wait) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (wait.isEmpty()) {
            all.complete(null);
            return all;
        }
        AtomicInteger left = new AtomicInteger(wait.size());
        Runnable one = () -> {
            if (left.decrementAndGet() == 0) {
                all.complete(null);
            }
        };
        for (Batch b : wait) {
            b.whenDone(one);
        }
        return all;
    }
}
