package io.scalesmall.node;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Picks this life's incarnation so that a restarted node never reuses a clock value: the larger of the wall
 * time in ms and the last incarnation recorded in the data directory plus one, recorded before it is used
 * (written to a temporary file, fsynced, atomically renamed). Without the file (a new or wiped node) wall
 * time alone is used, and {@link io.scalesmall.topology.LocalMember#reconcile} covers a clock that went back.
 */
public final class IncarnationStore {
    static final String FILE = "incarnation";

    private IncarnationStore() {
    }

    /**
     * @param dataDir   the node's data directory; created if missing
     * @param nowMillis wall time, ms since the epoch
     * @return the new incarnation, already durably recorded
     * @throws IOException if the directory cannot be created or written, or the file is corrupt (the message
     *                     names the file)
     */
    public static long next(Path dataDir, long nowMillis) throws IOException {
        Files.createDirectories(dataDir);
        Path f = dataDir.resolve(FILE);
        long last = -1;
        if (Files.exists(f)) {
            String text = Files.readString(f, StandardCharsets.US_ASCII).strip();
            try {
                last = Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw new IOException(f + ": '" + text + "' is not an incarnation number; remove the file to start afresh", e);
            }
        }
        long next = Math.max(Math.max(nowMillis, 0), last + 1);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        try {
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
        }
        try (FileChannel dir = FileChannel.open(dataDir, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is still atomic.
        }
        return next;
    }
}
