package io.scalesmall.stream.server;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MessageLog;
import java.io.IOException;
import java.nio.file.Path;

/** {@link ChainContract} over {@link FileMessageLog}, with real fsyncs at every copy. */
class FileLogChainTest extends ChainContract {
    @Override
    MessageLog newLog(Path dir) throws IOException {
        return FileMessageLog.open(dir.resolve("log"), FileLogConfig.DEFAULT.withSegmentBytes(1 << 20));
    }
}
