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
 * stream whose batches do not continue each other's offsets. Runs once, on the opening thread.
 */
final class LogRecovery {
    /** Logs as the log itself, where operators look. */
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);

    private LogRecovery() {
    }

    /** Fills {@code streams} and {@code segments} (both empty on entry) from {@code dir}. */
    static RecoveryReport run(Path dir, Map<String, StreamIndex> streams, Map<Integer, Segment> segments,
            GroupCommit commit) throws IOException {
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
            Segment seg = Segment.open(e.getValue(), e.getKey());
            segments.put(seg.number, seg);
            boolean last = e.getKey().equals(files.lastKey());
            SegmentScanner.Result r = SegmentScanner.scan(seg, (stream, base, count, position, length) -> {
                StreamIndex idx = streams.computeIfAbsent(stream, k -> new StreamIndex());
                if (idx.view().count() > 0 && base != idx.end()) {
                    throw new LogCorruptedException(seg.path, position, "stream '" + stream + "' continues at offset "
                            + base + " but its previous batch ended at " + idx.end());
                }
                idx.add(base, count, seg.number, position, length);
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
        return new RecoveryReport(files.size(), batches, streams.size(), truncated);
    }
}
