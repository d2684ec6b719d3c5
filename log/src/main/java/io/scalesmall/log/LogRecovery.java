package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a {@link FileMessageLog}'s state from its directory: opens every segment in number order, checks every
 * batch ({@link SegmentScanner}), indexes the valid ones, truncates a torn tail of the last segment (WARN, then
 * fsync), and refuses -- {@link LogCorruptedException} naming file and byte position -- damage anywhere else or a
 * stream whose batches do not continue each other's offsets. Then applies the {@link EndCheckpoint}: a stream
 * it names that no segment holds a batch of any more resumes at the checkpointed end (offsets are never reused).
 * Producer state (idempotent appends) is replayed from the batches' producer fields ({@link ProducerTable}).
 * Runs once, on the opening thread.
 */
final class LogRecovery {
    /** Logs as the log itself, where operators look. */
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);

    private LogRecovery() {
    }

    /**
     * Fills {@code streams}, {@code segments} and {@code producers} (all empty on entry) from {@code dir}; the
     * producers from the batches' producer fields, in append order (the caller then expires idle ones).
     */
    static RecoveryReport run(Path dir, Map<String, StreamIndex> streams, Map<Integer, Segment> segments,
            ProducerTable producers, GroupCommit commit, ChannelOpener opener) throws IOException {
        TreeMap<Integer, Path> files = new TreeMap<>();
        try (Stream<Path> list = Files.list(dir)) {
            list.forEach(p -> {
                int n = Segment.parseNumber(p.getFileName().toString());
                if (n >= 0) {
                    files.put(n, p);
                }
            });
        }
        long batches = 0;
        long truncated = 0;
        for (var e : files.entrySet()) {
            Segment seg = Segment.open(e.getValue(), e.getKey(), opener);
            segments.put(seg.number, seg);
            boolean last = e.getKey().equals(files.lastKey());
            SegmentScanner.Result r = SegmentScanner.scan(seg, (stream, base, count, millis, producerId, firstSeq,
                    position, length) -> {
                StreamIndex idx = streams.computeIfAbsent(stream, k -> new StreamIndex());
                if (idx.view().count() > 0 && base != idx.end()) {
                    throw new LogCorruptedException(seg.path, position, "stream '" + stream + "' continues at offset "
                            + base + " but its previous batch ended at " + idx.end());
                }
                idx.add(base, count, seg.number, position, length);
                seg.sawBatch(millis);
                if (producerId != 0) {
                    producers.record(stream, producerId, firstSeq, count, base, millis);
                }
            });
            batches += r.batches();
            if (r.problem() != null) {
                if (!last) {
                    throw new LogCorruptedException(seg.path, r.validBytes(), r.problem() + " (not the last segment)");
                }
                truncated = seg.channel.size() - r.validBytes();
                LOG.warn("{}: truncating a torn tail of {} bytes at byte {}: {}", seg.path, truncated, r.validBytes(),
                        r.problem());
                seg.truncate(r.validBytes());
                commit.syncRolled(seg.channel, 0);
            }
        }
        applyCheckpoint(dir, streams);
        return new RecoveryReport(files.size(), batches, streams.size(), truncated);
    }

    /**
     * Streams the checkpoint names get at least its end offset. A stream that still has batches must already
     * reach it: retention fsyncs every batch before it writes the checkpoint, so segments that survive it hold
     * each such stream up to (at least) the checkpointed end.
     */
    private static void applyCheckpoint(Path dir, Map<String, StreamIndex> streams) throws IOException {
        for (var e : EndCheckpoint.read(dir).entrySet()) {
            StreamIndex idx = streams.get(e.getKey());
            if (idx == null) {
                streams.put(e.getKey(), new StreamIndex(e.getValue()));
            } else if (idx.end() < e.getValue()) {
                throw new LogCorruptedException(dir.resolve(EndCheckpoint.FILE), 0, "stream '" + e.getKey()
                        + "' ends at offset " + idx.end() + " in the segments but at " + e.getValue()
                        + " in the checkpoint");
            }
        }
    }
}
