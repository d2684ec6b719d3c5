package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;

/** The contract, for the file log with its default settings (write-behind on; fresh directory per log). */
class FileMessageLogContractTest extends MessageLogContract {
    @TempDir
    Path tmp;
    private int logs;

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++), FileLogConfig.DEFAULT);
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++),
                FileLogConfig.DEFAULT.withSegmentBytes(1024).withRetentionMillis(retentionMillis), clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(tmp.resolve("log-" + logs++),
                FileLogConfig.DEFAULT.withProducerExpiryMillis(producerExpiryMillis), clock);
    }

    @Override
    protected void assertNoFilePerStream(MessageLog log, int streams) throws IOException {
        long files;
        try (Stream<Path> s = Files.list(tmp.resolve("log-0"))) {
            files = s.count();
        }
        assertThat(files).as("segment files and the lock file for %d streams", streams).isLessThanOrEqualTo(3);
    }
}
