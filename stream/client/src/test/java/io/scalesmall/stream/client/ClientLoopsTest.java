package io.scalesmall.stream.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.scalesmall.sched.ThreadSlice;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ClientLoopsTest {
    @Test
    void theSlicePropertyIsReadInMicrosecondsAndABadValueGivesTheDefault() {
        assertThat(ClientLoops.sliceNanos(null)).isEqualTo(300_000);
        assertThat(ClientLoops.sliceNanos("150")).isEqualTo(150_000);
        assertThat(ClientLoops.sliceNanos(" 0 ")).as("the kernel's default").isZero();
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
        assumeTrue(System.getProperty("os.name").startsWith("Linux"), "JNA's absence is told apart on Linux");
        assertThatThrownBy(() -> Class.forName("com.sun.jna.Native")).isInstanceOf(ClassNotFoundException.class);
        assertThat(ThreadSlice.supported()).isFalse();
        assertThat(ThreadSlice.unsupportedReason()).startsWith("JNA is not on the class path");
        for (int i = 0; i < 4; i++) { // both loops (next() goes round them)
            long slice = ClientLoops.group().next().submit(ThreadSlice::current).get(10, TimeUnit.SECONDS);
            assertThat(slice).isEqualTo(-1);
        }
        assertThat(ThreadSlice.request(300_000)).isFalse();
    }
}
