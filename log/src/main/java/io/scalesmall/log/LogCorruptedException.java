package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The log's files hold damage that recovery must not repair on its own: a bad batch that is not at the tail of
 * the last segment, or batches whose offsets do not follow each other. Names the file and the byte position.
 */
public final class LogCorruptedException extends IOException {
    private static final long serialVersionUID = 1L;

    /** The damaged file (not serialized). */
    private final transient Path file;
    /** The byte position of the damaged batch in {@link #file()}. */
    private final long position;

    public LogCorruptedException(Path file, long position, String reason) {
        super(file + " at byte " + position + ": " + reason);
        this.file = file;
        this.position = position;
    }

    public Path file() {
        return file;
    }

    public long position() {
        return position;
    }
}
