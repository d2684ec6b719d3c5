package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, for the file log with segments written ahead ({@link FileLogConfig#preallocate()}) and small
 * segments, so that the suite's appends roll into spares and its reads cross segments that held zeros.
 */
class FileMessageLogPreallocatedContractTest extends MessageLogContract {
    private static final FileLogConfig WRITTEN_AHEAD = FileLogConfig.DEFAULT.withPreallocate(true)
            .withSegmentBytes(16 << 10);

    @TempDir
    Path tmp;
    private int logs;

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), WRITTEN_AHEAD);
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), WRITTEN_AHEAD.withSegmentBytes(1024)
                .withRetentionMillis(retentionMillis), clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++),
                WRITTEN_AHEAD.withProducerExpiryMillis(producerExpiryMillis), clock);
    }
}
