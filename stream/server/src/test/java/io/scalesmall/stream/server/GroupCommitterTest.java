package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The group committer: batches queued during a flush share the next one; closing never interrupts a flush. */
class GroupCommitterTest {
    private static final Duration WAIT = Duration.ofSeconds(30);

    /** A memory log whose flushes block until released by call number, and can fail. */
    static final class SteppedLog {
        final List<CountDownLatch> releases = new ArrayList<>();
        final Set<Integer> failing = ConcurrentHashMap.newKeySet();
        final AtomicBoolean interrupted = new AtomicBoolean();
        final MessageLog log;

        SteppedLog() {
            MessageLog memory = new MemoryMessageLog();
            log = (MessageLog) Proxy.newProxyInstance(MessageLog.class.getClassLoader(),
                    new Class<?>[] {MessageLog.class}, (proxy, method, args) -> {
                        if (method.getName().equals("flush")) {
                            flush();
                            return null;
                        }
                        try {
                            return method.invoke(memory, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private void flush() throws IOException, InterruptedException {
            CountDownLatch release = new CountDownLatch(1);
            int call;
            synchronized (this) {
                call = releases.size();
                releases.add(release);
            }
            if (!release.await(30, TimeUnit.SECONDS)) {
                throw new IOException("flush " + call + " never released");
            }
            interrupted.compareAndSet(false, Thread.currentThread().isInterrupted());
            if (failing.contains(call)) {
                throw new IOException("EIO in flush " + call);
            }
        }

        synchronized int calls() {
            return releases.size();
        }

        void release(int call) {
            CountDownLatch l;
            synchronized (this) {
                l = releases.get(call);
            }
            l.countDown();
        }
    }

    /** What the callbacks saw, in order: "name:ok" or "name:" + the failure's message. */
    private final List<String> delivered = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    private GroupCommitter committer(SteppedLog log) {
        return new GroupCommitter(log.log, new ServerStats(), r -> {
            Thread t = new Thread(r, "scalesmall-commit-test");
            threads.add(t);
            return t;
        });
    }

    private void submit(GroupCommitter c, String name) {
        c.submit((batches, failure) -> delivered.add(name + ":" + (failure == null ? "ok" : failure.getMessage())),
                List.of(new AckBatcher.Stored(0, 1, List.of())));
    }

    @Test
    void batchesQueuedDuringAFlushShareTheNextOneInOrder() {
        SteppedLog log = new SteppedLog();
        GroupCommitter c = committer(log);
        try {
            submit(c, "a");
            await().atMost(WAIT).until(() -> log.calls() == 1);
            submit(c, "b");
            submit(c, "c");
            log.release(0);
            await().atMost(WAIT).until(() -> log.calls() == 2);
            log.release(1);
            await().atMost(WAIT).until(() -> delivered.size() == 3);
            assertThat(delivered).as("b and c shared the second flush").containsExactly("a:ok", "b:ok", "c:ok");
            assertThat(log.calls()).isEqualTo(2);
        } finally {
            releaseAll(log);
            c.close();
        }
    }

    @Test
    void closeWaitsForARunningFlushWithoutInterruptingIt() throws Exception {
        SteppedLog log = new SteppedLog();
        GroupCommitter c = committer(log);
        submit(c, "a");
        await().atMost(WAIT).until(() -> log.calls() == 1);
        CompletableFuture<Void> closed = CompletableFuture.runAsync(c::close);
        await().during(Duration.ofMillis(200)).atMost(WAIT).until(() -> !closed.isDone());
        log.release(0);
        closed.get(30, TimeUnit.SECONDS);
        assertThat(log.interrupted).as("an interrupt inside an fsync would close the log's file").isFalse();
        assertThat(threads).allSatisfy(t -> assertThat(t.isAlive()).isFalse());
    }

    @Test
    void aFailedFlushFailsTheBatchesItCovered() {
        SteppedLog log = new SteppedLog();
        log.failing.add(0);
        GroupCommitter c = committer(log);
        try {
            submit(c, "a");
            await().atMost(WAIT).until(() -> log.calls() == 1);
            log.release(0);
            await().atMost(WAIT).until(() -> delivered.size() == 1);
            assertThat(delivered).containsExactly("a:EIO in flush 0");
        } finally {
            releaseAll(log);
            c.close();
        }
    }

    private static void releaseAll(SteppedLog log) {
        for (int i = 0; i < log.calls(); i++) {
            log.release(i);
        }
    }
}
