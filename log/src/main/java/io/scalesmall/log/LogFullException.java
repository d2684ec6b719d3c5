package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An append was refused because it would take the log past its disk budget ({@link FileLogConfig#maxDiskBytes()}),
 * even after retention ran. Nothing of the batch was stored; reads, flushes and everything stored before are
 * unaffected. Appends succeed again once retention frees space (or the budget is raised on reopen).
 */
public final class LogFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Bytes the log's segments held when the append was refused. */
    private final long usedBytes;
    /** Bytes the refused batch would have taken on disk. */
    private final long batchBytes;
    /** The budget, in bytes. */
    private final long maxDiskBytes;

    public LogFullException(Path dir, long usedBytes, long batchBytes, long maxDiskBytes) {
        super("log " + dir + " is full: its segments hold " + usedBytes + " bytes, a batch of " + batchBytes
                + " bytes would exceed maxDiskBytes=" + maxDiskBytes + " (after retention)");
        this.usedBytes = usedBytes;
        this.batchBytes = batchBytes;
        this.maxDiskBytes = maxDiskBytes;
    }

    public long usedBytes() {
        return usedBytes;
    }

    public long batchBytes() {
        return batchBytes;
    }

    public long maxDiskBytes() {
        return maxDiskBytes;
    }
}
