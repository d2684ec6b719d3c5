package io.scalesmall.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** What a {@code kill -9} leaves of a log's directory, taken from a log that is still running (tests). */
final class RunningLogCopy {
    private RunningLogCopy() {
    }

    /**
     * Copies the files of {@code from} (not the lock, which the live log holds) into a new {@code to}, highest segment
     * number first (names sort by number): the writer finishes a segment before it writes the next, so a newer
     * segment copied earlier and an older one copied later are a state the files were in at one moment. From the
     * start again if a pending segment was confirmed (renamed) meanwhile; renames are atomic, so each file is copied
     * under one name.
     */
    static void copy(Path from, Path to) throws IOException {
        for (int attempt = 0; ; attempt++) {
            Files.createDirectories(to);
            List<Path> files;
            try (Stream<Path> list = Files.list(from)) {
                files = list.filter(p -> !p.getFileName().toString().equals(FileMessageLog.LOCK_FILE))
                        .sorted(Comparator.comparing((Path p) -> p.getFileName().toString()).reversed()).toList();
            }
            try {
                for (Path p : files) {
                    Files.copy(p, to.resolve(p.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                return;
            } catch (NoSuchFileException renamed) {
                if (attempt == 100) {
                    throw renamed;
                }
                try (Stream<Path> copied = Files.list(to)) {
                    for (Path p : copied.toList()) {
                        Files.delete(p);
                    }
                }
            }
        }
    }
}
