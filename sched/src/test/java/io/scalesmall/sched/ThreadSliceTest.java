package io.scalesmall.sched;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThreadSliceTest {
    /** Runs {@code body} on a new thread (a slice is per thread: the test's own thread keeps the kernel's). */
    private static <T> T onNewThread(ThreadFactory threads, java.util.concurrent.Callable<T> body) throws Exception {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = threads.newThread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        t.start();
        return result.get(10, TimeUnit.SECONDS);
    }

    private static <T> T onNewThread(java.util.concurrent.Callable<T> body) throws Exception {
        return onNewThread(Thread::new, body);
    }

    @Test
    void aThreadGetsTheSliceItAsksForAndCanGoBackToTheDefault() throws Exception {
        assumeTrue(ThreadSlice.supported(), ThreadSlice.unsupportedReason());
        long mine = ThreadSlice.current(); // whatever this JVM was started with
        long[] seen = onNewThread(() -> {
            boolean reset = ThreadSlice.request(0);
            long kernels = ThreadSlice.current();
            boolean set = ThreadSlice.request(250_000);
            long during = ThreadSlice.current();
            long child = onNewThread(ThreadSlice::current); // started now: reset on fork
            boolean again = ThreadSlice.request(0);
            return new long[] {reset ? 1 : 0, kernels, set ? 1 : 0, during, child, again ? 1 : 0,
                    ThreadSlice.current()};
        });
        assertThat(seen[0]).as("request(0)").isEqualTo(1);
        assertThat(seen[1]).as("the kernel's default slice").isGreaterThan(0).isNotEqualTo(250_000);
        assertThat(seen[2]).as("request(250 µs)").isEqualTo(1);
        assertThat(seen[3]).isEqualTo(250_000);
        assertThat(seen[4]).as("a thread started by a sliced one gets the kernel's default").isEqualTo(seen[1]);
        assertThat(seen[5]).as("request(0) again").isEqualTo(1);
        assertThat(seen[6]).as("back to the kernel's default").isEqualTo(seen[1]);
        assertThat(ThreadSlice.current()).as("the test's thread is untouched").isEqualTo(mine);
    }

    @Test
    void theFactorysThreadsRunWithTheSlice() throws Exception {
        assumeTrue(ThreadSlice.supported(), ThreadSlice.unsupportedReason());
        ThreadFactory threads = ThreadSlice.factory(r -> new Thread(r, "sliced"), 400_000, "test threads");
        assertThat(onNewThread(threads, () -> Thread.currentThread().getName() + " " + ThreadSlice.current()))
                .isEqualTo("sliced 400000");
        assertThat(onNewThread(threads, ThreadSlice::current)).as("every thread, not just the first")
                .isEqualTo(400_000);
    }

    @Test
    void aZeroSliceFactoryIsTheDelegate() {
        ThreadFactory delegate = Thread::new;
        assertThat(ThreadSlice.factory(delegate, 0, "x")).isSameAs(delegate);
    }

    @Test
    void slicesOutOfTheKernelsRangeAreRefusedWhereverThisRuns() {
        for (long bad : new long[] {-1, 1, ThreadSlice.MIN_NANOS - 1, ThreadSlice.MAX_NANOS + 1}) {
            assertThatThrownBy(() -> ThreadSlice.request(bad)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("0 (the kernel's default) or 100..100000 µs, got " + bad + " ns");
            assertThatThrownBy(() -> ThreadSlice.factory(Thread::new, bad, "x"))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void unsupportedPlacesAreRecognisedAndNeverThrow() {
        long[] fairWithSlice = {56, 0, 0, 0, 0, 1_400_000};
        long[] fairOldKernel = {56, 0, 0, 0, 0, 0};
        long[] realTime = {56, 1, 0, 0, 10, 0}; // SCHED_FIFO: a slice of 0 says nothing about the kernel
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> fairWithSlice)).isNull();
        assertThat(ThreadSlice.Kernel.reason("Linux", "aarch64", () -> fairWithSlice)).isNull();
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> realTime)).isNull();
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> fairOldKernel)).contains("6.12");
        assertThat(ThreadSlice.Kernel.reason("Mac OS X", "aarch64", () -> fairWithSlice)).startsWith("not Linux");
        assertThat(ThreadSlice.Kernel.reason("Linux", "s390x", () -> fairWithSlice)).startsWith("not Linux");
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> null)).startsWith("sched_getattr failed (errno ");
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> {
            throw new NoClassDefFoundError("com/sun/jna/Native");
        })).startsWith("JNA is not on the class path");
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> {
            throw new UnsatisfiedLinkError("no libc");
        })).startsWith("JNA is not on the class path");
        assertThat(ThreadSlice.Kernel.reason("Linux", "amd64", () -> {
            throw new IllegalStateException("boom");
        })).startsWith("cannot call sched_getattr");
    }

    @Test
    void theSystemCallNumbersAreTheKernelsOnes() {
        assertThat(ThreadSlice.Kernel.numbers("amd64")).containsExactly(314, 315); // arch/x86/entry/syscalls/syscall_64.tbl
        assertThat(ThreadSlice.Kernel.numbers("aarch64")).containsExactly(274, 275); // include/uapi/asm-generic/unistd.h
        assertThat(ThreadSlice.Kernel.numbers("riscv64")).isNull();
    }
}
