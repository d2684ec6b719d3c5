package io.scalesmall.log;

/**
 * The contract, for the file log with a read cache of 8 KiB: most reads in the suite then go to the segment files,
 * and some span cached and uncached batches (the default cache would serve nearly all of them from memory).
 */
class FileMessageLogSmallCacheContractTest extends FileLogContract {
    @Override
    protected FileLogConfig config() {
        return FileLogConfig.DEFAULT.withCacheBytes(8 << 10);
    }
}
