package io.scalesmall.log;

/**
 * The contract, for the file log with write-behind ({@link FileLogConfig#writeBehindBytes()}), the smallest ring, small
 * segments and a read cache of 8 KiB: most reads in the suite go to the segment files right after their batches were
 * placed, often before the writer's thread wrote them, and appends roll while batches of the segment left are still
 * being written.
 */
class FileMessageLogWriteBehindContractTest extends FileLogContract {
    @Override
    protected FileLogConfig config() {
        return FileLogConfig.DEFAULT.withWriteBehindBytes(FileLogConfig.MIN_WRITE_BEHIND_BYTES)
                .withSegmentBytes(16 << 10).withCacheBytes(8 << 10);
    }
}
