package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@link MessageLog} contract for the file log under one configuration ({@link #config()}), each log in a fresh
 * directory; the retention cases use 1 KiB segments, so that whole segments can be dropped.
 */
abstract class FileLogContract extends MessageLogContract {
    @TempDir
    Path tmp;
    private int logs;

    /** The configuration under test. */
    protected abstract FileLogConfig config();

    /** The directory of the first log a test opened. */
    protected Path firstLogDir() {
        return tmp.resolve("log-0");
    }

    private Path nextDir() {
        return tmp.resolve("log-" + logs++);
    }

    @Override
    protected MessageLog newLog() throws IOException {
        return FileMessageLog.open(nextDir(), config());
    }

    @Override
    protected MessageLog newLog(long retentionMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(nextDir(), config().withSegmentBytes(1024).withRetentionMillis(retentionMillis),
                clock);
    }

    @Override
    protected MessageLog newLogWithProducerExpiry(long producerExpiryMillis, LongSupplier clock) throws IOException {
        return FileMessageLog.open(nextDir(), config().withProducerExpiryMillis(producerExpiryMillis), clock);
    }
}
