package io.scalesmall.node;

import io.scalesmall.log.FileMessageLog;
import io.scalesmall.log.LogCorruptedException;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.RecoveryReport;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.stream.server.ChainTimings;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens, serves and closes a node's data path: the message log in {@code log-dir} and the stream server on
 * {@code data-port}. Stateless. */
final class DataPath {
    private static final Logger LOG = LoggerFactory.getLogger(DataPath.class);

    private DataPath() {
    }

    /**
     * Opens the log, recovering it (a torn tail is truncated with a WARN line by the log).
     *
     * @throws IOException naming log-dir when it cannot be used or holds damage recovery must not repair
     */
    static FileMessageLog openLog(NodeConfig c) throws IOException {
        DataConfig d = c.data();
        FileMessageLog log;
        try {
            log = FileMessageLog.open(d.logDir(), d.logConfig());
        } catch (LogCorruptedException e) {
            throw new IOException("log-dir " + d.logDir() + ": damaged beyond a torn tail, refusing to start: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException("log-dir " + d.logDir() + ": " + e.getMessage(), e);
        }
        RecoveryReport r = log.recovery();
        LOG.info("{} log {}: {} streams, {} batches in {} segments{}", c.id(), d.logDir(), r.streams(), r.batches(),
                r.segments(), r.truncatedBytes() > 0 ? ", " + r.truncatedBytes() + " torn bytes truncated" : "");
        return log;
    }

    /**
     * Starts the stream server on {@code bind:data-port}, as a member of the chains {@code resolver} names
     * ({@link ChainResolver#single()} when the node has no data group).
     *
     * @throws IOException naming the port when it is taken
     */
    static StreamServer serve(NodeConfig c, MessageLog log, ChainResolver resolver) throws IOException {
        StreamServerConfig sc = StreamServerConfig.defaults(c.bind(), c.data().port())
                .withIoSliceMicros(c.data().ioSliceMicros());
        try {
            return StreamServer.start(log, sc, resolver, ChainTimings.defaults());
        } catch (IOException e) {
            throw new IOException("data-port " + c.data().port() + ": " + e.getMessage(), e);
        }
    }

    /** Stops serving, flushes and closes the log; either may be null. Never throws (logs instead). */
    static void close(StreamServer data, MessageLog log) {
        if (data != null) {
            data.close();
        }
        if (log != null) {
            try {
                log.flush();
            } catch (IOException | IllegalStateException e) {
                LOG.warn("flushing the log on close failed: {}", e.toString());
            }
            try {
                log.close();
            } catch (IOException e) {
                LOG.warn("closing the log failed: {}", e.toString());
            }
        }
    }
}
