package io.scalesmall.cli.bench;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.stream.server.ChainTimings;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * The nodes {@code scalesmall bench} starts when it is given no {@code --node}: N {@link StreamServer}s in this JVM on
 * 127.0.0.1 and free ports, each with its own log, joined into one replication chain (every stream: node 0 the head,
 * then node 1, 2, ...; {@link FixedChain}). A chain of one uses {@link ChainResolver#single()}, the one-node server
 * of issue 5. Logs are {@link FileMessageLog}s (default settings: group commit, the greedy read cache) in
 * {@code dataDir} (node i in {@code dataDir/node-i} when N > 1) or in a temp directory that {@link #close()}
 * deletes; or {@link MemoryMessageLog}s, whose "disk" acks involve no fsync. Servers use the default settings and
 * {@link ChainTimings#defaults()}. Not thread-safe; {@link #close()} once.
 */
final class InProcessChain implements AutoCloseable {
    /** The most nodes a bench chain may have. */
    static final int MAX_NODES = 5;

    /** What the nodes store messages in. */
    enum LogKind {
        /** A {@link FileMessageLog} per node (what a node runs; disk acks wait for fsyncs). */
        FILE,
        /** A {@link MemoryMessageLog} per node (network and CPU only; a disk ack is no fsync). */
        MEMORY
    }

    private final LogKind kind;
    private final Path dir;
    private final boolean deleteOnClose;
    private final FileLogConfig logConfig;
    private final List<MessageLog> logs = new ArrayList<>();
    private final List<StreamServer> servers = new ArrayList<>();
    /** The chain, head first; filled once every server listens, read by the servers' resolvers. */
    private volatile List<ChainResolver.Member> members = List.of();

    private InProcessChain(LogKind kind, Path dir, boolean deleteOnClose, FileLogConfig logConfig) {
        this.logConfig = logConfig;
        this.kind = kind;
        this.dir = dir;
        this.deleteOnClose = deleteOnClose;
    }

    /** The file logs' settings (unused for memory logs). */
    FileLogConfig logConfig() {
        return logConfig;
    }

    /**
     * Starts {@code n} nodes.
     *
     * @param n       nodes in the chain, 1..{@value #MAX_NODES}
     * @param kind    the logs
     * @param dataDir where file logs go; null: a fresh temp directory (deleted on close); ignored for memory logs
     * @param sliceMicros the nodes' {@link StreamServerConfig#ioSliceMicros}: 0 or 100..100000
     * @param logConfig   the file logs' settings; ignored for memory logs
     * @throws IllegalArgumentException if n is out of range
     * @throws IOException              if a log cannot be opened or a server cannot listen (what was started is
     *                                  closed again)
     */
    static InProcessChain start(int n, LogKind kind, Path dataDir, int sliceMicros, FileLogConfig logConfig)
            throws IOException {
        if (n < 1 || n > MAX_NODES) {
            throw new IllegalArgumentException("a bench chain has 1.." + MAX_NODES + " nodes, got " + n);
        }
        Path dir = null;
        boolean delete = false;
        if (kind == LogKind.FILE) {
            dir = dataDir != null ? dataDir : Files.createTempDirectory("scalesmall-bench-");
            delete = dataDir == null;
        }
        InProcessChain c = new InProcessChain(kind, dir, delete, logConfig);
        try {
            List<ChainResolver.Member> m = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] id = ("bench-node-" + i).getBytes(StandardCharsets.UTF_8);
                MessageLog log = kind == LogKind.FILE
                        ? FileMessageLog.open(n == 1 ? dir : dir.resolve("node-" + i), logConfig)
                        : new MemoryMessageLog();
                c.logs.add(log);
                ChainResolver resolver = n == 1 ? ChainResolver.single() : new FixedChain(id, () -> c.members);
                StreamServer s = StreamServer.start(log,
                        StreamServerConfig.loopback().withIoSliceMicros(sliceMicros), resolver,
                        ChainTimings.defaults());
                c.servers.add(s);
                m.add(new ChainResolver.Member(id, s.address()));
            }
            c.members = List.copyOf(m);
            return c;
        } catch (IOException | RuntimeException e) {
            try {
                c.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** @return nodes in the chain */
    int size() {
        return servers.size();
    }

    /** @return the data port of the chain's head (node 0), where producers and consumers connect */
    InetSocketAddress head() {
        return servers.get(0).address();
    }

    /** @return node i's data port */
    InetSocketAddress address(int i) {
        return servers.get(i).address();
    }

    LogKind kind() {
        return kind;
    }

    /** @return the file logs' directory, or null for memory logs */
    Path dir() {
        return dir;
    }

    /** @return node i's log (tests look into it; the server writes it) */
    MessageLog log(int i) {
        return logs.get(i);
    }

    /** @return messages node i's log holds in {@code stream} (its end offset) */
    long held(int i, String stream) {
        return logs.get(i).endOffset(stream);
    }

    /** @return fsyncs node i's log made so far (group commit: far fewer than disk acks); 0 for a memory log */
    long fsyncs(int i) {
        return logs.get(i) instanceof FileMessageLog f ? f.fsyncCount() : 0;
    }

    /** Node {@code i}'s segment rolls, and those into a file written ahead: {rolls, preallocated} (0s for memory). */
    long[] rolls(int i) {
        return logs.get(i) instanceof FileMessageLog f ? new long[] {f.rolls(), f.rollsIntoPreallocated()}
                : new long[2];
    }

    /** How long node {@code i}'s fsyncs took, ns (empty for a memory log). */
    Histogram fsyncLatencyNanos(int i) {
        return logs.get(i) instanceof FileMessageLog f ? f.fsyncLatencyNanos() : new Histogram(3);
    }

    /** Stops every server, then closes the logs, and deletes a temp directory. */
    @Override
    public void close() throws IOException {
        try {
            for (StreamServer s : servers) {
                s.close();
            }
        } finally {
            IOException first = null;
            for (MessageLog l : logs) {
                try {
                    l.close();
                } catch (IOException e) {
                    first = first == null ? e : first;
                }
            }
            if (deleteOnClose) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }
}
