package io.scalesmall.stream.server;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import java.nio.file.Path;

/** {@link ChainContract} over {@link MemoryMessageLog}. */
class MemoryLogChainTest extends ChainContract {
    @Override
    MessageLog newLog(Path dir) {
        return new MemoryMessageLog();
    }
}
