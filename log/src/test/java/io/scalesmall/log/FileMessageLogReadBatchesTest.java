package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link MessageLog#readBatches} of the file log, beyond the contract ({@link MessageLogContract}): producer fields
 * come back alike from the cache and, after reopening, from disk.
 */
class FileMessageLogReadBatchesTest {
    @TempDir
    Path dir;

    @Test
    void batchesCarryTheirProducerFieldsFromCacheAndDisk() throws IOException {
        FileLogConfig small = FileLogConfig.DEFAULT.withSegmentBytes(4096);
        try (FileMessageLog log = FileMessageLog.open(dir, small)) {
            MessageLogContract.fillProducerBatches(log);
            MessageLogContract.checkProducerBatches(log);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, small)) { // cold: every batch from disk
            MessageLogContract.checkProducerBatches(log);
        }
    }
}
