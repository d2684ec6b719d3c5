package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The contract, for the file log with its default settings (write-behind on). */
class FileMessageLogContractTest extends FileLogContract {
    @Override
    protected FileLogConfig config() {
        return FileLogConfig.DEFAULT;
    }

    @Override
    protected void assertNoFilePerStream(MessageLog log, int streams) throws IOException {
        long files;
        try (Stream<Path> s = Files.list(firstLogDir())) {
            files = s.count();
        }
        assertThat(files).as("segment files and the lock file for %d streams", streams).isLessThanOrEqualTo(3);
    }
}
