package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a {@link FileMessageLog}'s state from its directory: opens every segment in number order, checks every
 * batch ({@link SegmentScanner}), indexes the valid ones, keeps the zeros written ahead after the last segment's
 * batches and cuts them off any other ({@link SpareSegment}), truncates a torn tail of the last segment, or of a segment
 * followed only by pending ones ({@link Segment#PENDING_SUFFIX}; WARN, then fsync; the pending ones are deleted),
 * confirms pending segments that follow a whole one (fsync of that one, rename), and refuses -- {@link LogCorruptedException} naming file and byte position -- damage anywhere else or a
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
            for (Path p : (Iterable<Path>) list::iterator) {
                String name = p.getFileName().toString();
                int n = Math.max(Segment.parseNumber(name), Segment.parsePendingNumber(name));
                if (n >= 0 && files.put(n, p) != null) {
                    throw new LogCorruptedException(p, 0, "segment " + n + " exists under both its plain and its "
                            + "pending name");
                }
            }
        }
        long batches = 0;
        long truncated = 0;
        Segment previous = null;
        boolean renamed = false;
        for (var e : files.entrySet()) {
            Path file = e.getValue();
            if (isPending(file)) {
                // Its predecessor was left before its fsync was confirmed, and scanned whole: make it durable now.
                if (previous != null) {
                    commit.syncSegment(previous.channel);
                }
                Path plain = file.resolveSibling(Segment.fileName(e.getKey()));
                Files.move(file, plain, StandardCopyOption.ATOMIC_MOVE);
                file = plain;
                renamed = true;
            }
            Segment seg = Segment.open(file, e.getKey(), opener);
            segments.put(seg.number, seg);
            previous = seg;
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
            if (r.zeroBytes() > 0) {
                endBeforeZeros(seg, r, files.higherEntry(e.getKey()) == null, commit);
            }
            if (r.problem() != null) {
                Map.Entry<Integer, Path> next = files.higherEntry(e.getKey());
                if (next != null && !isPending(next.getValue())) {
                    throw new LogCorruptedException(seg.path, r.validBytes(), r.problem() + " (not the last segment)");
                }
                truncated = seg.channel.size() - r.validBytes();
                LOG.warn("{}: truncating a torn tail of {} bytes at byte {}: {}", seg.path, truncated, r.validBytes(),
                        r.problem());
                seg.truncate(r.validBytes());
                commit.syncSegment(seg.channel);
                truncated += dropLater(files, e.getKey(), seg);
                renamed = true;
                break;
            }
        }
        if (renamed) {
            Segment.syncDirectory(dir);
        }
        applyCheckpoint(dir, streams);
        return new RecoveryReport(segments.size(), batches, streams.size(), truncated);
    }

    /**
     * A segment whose batches are followed by zeros written ahead ({@link SpareSegment}): the last one keeps them,
     * for its next batches to overwrite; any other one was left by a roll whose cut of them ({@link Segment#trimTail})
     * did not reach the disk, and is cut now (then fsynced).
     */
    private static void endBeforeZeros(Segment seg, SegmentScanner.Result r, boolean last, GroupCommit commit)
            throws IOException {
        if (last) {
            seg.endAt(r.validBytes());
            LOG.debug("{}: its batches end at byte {}, followed by {} bytes of zeros written ahead", seg.path,
                    r.validBytes(), r.zeroBytes());
            return;
        }
        LOG.info("{}: cutting {} bytes of zeros written ahead after its last batch, at byte {}", seg.path,
                r.zeroBytes(), r.validBytes());
        seg.truncate(r.validBytes());
        commit.syncSegment(seg.channel);
    }

    private static boolean isPending(Path file) {
        return Segment.parsePendingNumber(file.getFileName().toString()) >= 0;
    }

    /**
     * Deletes the segments after {@code torn}, which holds a torn tail: they are all pending (checked by the caller
     * for the first; renames happen in order), so none of their bytes was ever acknowledged as durable -- a flush
     * confirms a segment only after its predecessor's fsync, which would have left no tear. Returns their bytes.
     */
    private static long dropLater(TreeMap<Integer, Path> files, int torn, Segment tornSegment) throws IOException {
        long bytes = 0;
        for (Path p : files.tailMap(torn, false).values()) {
            if (!isPending(p)) {
                throw new LogCorruptedException(p, 0, "a segment confirmed durable follows " + tornSegment.path
                        + ", which has a torn tail");
            }
            long size = Files.size(p);
            LOG.warn("{}: deleting {} bytes never acknowledged as durable: the segment before it has a torn tail", p,
                    size);
            Files.delete(p);
            bytes += size;
        }
        return bytes;
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
