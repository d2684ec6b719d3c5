package io.scalesmall.cli.bench;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The node {@code scalesmall bench} starts when it is given no {@code --node}: a {@link FileMessageLog} (default
 * settings: group commit, the greedy read cache) served by a {@link StreamServer} on 127.0.0.1 and a free port, in
 * this JVM. The log lives in {@code dataDir}, or in a temp directory that {@link #close()} deletes.
 */
final class InProcessNode implements AutoCloseable {
    private final Path dir;
    private final boolean deleteOnClose;
    private final FileMessageLog log;
    private final StreamServer server;

    private InProcessNode(Path dir, boolean deleteOnClose, FileMessageLog log, StreamServer server) {
        this.dir = dir;
        this.deleteOnClose = deleteOnClose;
        this.log = log;
        this.server = server;
    }

    /** Starts a node with its log in {@code dataDir}, or in a fresh temp directory when it is null. */
    static InProcessNode start(Path dataDir) throws IOException {
        Path dir = dataDir != null ? dataDir : Files.createTempDirectory("scalesmall-bench-");
        FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT);
        try {
            return new InProcessNode(dir, dataDir == null, log, StreamServer.start(log, StreamServerConfig.loopback()));
        } catch (IOException | RuntimeException e) {
            log.close();
            throw e;
        }
    }

    /** The data port's address (127.0.0.1 and the port chosen). */
    InetSocketAddress address() {
        return server.address();
    }

    Path dir() {
        return dir;
    }

    /** fsyncs the log made so far (group commit: far fewer than disk acks). */
    long fsyncs() {
        return log.fsyncCount();
    }

    /** Stops serving, closes the log, and deletes a temp directory. */
    @Override
    public void close() throws IOException {
        try {
            server.close();
        } finally {
            log.close();
            if (deleteOnClose) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }
}
