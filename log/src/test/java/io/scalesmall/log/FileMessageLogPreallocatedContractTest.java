package io.scalesmall.log;

/**
 * The contract, for the file log with segments written ahead ({@link FileLogConfig#preallocate()}) and small
 * segments, so that the suite's appends roll into spares and its reads cross segments that held zeros.
 */
class FileMessageLogPreallocatedContractTest extends FileLogContract {
    @Override
    protected FileLogConfig config() {
        return FileLogConfig.DEFAULT.withPreallocate(true).withSegmentBytes(16 << 10);
    }
}
