package io.scalesmall.log;

import static io.scalesmall.log.IdempotentAppendContract.msgs;
import static io.scalesmall.log.MessageLogContract.strings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Idempotent producers across reopening: the producer state is rebuilt from the batch records. */
class FileMessageLogIdempotenceTest {
    @TempDir
    Path dir;

    private static final FileLogConfig SMALL = FileLogConfig.DEFAULT.withSegmentBytes(1024);
    private static final long DAY = 24L * 60 * 60 * 1000;

    /** A producer batch as appended. */
    record Sent(String stream, long producer, long firstSequence, List<byte[]> messages, long offset) {
    }

    /** Appends random producer batches (3 producers, 2 streams) interleaved with plain appends. */
    private static List<Sent> send(FileMessageLog log, SplittableRandom rnd, int batches) throws IOException {
        List<Sent> out = new ArrayList<>();
        long[][] next = new long[2][4];
        for (int i = 0; i < batches; i++) {
            int s = rnd.nextInt(2);
            int p = rnd.nextInt(1, 4);
            String stream = "s" + s;
            List<byte[]> m = new ArrayList<>();
            for (int k = rnd.nextInt(1, 5); k > 0; k--) {
                m.add(Seeds.message(rnd, rnd.nextInt(0, 80)));
            }
            if (rnd.nextInt(4) == 0) {
                log.append(stream, Seeds.message(rnd, 10));
            }
            AppendResult r = log.append(stream, p, next[s][p], m);
            assertThat(r.duplicates()).isZero();
            out.add(new Sent(stream, p, next[s][p], m, r.firstOffset()));
            next[s][p] += m.size() + rnd.nextInt(2); // sometimes a gap
        }
        return out;
    }

