package io.scalesmall.log;

/** Thread helpers for the log's background threads. Stateless. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits until {@code thread} has ended, going on through interrupts of the caller (the log's threads are never
     * interrupted themselves: an interrupt inside {@code FileChannel.force} closes the channel), then re-asserts the
     * caller's interrupt status if it was interrupted meanwhile.
     */
    static void joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
