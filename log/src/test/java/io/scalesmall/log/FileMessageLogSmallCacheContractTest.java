package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, for the file log with a read cache of 8 KiB: most reads in the suite then go to the segment files,
 * and some span cached and uncached batches (the default cache would serve nearly all of them from memory).
 */
class FileMessageLogSmallCacheContractTest extends MessageLogContract {
    private static final long CACHE = 8 << 10;

    @TempDir
    Path tmp;
    private int logs;

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), FileLogConfig.DEFAULT.withCacheBytes(CACHE));
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), FileLogConfig.DEFAULT.withSegmentBytes(1024)
                .withRetentionMillis(retentionMillis).withCacheBytes(CACHE), clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), FileLogConfig.DEFAULT
                .withProducerExpiryMillis(producerExpiryMillis).withCacheBytes(CACHE), clock);
    }
}
