package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Reopening, torn tails, and corruption that recovery must refuse to hide. */
class FileMessageLogRecoveryTest {
    @TempDir
    Path dir;
    @RegisterExtension
    final CapturedLog logged = new CapturedLog(Level.WARN);

    private static final FileLogConfig SMALL = FileLogConfig.DEFAULT.withSegmentBytes(1024);

    /** A batch as appended: where it went, what it held. */
    record Appended(String stream, long base, List<byte[]> messages, Path segment, long start, long end) {
    }

    /**
     * Appends random batches to a few streams, remembering each one's segment and byte range. About a third are
     * idempotent appends (records with producer fields), so damage hits those too.
     */
    static List<Appended> fill(FileMessageLog log, Path dir, SplittableRandom rnd, int batches) throws IOException {
        List<Appended> out = new ArrayList<>();
        long[] sequences = new long[3];
        for (int i = 0; i < batches; i++) {
            int s = rnd.nextInt(3);
            String stream = "s" + s;
            List<byte[]> msgs = new ArrayList<>();
            for (int k = rnd.nextInt(1, 5); k > 0; k--) {
                msgs.add(Seeds.message(rnd, rnd.nextInt(0, 120)));
            }
            int segsBefore = log.segmentCount();
            long base;
            if (rnd.nextInt(3) == 0) {
                base = log.append(stream, 100 + s, sequences[s], msgs).firstOffset();
                sequences[s] += msgs.size();
            } else {
                base = log.append(stream, msgs);
            }
            log.groupCommit().syncRolls(); // a roll's fsync and rename, done by the sync thread, done now
            Path seg = dir.resolve(Segment.fileName(log.segmentCount() - 1));
            long end = log.segmentSize(log.segmentCount() - 1); // the file may be longer: zeros written ahead
            long start = segsBefore == log.segmentCount() && !out.isEmpty() ? out.get(out.size() - 1).end : 0;
            out.add(new Appended(stream, base, msgs, seg, start, end));
        }
        return out;
    }

    /** Checks that the log holds exactly these batches (in order per stream) and nothing more. */
    static void assertHolds(MessageLog log, List<Appended> batches) throws IOException {
        Map<String, List<byte[]>> expected = new LinkedHashMap<>();
        for (Appended a : batches) {
            expected.computeIfAbsent(a.stream, k -> new ArrayList<>()).addAll(a.messages);
        }
        for (String s : List.of("s0", "s1", "s2")) {
            List<byte[]> want = expected.getOrDefault(s, List.of());
            assertThat(log.endOffset(s)).as("end offset of %s", s).isEqualTo(want.size());
            List<byte[]> got = log.read(s, 0, Integer.MAX_VALUE, Integer.MAX_VALUE).messages();
            assertThat(got).as("messages of %s", s).hasSize(want.size());
            for (int i = 0; i < want.size(); i++) {
                assertThat(got.get(i)).as("%s offset %d", s, i).isEqualTo(want.get(i));
            }
        }
    }

