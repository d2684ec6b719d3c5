package io.scalesmall.stream.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.stream.protocol.AckFrame;
import io.scalesmall.stream.protocol.AckFrame.OffsetRun;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How stored batches become ACK frames: merged while sequences continue, split at gaps, offsets in runs. */
class AckBatcherTest {
    private static LogAppender.Appended at(long offset) {
        return new LogAppender.Appended(offset, 0, offset);
    }

    @Test
    void consecutiveBatchesShareOneAckAndContiguousOffsetsOneRun() {
        AckBatcher b = new AckBatcher();
        b.add(0, 3, at(10));
        b.add(3, 2, at(13));
        b.add(5, 1, at(20)); // another producer's batch took 15..19
        List<AckFrame> acks = b.build(1, 0);
        assertThat(acks).containsExactly(new AckFrame(5, 5, 1, 0, List.of(new OffsetRun(5, 10), new OffsetRun(1, 20))));
        assertThat(b.isEmpty()).isTrue();
    }

    @Test
    void aGapStartsANewAck() {
        AckBatcher b = new AckBatcher();
        b.add(0, 2, at(0));
        b.add(5, 2, at(2)); // sequences 2..4 were refused with an error in between
        assertThat(b.build(1, 1)).containsExactly(new AckFrame(1, 1, 1, 1, List.of(new OffsetRun(2, 0))),
                new AckFrame(6, 1, 1, 1, List.of(new OffsetRun(2, 2))));
    }

    @Test
    void duplicatesKeepTheirOriginalOffsetsAndAPartlyDuplicateBatchSaysWhatItKnows() {
        AckBatcher b = new AckBatcher();
        b.add(0, 4, new LogAppender.Appended(7, 4, -1));
        b.add(4, 3, new LogAppender.Appended(11, 1, -1));
        assertThat(b.build(1, 0)).containsExactly(new AckFrame(6, 6, 1, 0, List.of(new OffsetRun(5, 7),
                new OffsetRun(2, AckFrame.UNKNOWN_OFFSET))));
    }
}
