package io.scalesmall.stream.server;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import java.nio.file.Path;

/** {@link StreamContract} over {@link MemoryMessageLog}. */
class MemoryLogStreamTest extends StreamContract {
    @Override
    MessageLog newLog(Path dir) {
        return new MemoryMessageLog();
    }
}