    @Test
    void reopeningRecoversEverythingAndAppendsContinue() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            batches = fill(log, dir, new SplittableRandom(1), 80);
            assertThat(log.segmentCount()).isGreaterThan(3);
        }
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertThat(log.recovery()).isEqualTo(new RecoveryReport(log.segmentCount(), 80, 3, 0));
            assertHolds(log, batches);
            long end = log.endOffset("s1");
            assertThat(log.append("s1", CodecBytes.of("after"))).isEqualTo(end);
        }
        assertThat(logged.list).isEmpty();
    }

    @Test
    void oneHundredThousandStreamsShareOneSegmentAndAreRecovered() throws IOException {
        int n = 100_000;
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            for (int i = 0; i < n; i++) {
                log.append("stream-" + i, CodecBytes.of("m" + i));
            }
            log.flush();
        }
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery()).isEqualTo(new RecoveryReport(1, n, n, 0));
            assertThat(log.streamCount()).isEqualTo(n);
            for (int i = 0; i < n; i += 4999) {
                assertThat(log.read("stream-" + i, 0, 10, 100).messages()).singleElement()
                        .isEqualTo(CodecBytes.of("m" + i));
            }
        }
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly(Segment.fileName(0), FileMessageLog.LOCK_FILE);
        }
    }

    @Test
    void aBatchCutInTheMiddleIsTruncatedWithAWarningAndNeverServed() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            batches = fill(log, dir, new SplittableRandom(2), 10);
        }
        Appended last = batches.get(batches.size() - 1);
        truncate(last.segment, last.start + (last.end - last.start) / 2);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isEqualTo((last.end - last.start) / 2);
            assertHolds(log, batches.subList(0, batches.size() - 1));
            assertThat(Files.size(last.segment)).isEqualTo(last.start);
            assertThat(log.append(last.stream, CodecBytes.of("again"))).isEqualTo(last.base);
        }
        assertThat(logged.list).singleElement().satisfies(e -> {
            assertThat(e.getLevel()).isEqualTo(Level.WARN);
            assertThat(e.getFormattedMessage()).contains(last.segment.toString()).contains("torn tail")
                    .contains("at byte " + last.start);
        });
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
        }
    }

    @Test
    void aFlippedByteInTheLastBatchIsTruncated() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            batches = fill(log, dir, new SplittableRandom(3), 10);
        }
        Appended last = batches.get(batches.size() - 1);
        flip(last.segment, last.end - 1);
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isEqualTo(last.end - last.start);
            assertHolds(log, batches.subList(0, batches.size() - 1));
        }
        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("CRC32C mismatch");
    }

    private List<Appended> fiveBatchesInOneSegment() throws IOException {
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            return fill(log, dir, new SplittableRandom(4), 5);
        }
    }

    /** Writes {@code bytes} after the end of {@code file}. */
    static void appendBytes(Path file, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
        }
    }

    /**
     * Zeros after the last segment's batches (written ahead, or what a crash can leave in a growing file) are no
     * torn tail: kept, quietly, and the next batches go over them.
     */
    @Test
    void zerosAfterTheLastBatchAreKeptAndWrittenOver() throws IOException {
        List<Appended> batches = fiveBatchesInOneSegment();
        Path seg = batches.get(0).segment;
        long dataEnd = batches.get(batches.size() - 1).end;
        assertThat(Files.size(seg)).isEqualTo(dataEnd);
        appendBytes(seg, ByteBuffer.allocate(4096));
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isZero();
            assertThat(log.segmentSize(0)).isEqualTo(dataEnd);
            assertHolds(log, batches);
            long end = log.endOffset("s1");
            assertThat(log.append("s1", CodecBytes.of("over the zeros"))).isEqualTo(end);
            assertThat(log.segmentSize(0)).isGreaterThan(dataEnd);
            assertThat(Files.size(seg)).as("written over the zeros, not after them").isEqualTo(dataEnd + 4096);
            log.flush();
        }
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.read("s1", log.endOffset("s1") - 1, 1, 100).messages()).singleElement()
                    .isEqualTo(CodecBytes.of("over the zeros"));
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.INFO)).isEmpty();
    }

    /** Anything but zeros after the zeros is a torn tail again: cut, from the last valid batch on, with a WARN. */
    @Test
    void garbageAfterZerosIsATornTail() throws IOException {
        List<Appended> batches = fiveBatchesInOneSegment();
        Path seg = batches.get(0).segment;
        long dataEnd = batches.get(batches.size() - 1).end;
        appendBytes(seg, ByteBuffer.allocate(4096).put(4095, (byte) 1));
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT)) {
            assertThat(log.recovery().truncatedBytes()).isEqualTo(4096);
            assertHolds(log, batches);
        }
        assertThat(Files.size(seg)).isEqualTo(dataEnd);
        assertThat(logged.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).asString()
                .contains("torn tail").contains("bad magic");
    }

    /** Any cut or flipped byte in the last segment: every batch before the damage is intact, nothing after. */
    @Test
    void anyDamageToTheLastSegmentKeepsExactlyTheBatchesBeforeIt() {
        Seeds.check("damage to the last segment", 30, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            Path d = dir.resolve("seed" + seed);
            try {
                List<Appended> batches;
                try (FileMessageLog log = FileMessageLog.open(d, SMALL)) {
                    batches = fill(log, d, rnd, rnd.nextInt(5, 60));
                }
                Path lastSeg = batches.get(batches.size() - 1).segment;
                long size = Files.size(lastSeg);
                long at = rnd.nextLong(0, size);
                if (rnd.nextBoolean()) {
                    truncate(lastSeg, at);
                } else {
                    flip(lastSeg, at);
                }
                List<Appended> kept = batches.stream().filter(a -> !a.segment.equals(lastSeg) || a.end <= at).toList();
                try (FileMessageLog log = FileMessageLog.open(d, SMALL)) {
                    assertHolds(log, kept);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @Test
    void damageBeforeTheLastSegmentIsAnErrorNamingFileAndPosition() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            batches = fill(log, dir, new SplittableRandom(5), 60);
        }
        Appended victim = batches.stream().filter(a -> a.segment.endsWith(Segment.fileName(1))).skip(1).findFirst()
                .orElseThrow();
        flip(victim.segment, victim.start + BatchRecord.HEADER_BYTES);
        assertThatThrownBy(() -> FileMessageLog.open(dir, SMALL)).isInstanceOfSatisfying(LogCorruptedException.class,
                e -> {
                    assertThat(e.file()).isEqualTo(victim.segment);
                    assertThat(e.position()).isEqualTo(victim.start);
                    assertThat(e.getMessage()).contains(victim.segment.toString())
                            .contains("at byte " + victim.start).contains("CRC32C");
                });
        // the failed open released the directory
        flip(victim.segment, victim.start + BatchRecord.HEADER_BYTES);
        FileMessageLog.open(dir, SMALL).close();
    }

    @Test
    void aTornTailOfANonLastSegmentIsAnError() throws IOException {
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            fill(log, dir, new SplittableRandom(6), 60);
        }
        Path first = dir.resolve(Segment.fileName(0));
        truncate(first, Files.size(first) - 1);
        assertThatThrownBy(() -> FileMessageLog.open(dir, SMALL)).isInstanceOf(LogCorruptedException.class)
                .hasMessageContaining(first.toString()).hasMessageContaining("not the last segment");
    }

    /**
     * A crash after a roll, before the fsync of the segment left: the new segment still has its pending name. If the
     * segment left is whole, recovery fsyncs it and confirms the new one; nothing is lost.
     */
    @Test
    void aPendingSegmentAfterAWholeOneIsConfirmed() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            batches = fill(log, dir, new SplittableRandom(7), 60);
        }
        int last = (int) Files.list(dir).filter(p -> p.toString().endsWith(Segment.SUFFIX)).count() - 1;
        Files.move(dir.resolve(Segment.fileName(last)), dir.resolve(Segment.pendingFileName(last)));
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertHolds(log, batches);
            assertThat(log.recovery().truncatedBytes()).isZero();
        }
        assertThat(dir.resolve(Segment.fileName(last))).exists();
        assertThat(dir.resolve(Segment.pendingFileName(last))).doesNotExist();
    }

    /**
     * A crash after a roll, before the fsync of the segment left, which lost part of its tail: nothing from the tear
     * on was acknowledged as durable (a flush confirms the new segment first), so the tear is truncated and the
     * pending segments after it are deleted, each with a WARN line.
     */
    @Test
    void aTornSegmentFollowedOnlyByPendingOnesIsTruncatedAndThoseDeleted() throws IOException {
        List<Appended> batches;
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            batches = fill(log, dir, new SplittableRandom(8), 60);
        }
        int last = (int) Files.list(dir).filter(p -> p.toString().endsWith(Segment.SUFFIX)).count() - 1;
        assertThat(last).isGreaterThanOrEqualTo(3);
        int torn = last - 2;
        for (int n = torn + 1; n <= last; n++) {
            Files.move(dir.resolve(Segment.fileName(n)), dir.resolve(Segment.pendingFileName(n)));
        }
        Path tornFile = dir.resolve(Segment.fileName(torn));
        List<Appended> kept = new ArrayList<>();
        Appended cut = null;
        for (Appended a : batches) {
            int n = Segment.parseNumber(a.segment.getFileName().toString());
            if (n < torn) {
                kept.add(a);
            } else if (n == torn && cut == null && a.end == Files.size(tornFile)) {
                cut = a; // the segment's last batch: torn in its middle
            } else if (n == torn) {
                kept.add(a);
            }
        }
        assertThat(cut).isNotNull();
        truncate(tornFile, (cut.start + cut.end) / 2);
        try (FileMessageLog log = FileMessageLog.open(dir, SMALL)) {
            assertHolds(log, kept);
            assertThat(log.segmentCount()).isEqualTo(torn + 1);
        }
        for (int n = torn + 1; n <= last; n++) {
            assertThat(dir.resolve(Segment.pendingFileName(n))).doesNotExist();
            assertThat(dir.resolve(Segment.fileName(n))).doesNotExist();
        }
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.WARN)
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(tornFile.toString()).contains("torn tail"))
                .anySatisfy(e -> assertThat(e.getFormattedMessage()).contains(Segment.pendingFileName(last))
                        .contains("never acknowledged as durable"));
    }

    @Test
    void aDirectoryIsOpenedByOneLogAtATime() throws IOException {
        FileMessageLog log = FileMessageLog.open(dir, SMALL);
        try {
            assertThatThrownBy(() -> FileMessageLog.open(dir, SMALL)).isInstanceOf(IOException.class)
                    .hasMessageContaining("in use");
        } finally {
            log.close();
        }
        FileMessageLog.open(dir, SMALL).close(); // released by close
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    static void flip(Path file, long position) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            ch.read(one, position);
            one.put(0, (byte) (one.get(0) ^ 0x10)).rewind();
            ch.write(one, position);
        }
    }
}
