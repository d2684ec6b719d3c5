package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each fsync's duration is recorded, on a clock the test steps; a failed one is not. */
class GroupCommitTimingTest {
    @TempDir
    Path dir;

    @Test
    void eachSuccessfulFsyncIsTimedAndAFailedOneIsNot() throws IOException {
        AtomicLong clock = new AtomicLong(1_000);
        long[] takes = {3_000_000, 250_000};
        AtomicLong calls = new AtomicLong();
        GroupCommit commit = new GroupCommit(ch -> {
            int call = (int) calls.getAndIncrement();
            if (call == takes.length) {
                clock.addAndGet(7_000_000);
                throw new IOException("EIO");
            }
            clock.addAndGet(takes[call]);
        }, clock::get);
        try (FileChannel ch = FileChannel.open(dir.resolve("f"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            AtomicLong appended = new AtomicLong();
            GroupCommit.Log log = new GroupCommit.Log() {
                @Override
                public long appendedBytes() {
                    return appended.get();
                }

                @Override
                public FileChannel activeChannel() {
                    return ch;
                }
            };
            for (int i = 0; i < 3; i++) {
                appended.addAndGet(ch.write(ByteBuffer.wrap(new byte[] {(byte) i})));
                if (i < 2) {
                    commit.flush(log);
                } else {
                    assertThatThrownBy(() -> commit.flush(log)).hasMessage("EIO");
                }
            }
        }
        Histogram h = commit.fsyncNanos();
        assertThat(h.getTotalCount()).as("two succeeded, one failed").isEqualTo(2);
        assertThat(h.getMaxValue()).isBetween(2_970_000L, 3_030_000L);
        assertThat(h.getMinValue()).isBetween(247_500L, 252_500L);
        assertThat(commit.fsyncNanosAt(100)).as("read in place, as the copy").isEqualTo(h.getMaxValue());
        assertThat(commit.fsyncNanosAt(0)).isEqualTo(h.getMinValue());
        assertThat(commit.fsyncCount()).as("calls, failed included").isEqualTo(3);
    }
}
