package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.util.concurrent.EventExecutor;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.client.ProducerConfig;
import io.scalesmall.stream.client.StreamProducer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The server's event loops run with the scheduler slice its config asks for (ThreadSlice, Linux 6.12+). */
class StreamServerSliceTest {
    private static long defaultSlice() throws Exception {
        long[] seen = new long[1];
        Thread t = new Thread(() -> seen[0] = ThreadSlice.current());
        t.start();
        t.join();
        return seen[0];
    }

    @Test
    void theLoopsAskForTheConfiguredSliceAndZeroLeavesTheKernels() throws Exception {
        assumeTrue(ThreadSlice.supported(), ThreadSlice.unsupportedReason());
        long kernels = defaultSlice();
        for (int micros : new int[] {250, 0}) {
            try (MemoryMessageLog log = new MemoryMessageLog();
                    StreamServer server = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(2)
                            .withIoSliceMicros(micros))) {
                for (EventExecutor loop : server.workers()) {
                    long slice = loop.submit(ThreadSlice::current).get(10, TimeUnit.SECONDS);
                    assertThat(slice).as("%d µs", micros).isEqualTo(micros == 0 ? kernels : micros * 1000L);
                }
            }
        }
    }

    @Test
    void aProducersCallbacksRunWithTheClientLoopsDefaultSlice() throws Exception {
        assumeTrue(ThreadSlice.supported(), ThreadSlice.unsupportedReason());
        assumeTrue(System.getProperty("scalesmall.client.io-slice-us") == null, "the client's slice is set");
        try (MemoryMessageLog log = new MemoryMessageLog();
                StreamServer server = StreamServer.start(log, StreamServerConfig.loopback());
                StreamProducer producer = StreamProducer.create(ProducerConfig.of(server.address(), "sliced"))) {
            CompletableFuture<Long> slice = new CompletableFuture<>();
            producer.send(new byte[10], (offset, error) -> slice.complete(error == null ? ThreadSlice.current() : -2));
            assertThat(slice.get(10, TimeUnit.SECONDS)).isEqualTo(300_000);
        }
    }

    @Test
    void theDefaultIs300MicrosecondsAndOutOfRangeValuesAreRefused() {
        assertThat(StreamServerConfig.loopback().ioSliceMicros()).isEqualTo(300);
        assertThat(StreamServerConfig.loopback().ioSliceNanos()).isEqualTo(300_000);
        for (int bad : new int[] {-1, 99, 100_001}) {
            assertThatThrownBy(() -> StreamServerConfig.loopback().withIoSliceMicros(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("ioSliceMicros must be 0 (the kernel's) or in 100..100000, got " + bad);
        }
    }
}
