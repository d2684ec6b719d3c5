package io.scalesmall.log;

/** The contract, for the in-memory log. */
class MemoryMessageLogTest extends MessageLogContract {
    @Override
    protected MessageLog newLog() {
        return new MemoryMessageLog();
    }
}
