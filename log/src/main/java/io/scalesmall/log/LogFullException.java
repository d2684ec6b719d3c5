package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An append was refused because it would take the log past its disk budget ({@link FileLogConfig#maxDiskBytes()}),
 * even after retention ran -- or because the file system ran out of space first ({@link #fileSystemFull()}: a
 * write, a new segment file or an fsync failed with ENOSPC). Nothing of the batch is visible; reads and everything
 * stored before are unaffected. After a budget refusal appends succeed again once retention frees space (or the
 * budget is raised on reopen); after a failed write, once the file system has room again. A failed fsync is
 * different: the log then refuses appends until it is reopened (see {@link FileMessageLog}).
 */
public final class LogFullException extends IOException {
    private static final long serialVersionUID = 1L;

    /** Bytes the log's segments held when the append was refused. */
    private final long usedBytes;
    /** Bytes the refused batch would have taken on disk. */
    private final long batchBytes;
    /** The budget, in bytes. */
    private final long maxDiskBytes;
    /** True if the file system, not the budget, ran out of space. */
    private final boolean fileSystemFull;

    public LogFullException(Path dir, long usedBytes, long batchBytes, long maxDiskBytes) {
        super("log " + dir + " is full: its segments hold " + usedBytes + " bytes, a batch of " + batchBytes
                + " bytes would exceed maxDiskBytes=" + maxDiskBytes + " (after retention)");
        this.usedBytes = usedBytes;
        this.batchBytes = batchBytes;
        this.maxDiskBytes = maxDiskBytes;
        this.fileSystemFull = false;
    }

    /** The file system under {@code dir} had no space left: {@code cause} is the failed write, create or fsync. */
    public LogFullException(Path dir, long usedBytes, long batchBytes, long maxDiskBytes, IOException cause) {
        super("log " + dir + " is full: the file system has no space left (" + cause.getMessage()
                + "); its segments hold " + usedBytes + " bytes, the batch of " + batchBytes
                + " bytes was not stored", cause);
        this.usedBytes = usedBytes;
        this.batchBytes = batchBytes;
        this.maxDiskBytes = maxDiskBytes;
        this.fileSystemFull = true;
    }

    /**
     * Whether {@code e} (or a cause of it) reports ENOSPC: Java gives no error code, so the operating system's
     * message is matched ("No space left on device" on Linux and macOS, "not enough space on the disk" on Windows).
     */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("No space left on device") || m.contains("not enough space on the disk"))) {
                return true;
            }
        }
        return false;
    }

    /** True if the file system ran out of space; false if the log's own budget refused the batch. */
    public boolean fileSystemFull() {
        return fileSystemFull;
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