    @Test
    void retriesAreStillRecognizedAfterReopening() throws IOException {
        List<Sent> sent;
        long[] ends = new long[2];
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            sent = send(log, new SplittableRandom(11), 60);
            assertThat(log.segmentCount()).isGreaterThan(2);
            ends[0] = log.endOffset("s0");
            ends[1] = log.endOffset("s1");
            assertThat(log.producerCount()).isEqualTo(6);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.producerCount()).isEqualTo(6);
            for (Sent s : sent) {
                assertThat(log.append(s.stream, s.producer, s.firstSequence, s.messages))
                        .as("retry of %s", s).isEqualTo(new AppendResult(s.offset, s.messages.size()));
                ReadResult r = log.read(s.stream, s.offset, s.messages.size(), Integer.MAX_VALUE);
                assertThat(r.messages()).containsExactlyElementsOf(s.messages);
            }
            assertThat(log.endOffset("s0")).isEqualTo(ends[0]);
            assertThat(log.endOffset("s1")).isEqualTo(ends[1]);
            Sent last = sent.get(sent.size() - 1);
            List<byte[]> longer = new ArrayList<>(last.messages);
            longer.add(CodecBytes.of("new"));
            AppendResult r = log.append(last.stream, last.producer, last.firstSequence, longer);
            assertThat(r).isEqualTo(new AppendResult(last.offset, last.messages.size()));
            assertThat(strings(log.read(last.stream, log.endOffset(last.stream) - 1, 1, 100))).containsExactly("new");
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) { // the re-encoded tail carried its sequence
            Sent last = sent.get(sent.size() - 1);
            long seq = last.firstSequence + last.messages.size();
            assertThat(log.append(last.stream, last.producer, seq, msgs("new")).duplicates()).isEqualTo(1);
        }
    }

    @Test
    void theWindowIsRebuiltFromTheLast64Batches() throws IOException {
        int batches = 100;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            for (int i = 0; i < batches; i++) {
                log.append("s", 4, i, msgs("m" + i));
            }
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            int oldest = batches - MessageLog.PRODUCER_WINDOW_BATCHES;
            assertThat(log.append("s", 4, oldest, msgs("m" + oldest))).isEqualTo(new AppendResult(oldest, 1));
            assertThatThrownBy(() -> log.append("s", 4, oldest - 1, msgs("x")))
                    .isInstanceOf(DuplicateSequenceException.class);
            assertThat(log.endOffset("s")).isEqualTo(batches);
        }
    }

    @Test
    void producersIdleLongerThanTheExpiryAreForgottenOnOpen() throws IOException {
        long[] now = {0};
        FileLogConfig config = SMALL.withProducerExpiryMillis(DAY);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            log.append("s", 1, 0, msgs("old"));
            now[0] = DAY / 2;
            log.append("s", 2, 0, msgs("recent"));
        }
        now[0] = DAY + 1;
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            assertThat(log.producerCount()).isEqualTo(1);
            assertThat(log.append("s", 2, 0, msgs("recent"))).isEqualTo(new AppendResult(1, 1));
            assertThat(log.append("s", 1, 0, msgs("old"))).isEqualTo(new AppendResult(2, 0));
        }
    }

    /** A producer forgotten and restarted at sequence 0 is rebuilt as the live log had it: its new life only. */
    @Test
    void aProducerThatStartedAfreshIsRebuiltWithItsNewSequences() throws IOException {
        long[] now = {0};
        FileLogConfig config = SMALL.withProducerExpiryMillis(DAY);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            log.append("s", 1, 0, msgs("a", "b", "c"));
            log.append("s", 1, 3, msgs("d"));
            now[0] = 2 * DAY;
            assertThat(log.append("s", 1, 0, msgs("A", "B"))).isEqualTo(new AppendResult(4, 0));
        }
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            assertThat(log.append("s", 1, 0, msgs("A", "B"))).isEqualTo(new AppendResult(4, 2));
            assertThat(log.append("s", 1, 2, msgs("C"))).isEqualTo(new AppendResult(6, 0));
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b", "c", "d", "A", "B", "C");
        }
    }

    @Test
    void aTornProducerBatchIsNotTakenForAStoredOne() throws IOException {
        Path seg = dir.resolve(Segment.fileName(0));
        long before;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            log.append("s", 8, 0, msgs("a"));
            log.flush(); // in the file (write-behind writes it later otherwise)
            before = Files.size(seg);
            log.append("s", 8, 1, msgs("b", "c"));
        }
        long torn = Files.size(seg) - 1;
        FileMessageLogRecoveryTest.truncate(seg, torn);
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery().truncatedBytes()).isEqualTo(torn - before);
            assertThat(log.append("s", 8, 0, msgs("a"))).isEqualTo(new AppendResult(0, 1));
            assertThat(log.append("s", 8, 1, msgs("b", "c"))).as("stored now, once")
                    .isEqualTo(new AppendResult(1, 0));
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("a", "b", "c");
        }
    }

    @Test
    void retentionAndReopeningAgreeOnWhatIsForgotten() throws IOException {
        long[] now = {0};
        FileLogConfig config = SMALL.withRetentionMillis(1_000);
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            for (int i = 0; i < 30; i++) {
                log.append("gone", 1, i, List.of(Seeds.message(new SplittableRandom(i), 100)));
                log.append("kept", 2, i, List.of(Seeds.message(new SplittableRandom(i), 100)));
            }
            now[0] = 100_000;
            byte[] big = new byte[1000]; // rolls the segment: the batches above share none with newer ones
            new SplittableRandom(1).nextBytes(big);
            log.append("kept", 2, 30, List.of(big));
            log.enforceRetention(now[0]);
            assertThat(log.firstOffset("kept")).isEqualTo(30);
            assertThat(log.producerCount()).isEqualTo(1);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, config, () -> now[0])) {
            assertThat(log.producerCount()).isEqualTo(1);
            assertThatThrownBy(() -> log.append("kept", 2, 29, msgs("x")))
                    .isInstanceOf(DuplicateSequenceException.class);
            assertThat(log.append("gone", 1, 0, msgs("again"))).isEqualTo(new AppendResult(30, 0));
        }
    }

    /** Segments written before producer fields existed (format version 1) open, read and take appends. */
    @Test
    void version1SegmentsAreStillRead() throws IOException {
        Files.createDirectories(dir);
        try (FileChannel ch = FileChannel.open(dir.resolve(Segment.fileName(0)), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            for (int i = 0; i < 3; i++) {
                List<byte[]> m = msgs("v1-" + i);
                ByteBuffer rec = BatchRecord.seal(BatchRecord.encode(CodecBytes.of("s"), m, Limits.checkBatch(m),
                        Integer.MAX_VALUE), i, 1_000);
                rec.put(2, (byte) BatchRecord.VERSION_1); // the version byte is outside the CRC: same bytes as v1
                ch.write(rec);
            }
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery().batches()).isEqualTo(3);
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(log.append("s", 5, 0, msgs("v2"))).isEqualTo(new AppendResult(3, 0));
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(strings(log.read("s", 0, 10, 100))).containsExactly("v1-0", "v1-1", "v1-2", "v2");
            assertThat(log.append("s", 5, 0, msgs("v2"))).isEqualTo(new AppendResult(3, 1));
        }
    }
}
