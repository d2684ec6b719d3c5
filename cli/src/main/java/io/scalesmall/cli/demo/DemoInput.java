package io.scalesmall.cli.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The demo's real input: the lines of text files, each line one message (its bytes without the {@code \n} or
 * {@code \r\n}), spread over streams by file so that each file's lines stay in order within one stream.
 *
 * <p>Which files: {@code --input FILE} alone, or every regular, readable file under {@code /var/log} (recursively,
 * in path order) that does not look binary (a NUL byte in its first 8 KiB) and is not compressed (by name:
 * .gz, .xz, .zst, .bz2, .lz4, .zip). Unreadable files and directories are skipped. A line longer than
 * {@code maxMessageBytes} is cut into pieces of at most that size (counted in {@link #splitLines}). Reading stops
 * at {@code maxBytes} of messages.
 *
 * <p>Immutable once built; thread-safe.
 *
 * @param streams  per stream, its messages in order; {@code streams.size()} in {@code 1..N}
 * @param files    per stream, the files whose lines it holds
 * @param messages how many messages in all
 * @param bytes    how many message bytes in all
 * @param splitLines how many lines were longer than the largest message and were cut
 * @param truncated true if reading stopped at {@code maxBytes}
 */
record DemoInput(List<List<byte[]>> streams, List<List<Path>> files, long messages, long bytes, long splitLines,
        boolean truncated) {
    static final Path VAR_LOG = Path.of("/var/log");
    private static final int SNIFF_BYTES = 8192;
    private static final List<String> COMPRESSED = List.of(".gz", ".xz", ".zst", ".bz2", ".lz4", ".zip");

    /**
     * @param input           one file, or null for every text file under {@link #VAR_LOG}
     * @param streamCount     how many streams to spread files over, {@code >= 1}
     * @param maxBytes        stop after this many message bytes, {@code >= 1}
     * @param maxMessageBytes the largest message, bytes, {@code >= 1}
     * @throws IOException naming the file when {@code input} cannot be read, or when no line was found at all
     */
    static DemoInput read(Path input, int streamCount, long maxBytes, int maxMessageBytes) throws IOException {
        List<Path> sources = input != null ? List.of(input) : logFiles(VAR_LOG);
        if (input != null && !Files.isReadable(input)) {
            throw new IOException(input + ": not readable");
        }
        // One file: its lines go round-robin over the streams. Several: each file goes whole to one stream.
        boolean byLine = input != null;
        int n = byLine ? streamCount : Math.max(1, Math.min(streamCount, sources.size()));
        List<List<byte[]>> streams = new ArrayList<>();
        List<List<Path>> files = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            streams.add(new ArrayList<>());
            files.add(new ArrayList<>());
        }
        long messages = 0;
        long bytes = 0;
        long split = 0;
        boolean truncated = false;
        int next = 0;
        for (Path f : sources) {
            byte[] content;
            try {
                content = Files.readAllBytes(f);
            } catch (IOException e) {
                if (input != null) {
                    throw new IOException(f + ": " + e.getMessage(), e);
                }
                continue;
            }
            int target = next++ % n;
            for (int i = 0; i < n; i++) {
                if (byLine || i == target) {
                    files.get(i).add(f);
                }
            }
            int lineNo = 0;
            int start = 0;
            while (start < content.length && !truncated) {
                int end = indexOf(content, (byte) '\n', start);
                int stop = end < 0 ? content.length : end;
                int lineEnd = stop > start && content[stop - 1] == '\r' ? stop - 1 : stop;
                int s = byLine ? lineNo++ % n : target;
                if (lineEnd - start > maxMessageBytes) {
                    split++;
                }
                int from = start;
                do {
                    int to = Math.min(lineEnd, from + maxMessageBytes);
                    if (bytes + (to - from) > maxBytes) {
                        truncated = true;
                        break;
                    }
                    byte[] m = new byte[to - from];
                    System.arraycopy(content, from, m, 0, m.length);
                    streams.get(s).add(m);
                    messages++;
                    bytes += m.length;
                    from = to;
                } while (from < lineEnd);
                start = stop + 1;
            }
            if (truncated) {
                break;
            }
        }
        if (messages == 0) {
            throw new IOException(input != null ? input + ": holds no line"
                    : "no readable text file with a line under " + VAR_LOG + "; give --input FILE");
        }
        // Drop streams that got nothing (more streams than files with lines).
        for (int i = streams.size() - 1; i >= 0; i--) {
            if (streams.get(i).isEmpty()) {
                streams.remove(i);
                files.remove(i);
            }
        }
        return new DemoInput(List.copyOf(streams), List.copyOf(files), messages, bytes, split, truncated);
    }

    /** @return the regular, readable, uncompressed, text-looking files under {@code root}, in path order */
    static List<Path> logFiles(Path root) {
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(root, FileVisitOption.values())) {
            return walk.filter(Files::isRegularFile).filter(Files::isReadable).filter(p -> !compressed(p))
                    .filter(DemoInput::looksLikeText).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException | UncheckedIOException e) {
            // A directory we may not enter: walk what we can, one level at a time.
            return walkTolerant(root);
        }
    }

    private static List<Path> walkTolerant(Path dir) {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.sorted().toList()) {
                if (Files.isDirectory(p)) {
                    out.addAll(walkTolerant(p));
                } else if (Files.isRegularFile(p) && Files.isReadable(p) && !compressed(p) && looksLikeText(p)) {
                    out.add(p);
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // Not readable: skipped.
        }
        return out;
    }

    static boolean compressed(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return COMPRESSED.stream().anyMatch(name::endsWith);
    }

    static boolean looksLikeText(Path p) {
        try (InputStream in = Files.newInputStream(p)) {
            byte[] head = in.readNBytes(SNIFF_BYTES);
            return head.length > 0 && indexOf(head, (byte) 0, 0) < 0;
        } catch (IOException e) {
            return false;
        }
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }
}
