package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

/** The contract, for the in-memory log; and its retention by size, which counts batches, not segments. */
class MemoryMessageLogTest extends MessageLogContract {
    @Override
    protected MessageLog newLog() {
        return new MemoryMessageLog();
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) {
        return new MemoryMessageLog(FileLogConfig.UNLIMITED, retentionMillis, clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) {
        return new MemoryMessageLog(FileLogConfig.UNLIMITED, FileLogConfig.UNLIMITED, producerExpiryMillis, clock);
    }

    @Test
    void retentionBySizeDropsWholeOldestBatchesAcrossStreams() throws IOException {
        try (MemoryMessageLog l = new MemoryMessageLog(1000, FileLogConfig.UNLIMITED, () -> 0L)) {
            for (int i = 0; i < 20; i++) {
                l.append(i % 2 == 0 ? "even" : "odd", new byte[100]); // 104 bytes each as counted
            }
            assertThat(l.enforceRetention(0)).isEqualTo(11); // 9 × 104 = 936 ≤ 1000 < 10 × 104
            assertThat(l.firstOffset("even")).isEqualTo(6); // batches 0..10 dropped: evens 0..10 are offsets 0..5
            assertThat(l.firstOffset("odd")).isEqualTo(5);
            assertThat(l.endOffset("even")).isEqualTo(10);
            assertThat(l.read("odd", 5, 100, 10_000).messages()).hasSize(5);
            assertThat(l.enforceRetention(0)).isZero();
        }
    }
}
