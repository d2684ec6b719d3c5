package io.scalesmall.log;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One segment file: batches of any streams, one after another ({@link BatchRecord}). Only the log's appender
 * writes ({@link #append}, {@link #truncate}, under the log's lock); any thread reads with positional reads, which
 * do not move the channel's position.
 */
final class Segment {
    private static final Logger LOG = LoggerFactory.getLogger(FileMessageLog.class);
    /** The file name suffix. */
    static final String SUFFIX = ".seg";
    /**
     * The suffix of a segment started while its predecessor's fsync was still pending (a roll): renamed to
     * {@link #SUFFIX} once the predecessor is durable ({@link GroupCommit}), so recovery can tell a torn tail left by a
     * crash before that fsync from damage to a segment the log had synced (docs/log-format.md, Recovery).
     */
    static final String PENDING_SUFFIX = ".seg.new";

    /** Position in the log's sequence of segments, from 0; the file name is this, zero-padded to 10 digits. */
    final int number;
    /** The file; changes once, from the pending name to the plain one ({@link #confirm}). */
    volatile Path path;
    final FileChannel channel;
    /** Bytes of whole, valid batches; the next batch goes here. Written by the appender only. */
    private volatile long size;
    /**
     * The file's length as this log made it: {@link #size} plus, in a segment taken over from a {@link SpareSegment},
     * the zeros written ahead that batches have not overwritten yet. At least {@code size}.
     */
    private volatile long allocated;
    /** The largest append time of its batches, ms since the epoch; {@link Long#MIN_VALUE} while empty. */
    private volatile long newestMillis = Long.MIN_VALUE;
    /**
     * Bytes from the start that are in the file: {@link #size}, or less while a {@link SegmentWriter} still has
     * batches placed here to write. Readers of the file wait for it ({@link SegmentWriter#awaitWritten(Segment,
     * long)}).
     */
    private volatile long written;

    private Segment(int number, Path path, FileChannel channel, long size) {
        this.number = number;
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.allocated = size;
        this.written = size;
    }

    static String fileName(int number) {
        return String.format("%010d%s", number, SUFFIX);
    }

    static String pendingFileName(int number) {
        return String.format("%010d%s", number, PENDING_SUFFIX);
    }

    /** The segment number of a file name (plain, not pending), or -1 if it is not a segment's. */
    static int parseNumber(String fileName) {
        return parse(fileName, SUFFIX);
    }

    /** The segment number of a pending segment's file name, or -1 if it is not one. */
    static int parsePendingNumber(String fileName) {
        return parse(fileName, PENDING_SUFFIX);
    }

    private static int parse(String fileName, String suffix) {
        if (!fileName.endsWith(suffix) || fileName.length() != 10 + suffix.length()) {
            return -1;
        }
        try {
            return Integer.parseInt(fileName.substring(0, 10));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Creates a new, empty segment. A file of that name left empty by an earlier failed attempt is taken over;
     * any other existing file is an error ({@link java.nio.file.FileAlreadyExistsException}).
     */
    static Segment create(Path dir, int number, ChannelOpener opener) throws IOException {
        return create(dir, number, opener, false);
    }

    /**
     * As {@link #create(Path, int, ChannelOpener)}; {@code pending} names the file with {@link #PENDING_SUFFIX}
     * (its predecessor is not yet durable). Creating a file is a metadata change, no fsync.
     */
    static Segment create(Path dir, int number, ChannelOpener opener, boolean pending) throws IOException {
        Path p = freeName(dir, number, pending);
        return new Segment(number, p, opener.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE), 0);
    }

    /**
     * The path of segment {@code number} under its plain or pending name, after deleting files of either name that
     * an earlier failed attempt left empty. A file still there holds data: the caller must not replace it.
     */
    private static Path freeName(Path dir, int number, boolean pending) throws IOException {
        for (Path q : new Path[] {dir.resolve(fileName(number)), dir.resolve(pendingFileName(number))}) {
            if (Files.exists(q) && Files.size(q) == 0) {
                Files.delete(q);
            }
        }
        return dir.resolve(pending ? pendingFileName(number) : fileName(number));
    }

    /**
     * Renames a pending segment to its plain name (its predecessor is durable now); the caller fsyncs the directory.
     * Does nothing if it has the plain name already.
     */
    void confirm() throws IOException {
        Path p = path;
        if (!p.getFileName().toString().endsWith(PENDING_SUFFIX)) {
            return;
        }
        Path plain = p.resolveSibling(fileName(number));
        Files.move(p, plain, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        path = plain;
    }

    /** Whether the file still has its pending name. */
    boolean pending() {
        return path.getFileName().toString().endsWith(PENDING_SUFFIX);
    }

    /**
     * Makes a prepared spare file (zeros, durable: {@link SpareSegment}) segment {@code number}: renames it to the
     * segment's name, pending or plain as in {@link #create(Path, int, ChannelOpener, boolean)}, and opens it, empty
     * ({@link #size} 0) with the whole file {@link #allocated}. The rename is a metadata change made durable by the
     * directory fsync that confirms the segment, like a create.
     */
    static Segment adopt(Path spare, Path dir, int number, ChannelOpener opener, boolean pending) throws IOException {
        Path p = freeName(dir, number, pending);
        if (Files.exists(p)) {
            throw new java.nio.file.FileAlreadyExistsException(p.toString()); // a rename would replace it
        }
        Files.move(spare, p, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        FileChannel ch = null;
        long length;
        try {
            ch = opener.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE);
            length = ch.size();
        } catch (IOException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException again) {
                    e.addSuppressed(again);
                }
            }
            try {
                Files.delete(p); // zeros only: the caller creates an empty segment of this name instead
            } catch (IOException again) {
                e.addSuppressed(again);
            }
            throw e;
        }
        Segment s = new Segment(number, p, ch, 0);
        s.allocated = length;
        return s;
    }

    /** Opens an existing segment; its size is the file's until recovery says otherwise. */
    static Segment open(Path path, int number, ChannelOpener opener) throws IOException {
        FileChannel ch = opener.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new Segment(number, path, ch, ch.size());
    }

    long size() {
        return size;
    }

    /** The file's length: {@link #size} plus zeros written ahead (see {@link SpareSegment}). */
    long allocated() {
        return allocated;
    }

    /**
     * Recovery: the segment's batches end at {@code validBytes} and only zeros written ahead follow them; they stay,
     * for later batches to overwrite.
     */
    void endAt(long validBytes) {
        size = validBytes;
        written = validBytes;
    }

    /**
     * Cuts off the zeros written ahead that no batch overwrote, once the segment is closed to appends (the roll's
     * fsync, which follows, makes the new length durable). Does nothing if there are none. A failure is logged, not
     * thrown: the zeros then stay, and recovery cuts them ({@link SegmentScanner}).
     *
     * @return the bytes cut off: 0 if there were none or the cut failed
     */
    long trimTail() {
        long s = size;
        long zeros = allocated - s;
        if (zeros <= 0) {
            return 0;
        }
        try {
            channel.truncate(s);
            allocated = s;
            return zeros;
        } catch (IOException e) {
            LOG.warn("{}: cannot cut the {} bytes of zeros written ahead after its last batch ({}); the next open "
                    + "will", path, zeros, e.toString());
            return 0;
        }
    }

    /** The largest append time of the segment's batches (retention by age); {@link Long#MIN_VALUE} if none. */
    long newestMillis() {
        return newestMillis;
    }

    /** Notes a batch's append time (appender or recovery only). */
    void sawBatch(long appendMillis) {
        if (appendMillis > newestMillis) {
            newestMillis = appendMillis;
        }
    }

    /** Writes a whole record at the end. On failure the size is unchanged (the caller truncates). */
    void append(ByteBuffer record) throws IOException {
        long pos = size;
        while (record.hasRemaining()) {
            pos += channel.write(record, pos);
        }
        size = pos;
        written = pos;
        if (pos > allocated) {
            allocated = pos;
        }
    }

    /**
     * Places a record of {@code length} bytes at the end without writing it (write-behind: a {@link SegmentWriter}
     * writes it later with {@link #writeAt}); the file's length counts it from now on.
     *
     * @return the record's position
     */
    long place(int length) {
        long pos = size;
        size = pos + length;
        if (size > allocated) {
            allocated = size;
        }
        return pos;
    }

    /**
     * Writes a placed record: {@code record}'s remaining bytes at {@code position}, which must be where the records
     * written so far end (a segment's records are written in the order they were placed). The writer's thread only.
     */
    void writeAt(ByteBuffer record, long position) throws IOException {
        long pos = position;
        while (record.hasRemaining()) {
            pos += channel.write(record, pos);
        }
        written = pos;
    }

    /** Bytes from the start that are in the file (see {@link #place}). */
    long written() {
        return written;
    }

    /** Cuts the file to {@code length} bytes (recovery, or undoing a failed append). */
    void truncate(long length) throws IOException {
        channel.truncate(length);
        size = length;
        if (written > length) { // a writer only ever raises it to ends below a cut the appender makes
            written = length;
        }
        allocated = Math.min(allocated, length);
    }

    /** Reads {@code length} bytes at {@code position}, fully. */
    ByteBuffer read(long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length);
        readFully(buf, position);
        return buf.flip();
    }

    /** Fills {@code buf} from {@code position}; EOFException if the file ends first. */
    void readFully(ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int n = channel.read(buf, pos);
            if (n < 0) {
                throw new EOFException(path + " ends at byte " + pos);
            }
            pos += n;
        }
    }

    /** Makes a directory's entries (created, renamed, deleted files) durable. Not every platform can open a
     * directory; there it is skipped. */
    static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            LOG.debug("cannot fsync directory {}: {}", dir, e.toString());
        }
    }

    void close() throws IOException {
        channel.close();
    }

    /** Closes every segment, then {@code last}, trying all; throws the first failure after. */
    static void closeAll(Iterable<Segment> segments, AutoCloseable last) throws IOException {
        IOException first = null;
        for (Segment s : segments) {
            try {
                s.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        try {
            last.close();
        } catch (Exception e) {
            IOException io = e instanceof IOException i ? i : new IOException(e);
            first = first == null ? io : first;
        }
        if (first != null) {
            throw first;
        }
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
