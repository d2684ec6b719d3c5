package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Retention of a {@link FileMessageLog}: which segments to drop ({@link #plan}) and dropping them ({@link #drop}).
 * Whole segments only, oldest first, never the active one, so every stream's retained batches stay a contiguous
 * run of offsets ending at its end offset. Called under the log's append lock.
 */
final class Retention {
    private Retention() {
    }

    /**
     * The segments to drop now, oldest first: while all segments together hold more than
     * {@link FileLogConfig#retentionBytes()}, or the oldest one's newest batch was appended more than
     * {@link FileLogConfig#retentionMillis()} before {@code nowMillis}. Stops at the first segment kept (so a
     * newer segment with older timestamps -- a clock that went back -- waits for the ones before it).
     */
    static List<Segment> plan(Collection<Segment> segments, Segment active, long diskBytes, FileLogConfig config,
            long nowMillis) {
        long horizon = config.retentionMillis() == FileLogConfig.UNLIMITED
                || nowMillis < Long.MIN_VALUE + config.retentionMillis() ? Long.MIN_VALUE
                : nowMillis - config.retentionMillis();
        List<Segment> ordered = new ArrayList<>(segments);
        ordered.sort(Comparator.comparingInt(s -> s.number));
        List<Segment> out = new ArrayList<>();
        long remaining = diskBytes;
        for (Segment seg : ordered) {
            if (seg == active) {
                break;
            }
            boolean tooBig = remaining > config.retentionBytes();
            boolean tooOld = seg.newestMillis() < horizon;
            if (!tooBig && !tooOld) {
                break;
            }
            out.add(seg);
            remaining -= seg.size();
        }
        return out;
    }

    /**
     * Drops {@code dropping} (a plan's result, non-empty; every batch in the log already durable): writes the
     * {@link EndCheckpoint} of every stream left without batches, then moves each stream's first offset past the
     * dropped batches, then closes and deletes the files, oldest first. If the checkpoint cannot be written nothing
     * changes. A file that cannot be deleted is no longer served or counted, and the first such error is thrown
     * after the others were tried; reopening picks the file up again and retention drops it anew.
     *
     * @return the messages dropped, over all streams
     */
    static long drop(Path dir, Map<String, StreamIndex> streams, Map<Integer, Segment> segments,
            List<Segment> dropping) throws IOException {
        int through = dropping.get(dropping.size() - 1).number;
        Map<String, Long> emptyEnds = new LinkedHashMap<>();
        Map<StreamIndex, Integer> cuts = new LinkedHashMap<>();
        for (var e : streams.entrySet()) {
            StreamIndex idx = e.getValue();
            StreamIndex.View v = idx.view();
            int k = idx.countThrough(through);
            if (k > 0) {
                cuts.put(idx, k);
            }
            if (k == v.count()) {
                emptyEnds.put(e.getKey(), v.end());
            }
        }
        EndCheckpoint.write(dir, emptyEnds);
        long messages = 0;
        for (var c : cuts.entrySet()) {
            long before = c.getKey().view().first();
            c.getKey().dropFirst(c.getValue());
            messages += c.getKey().view().first() - before;
        }
        IOException first = null;
        for (Segment seg : dropping) {
            segments.remove(seg.number);
            try {
                seg.close();
                Files.delete(seg.path);
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        Segment.syncDirectory(dir);
        if (first != null) {
            throw first;
        }
        return messages;
    }
}
