package io.scalesmall.stream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalesmall.sched.ThreadSlice;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

class ClientLoopsTest {
    @Test
    void theSlicePropertyIsReadInMicrosecondsAndABadValueGivesTheDefault() {
        assertThat(ClientLoops.sliceNanos(null)).isEqualTo(300_000);
        assertThat(ClientLoops.sliceNanos("150")).isEqualTo(150_000);
        assertThat(ClientLoops.sliceNanos(" 0 ")).as("the kernel's default").isZero();
        assertThat(ClientLoops.sliceNanos("Off")).as("the kernel's default").isZero();
        assertThat(ClientLoops.sliceNanos("100000")).isEqualTo(100_000_000);
        for (String bad : new String[] {"99", "100001", "-1", "fast", ""}) {
            assertThat(ClientLoops.sliceNanos(bad)).as(bad).isEqualTo(300_000);
        }
    }

    /**
     * This module's tests run without JNA, as an application that embeds the client without it: the loops start and
     * run, and keep the kernel's slice. (With JNA, StreamServerSliceTest checks the slice a producer's callbacks run
     * with.)
     */
    @Test
    void withoutJnaTheLoopsRunWithTheKernelsSlice() throws Exception {
        String arch = System.getProperty("os.arch");
        assumeTrue(System.getProperty("os.name").startsWith("Linux")
                && (arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64")),
                "JNA's absence is told apart on Linux on x86-64 and aarch64");
        assertThatThrownBy(() -> Class.forName("com.sun.jna.Native")).isInstanceOf(ClassNotFoundException.class);
        assertThat(ThreadSlice.supported()).isFalse();
        assertThat(ThreadSlice.unsupportedReason()).startsWith("JNA is not on the class path");
        for (int i = 0; i < 4; i++) { // both loops (next() goes round them)
            long slice = ClientLoops.group().next().submit(ThreadSlice::current).get(10, TimeUnit.SECONDS);
            assertThat(slice).isEqualTo(-1);
        }
        assertThat(ThreadSlice.request(300_000)).isFalse();
    }

    @Test
    void aCompletionReadsTheClockOnceAndNestedOnesGetTheirOwnReading() throws Exception {
        long[] r = ClientLoops.group().next().submit(() -> {
            long before = ClientLoops.completionNanos();
            LockSupport.parkNanos(1_000_000);
            long outer = ClientLoops.beginCompletion();
            long first = ClientLoops.completionNanos();
            LockSupport.parkNanos(1_000_000);
            long same = ClientLoops.completionNanos();
            long inner = ClientLoops.beginCompletion(); // e.g. a callback that closes a producer
            long nested = ClientLoops.completionNanos();
            ClientLoops.endCompletion(inner);
            long back = ClientLoops.completionNanos();
            ClientLoops.endCompletion(outer);
            LockSupport.parkNanos(1_000_000);
            long after = ClientLoops.completionNanos();
            return new long[] {before, first, same, nested, back, after};
        }).get(10, TimeUnit.SECONDS);
        assertThat(r[1]).as("the reading is taken at the start").isGreaterThan(r[0]);
        assertThat(r[2]).as("one reading for the whole completion").isEqualTo(r[1]);
        assertThat(r[3]).as("a nested completion reads the clock again").isGreaterThan(r[1]);
        assertThat(r[4]).as("and the outer one's reading comes back").isEqualTo(r[1]);
        assertThat(r[5]).as("no completion: the clock").isGreaterThan(r[3]);
    }
}
