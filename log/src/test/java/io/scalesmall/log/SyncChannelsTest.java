package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A segment's fsync descriptors: one per slot, closed once its roll completed and no fsync holds them. */
class SyncChannelsTest {
    @TempDir
    Path dir;

    @Test
    void eachSlotHasItsOwnDescriptorUntilRetiredAndTheExtrasCloseWhenUnused() throws IOException {
        Segment s = Segment.create(dir, 0, ChannelOpener.DEFAULT);
        try {
            s.sync.open(3, s.path, ChannelOpener.DEFAULT);
            FileChannel zero = s.sync.acquire(0);
            FileChannel one = s.sync.acquire(1);
            FileChannel two = s.sync.acquire(2);
            assertThat(zero).isSameAs(s.channel);
            assertThat(List.of(zero, one, two)).doesNotHaveDuplicates();
            assertThatThrownBy(() -> s.sync.acquire(3)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no channel for sync slot 3");

            s.sync.retire();
            assertThat(s.sync.acquire(1)).as("durable as a whole: nothing to fsync").isNull();
            assertThat(one.isOpen()).as("still held by an fsync").isTrue();
            s.sync.release();
            s.sync.release();
            assertThat(one.isOpen()).isTrue();
            s.sync.release();
            assertThat(one.isOpen()).isFalse();
            assertThat(two.isOpen()).isFalse();
            assertThat(s.channel.isOpen()).as("the segment's own stays for reads").isTrue();
        } finally {
            s.close();
        }
    }

    @Test
    void aFailedOpenLeavesNoDescriptorOpen() throws IOException {
        Segment s = Segment.create(dir, 0, ChannelOpener.DEFAULT);
        List<FileChannel> opened = new CopyOnWriteArrayList<>();
        ChannelOpener failsSecond = (path, options) -> {
            if (opened.size() == 1) {
                throw new IOException("EMFILE");
            }
            FileChannel c = FileChannel.open(path, options);
            opened.add(c);
            return c;
        };
        try {
            assertThatThrownBy(() -> s.sync.open(3, s.path, failsSecond)).hasMessage("EMFILE");
            assertThat(opened).hasSize(1);
            assertThat(opened.get(0).isOpen()).isFalse();
        } finally {
            s.close();
        }
    }

    @Test
    void aRolledSegmentsExtraDescriptorsCloseOnceItsRollCompleted() throws IOException {
        List<FileChannel> extras = new CopyOnWriteArrayList<>();
        ChannelOpener recording = (path, options) -> {
            FileChannel c = FileChannel.open(path, options);
            if (options.length == 1) { // the sync descriptors open write-only
                extras.add(c);
            }
            return c;
        };
        FileLogConfig config = FileLogConfig.DEFAULT.withSegmentBytes(1024).withCompressMinBytes(Integer.MAX_VALUE);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> 0L, GroupCommit.FORCE, recording)) {
            byte[] m = CodecBytes.of("-".repeat(52));
            for (int i = 0; i < 25; i++) { // 94 bytes each: 11 per segment, so segments 0, 1 and 2
                log.append("s", m);
            }
            assertThat(log.segmentCount()).isEqualTo(3);
            await().atMost(Duration.ofSeconds(30)).until(() -> !log.groupCommit().rollsPending());
            assertThat(extras).as("one per segment that took appends (two slots)").hasSize(3);
            assertThat(extras.get(0).isOpen()).isFalse();
            assertThat(extras.get(1).isOpen()).isFalse();
            assertThat(extras.get(2).isOpen()).as("the active segment's").isTrue();
            log.flush();
        }
        assertThat(extras.get(2).isOpen()).as("closed with the log").isFalse();
    }
}
