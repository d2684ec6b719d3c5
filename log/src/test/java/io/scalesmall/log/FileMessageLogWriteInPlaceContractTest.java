package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, for the file log with write-behind off ({@link FileLogConfig#writeBehindBytes()} 0): each append
 * writes its batch into the segment file before it returns.
 */
class FileMessageLogWriteInPlaceContractTest extends MessageLogContract {
    private static final FileLogConfig IN_PLACE = FileLogConfig.DEFAULT.withWriteBehindBytes(0);

    @TempDir
    Path tmp;
    private int logs;

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), IN_PLACE);
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), IN_PLACE.withSegmentBytes(1024)
                .withRetentionMillis(retentionMillis), clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++),
                IN_PLACE.withProducerExpiryMillis(producerExpiryMillis), clock);
    }
}
