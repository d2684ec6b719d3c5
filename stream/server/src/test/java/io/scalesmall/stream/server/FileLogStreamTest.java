package io.scalesmall.stream.server;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.nio.file.Path;

/** {@link StreamContract} over {@link FileMessageLog}, with real fsyncs. */
class FileLogStreamTest extends StreamContract {
    @Override
    MessageLog newLog(Path dir) throws IOException {
        return FileMessageLog.open(dir.resolve("log"), FileLogConfig.DEFAULT.withSegmentBytes(1 << 20));
    }
}
