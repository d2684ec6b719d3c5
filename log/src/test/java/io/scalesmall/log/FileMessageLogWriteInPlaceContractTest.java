package io.scalesmall.log;

/**
 * The contract, for the file log with write-behind off ({@link FileLogConfig#writeBehindBytes()} 0): each append
 * writes its batch into the segment file before it returns.
 */
class FileMessageLogWriteInPlaceContractTest extends FileLogContract {
    @Override
    protected FileLogConfig config() {
        return FileLogConfig.DEFAULT.withWriteBehindBytes(0);
    }
}
