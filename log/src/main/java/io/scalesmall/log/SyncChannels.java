package io.scalesmall.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The file descriptors through which group commit fsyncs one segment: slot 0 is the segment's own channel, and each
 * further slot of {@link GroupCommit} has a channel of its own on the same file, opened before the segment takes
 * appends.
 *
 * <p><b>Why not share one.</b> Linux reports a writeback error once per open file description (errseq_t, since
 * 4.13; Documentation/filesystems/vfs.rst). Two fsyncs running at once through one descriptor could so let the
 * second return success over pages whose loss only the first was told of. Through descriptors of their own, each
 * fsync sees every error since its descriptor's last fsync, and no two fsyncs ever use one descriptor at once (a
 * slot is held by one thread at a time). Every descriptor is opened before the first append to the segment, so no
 * error can predate it.
 *
 * <p><b>Lifetime.</b> Once the segment's roll completed (it is durable as a whole, {@link #retire}) the extra
 * descriptors close as soon as no fsync holds them, and {@link #acquire} returns null: nothing of the segment is
 * left to make durable. The segment's own channel is the segment's to close.
 *
 * <p>Thread-safe.
 */
final class SyncChannels {
    private final FileChannel own;
    /** The channels of slots 1.., once {@link #open}ed; closed after {@link #retire} when unused. */
    private FileChannel[] extra = new FileChannel[0];
    /** Acquisitions not yet released. */
    private int users;
    private boolean retired;

    SyncChannels(FileChannel own) {
        this.own = own;
    }

    /**
     * Opens a channel of {@code path} for each slot after the first ({@code slots - 1} of them). Called before the
     * segment takes appends. On failure none stays open.
     *
     * @throws IOException if the file cannot be opened again
     */
    synchronized void open(int slots, Path path, ChannelOpener opener) throws IOException {
        FileChannel[] opened = new FileChannel[slots - 1];
        try {
            for (int i = 0; i < opened.length; i++) {
                opened[i] = opener.open(path, StandardOpenOption.WRITE);
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(opened);
            throw e;
        }
        closeQuietly(extra);
        extra = opened;
    }

    /**
     * The channel of {@code slot} (0-based), held until {@link #release}; null once the segment is durable as a whole
     * ({@link #retire}).
     *
     * @throws IllegalStateException if that slot's channel was never opened
     */
    synchronized FileChannel acquire(int slot) {
        if (retired) {
            return null;
        }
        if (slot > extra.length) {
            throw new IllegalStateException("no channel for sync slot " + slot + ": " + (extra.length + 1) + " open");
        }
        users++;
        return slot == 0 ? own : extra[slot - 1];
    }

    /** Ends an {@link #acquire} that did not return null. */
    synchronized void release() {
        users--;
        if (users == 0 && retired) {
            closeQuietly(extra);
        }
    }

    /** The segment is durable as a whole: no more fsyncs; the extra channels close once unused. Idempotent. */
    synchronized void retire() {
        retired = true;
        if (users == 0) {
            closeQuietly(extra);
        }
    }

    /** Closes the extra channels now (the log closes). */
    synchronized void close() {
        retired = true;
        closeQuietly(extra);
    }

    private static void closeQuietly(FileChannel[] channels) {
        for (FileChannel c : channels) {
            if (c == null) {
                continue;
            }
            try {
                c.close();
            } catch (IOException ignored) {
                // a close of a descriptor only fsynced through loses nothing
            }
        }
    }
}
