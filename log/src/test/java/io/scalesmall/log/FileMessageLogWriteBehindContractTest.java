package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, for the file log with write-behind ({@link FileLogConfig#writeBehindBytes()}), the smallest ring, small
 * segments and a read cache of 8 KiB: most reads in the suite go to the segment files right after their batches were
 * placed, often before the writer's thread wrote them, and appends roll while batches of the segment left are still
 * being written.
 */
class FileMessageLogWriteBehindContractTest extends MessageLogContract {
    private static final FileLogConfig BEHIND = FileLogConfig.DEFAULT
            .withWriteBehindBytes(FileLogConfig.MIN_WRITE_BEHIND_BYTES).withSegmentBytes(16 << 10)
            .withCacheBytes(8 << 10);

    @TempDir
    Path tmp;
    private int logs;

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), BEHIND);
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), BEHIND.withSegmentBytes(1024)
                .withRetentionMillis(retentionMillis), clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++),
                BEHIND.withProducerExpiryMillis(producerExpiryMillis), clock);
    }
}
