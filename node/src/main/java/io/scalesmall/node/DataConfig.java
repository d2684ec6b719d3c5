package io.scalesmall.node;

import io.scalesmall.log.FileLogConfig;
import io.scalesmall.sched.ThreadSlice;
import io.scalesmall.stream.server.StreamServerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The data path's settings (issue 5): where the node serves the stream protocol and how its message log may use
 * the disk. Immutable; checked when built ({@link IllegalArgumentException} naming the key and value). Keys, as in
 * the config file (see {@link NodeConfigLoader}):
 *
 * <pre>
 * data-port            N            stream protocol port (TCP), 1..65535, not the gossip port; default 29998
 * log-dir              DIR          the message log's directory; default DATA-DIR/log
 * log-max-disk         SIZE|off     disk budget: producers get LOG_FULL beyond it; default off (the disk's size)
 * log-retention        DURATION|off drop data older than this; default 7d
 * log-retention-bytes  SIZE|off     drop the oldest data beyond this much; default off
 * log-memory           SIZE|auto|off memory budget: recent messages cached off-heap for consumers; default auto
 *                                    (greedy: half of the JVM's maximum heap); off = no cache
 * log-page-cache       drop|keep    drop (default): a complete, fsynced segment's pages leave the kernel's page
 *                                    cache (Linux); keep: the kernel keeps them for consumers reading far behind
 * log-preallocate      on|off       off (default): segments grow as they fill; on: each next segment's file is
 *                                    written ahead as fsynced zeros, so group commits fsync no metadata (faster
 *                                    fsyncs, twice the bytes written; see FileLogConfig#preallocate)
 * log-write-behind     SIZE|off     write-behind: a background thread writes each batch into its segment, so that the
 *                                    event loop acknowledges a memory copy without waiting for the file write;
 *                                    SIZE: the most bytes waiting to be written (at least 1m); off: the loop writes
 *                                    (see FileLogConfig#writeBehindBytes); default 8m
 * data-io-slice-us     N|off        the scheduler slice (µs) the data path's event loops and group-commit thread ask
 *                                    for (Linux 6.12+, see ThreadSlice): 100..100000; off or 0 = the kernel's; default
 *                                    300
 * </pre>
 *
 * SIZE: a number of bytes with an optional k, m, g or t suffix (powers of 1024), e.g. {@code 512m}. DURATION: a
 * number with ms, s, m, h or d, e.g. {@code 12h}.
 *
 * @param port           the data port; 0 = any free port (tests and embedding; the config keys never give 0)
 * @param logDir         the log's directory
 * @param maxDiskBytes   the disk budget in bytes, {@link FileLogConfig#UNLIMITED} for none
 * @param retentionBytes retention by size in bytes, {@link FileLogConfig#UNLIMITED} for none
 * @param retention      retention by age; null for none
 * @param memoryBytes    the log's cache budget in bytes ({@link FileLogConfig#cacheBytes}): 0 = none,
 *                       {@link FileLogConfig#AUTO_CACHE_BYTES} = half the maximum heap
 * @param keepPageCache  whether synced segments stay in the kernel's page cache ({@link FileLogConfig#keepPageCache})
 * @param preallocate    whether segments are written ahead of need ({@link FileLogConfig#preallocate})
 * @param writeBehindBytes the log's write-behind ring in bytes, 0 = off ({@link FileLogConfig#writeBehindBytes})
 * @param ioSliceMicros  the data path's scheduler slice in µs ({@link StreamServerConfig#ioSliceMicros}); 0 = the
 *                       kernel's default
 */
public record DataConfig(int port, Path logDir, long maxDiskBytes, long retentionBytes, Duration retention,
        long memoryBytes, boolean keepPageCache, boolean preallocate, long writeBehindBytes, int ioSliceMicros) {
    /** The default data port. */
    public static final int DEFAULT_PORT = 29998;

    public DataConfig {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("data-port: " + port + " is not in 1..65535");
        }
        Objects.requireNonNull(logDir, "log-dir");
        if (maxDiskBytes < 1) {
            throw new IllegalArgumentException("log-max-disk: must be at least 1 byte, got " + maxDiskBytes);
        }
        if (retentionBytes < 1) {
            throw new IllegalArgumentException("log-retention-bytes: must be at least 1 byte, got " + retentionBytes);
        }
        if (retention != null && retention.toMillis() < 1) {
            throw new IllegalArgumentException("log-retention: must be at least 1 ms, got " + retention);
        }
        if (memoryBytes < 0 && memoryBytes != FileLogConfig.AUTO_CACHE_BYTES) {
            throw new IllegalArgumentException("log-memory: must be at least 0 bytes, got " + memoryBytes);
        }
        try {
            FileLogConfig.DEFAULT.withWriteBehindBytes(writeBehindBytes); // the log's own range check
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("log-write-behind: " + writeBehindBytes + " bytes: " + e.getMessage(), e);
        }
        if (!ThreadSlice.validMicros(ioSliceMicros)) {
            throw new IllegalArgumentException("data-io-slice-us: " + ioSliceMicros + " is not in "
                    + ThreadSlice.MIN_MICROS + ".." + ThreadSlice.MAX_MICROS + " (or off, 0)");
        }
    }

    /** The defaults for a node whose state lives in {@code dataDir}. */
    public static DataConfig defaults(Path dataDir) {
        return new DataConfig(DEFAULT_PORT, dataDir.resolve("log"), FileLogConfig.UNLIMITED, FileLogConfig.UNLIMITED,
                Duration.ofMillis(FileLogConfig.DEFAULT_RETENTION_MILLIS), FileLogConfig.AUTO_CACHE_BYTES, false, false,
                FileLogConfig.DEFAULT.writeBehindBytes(), StreamServerConfig.DEFAULT_IO_SLICE_MICROS);
    }

    /** @return this config with another data port */
    public DataConfig withPort(int p) {
        return new DataConfig(p, logDir, maxDiskBytes, retentionBytes, retention, memoryBytes, keepPageCache,
                preallocate, writeBehindBytes, ioSliceMicros);
    }

    /** @return the log's settings (segment size and compression at their defaults) */
    public FileLogConfig logConfig() {
        return FileLogConfig.DEFAULT.withMaxDiskBytes(maxDiskBytes).withRetentionBytes(retentionBytes)
                .withRetentionMillis(retention == null ? FileLogConfig.UNLIMITED : retention.toMillis())
                .withCacheBytes(memoryBytes).withKeepPageCache(keepPageCache).withPreallocate(preallocate)
                .withWriteBehindBytes(writeBehindBytes);
    }

    /**
     * Builds from the config keys above (absent keys take their defaults).
     *
     * @throws IllegalArgumentException naming the key and value on any error
     */
    static DataConfig parse(Map<String, String> v, Path dataDir) {
        DataConfig d = defaults(dataDir);
        int port = d.port;
        if (v.containsKey("data-port")) {
            try {
                port = Integer.parseInt(v.get("data-port").strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("data-port: '" + v.get("data-port") + "' is not a number", e);
            }
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("data-port: " + port + " is not in 1..65535");
        }
        Path logDir = v.containsKey("log-dir") ? Path.of(v.get("log-dir").strip()) : d.logDir;
        long maxDisk = v.containsKey("log-max-disk") ? size("log-max-disk", v.get("log-max-disk")) : d.maxDiskBytes;
        long retBytes = v.containsKey("log-retention-bytes") ? size("log-retention-bytes", v.get("log-retention-bytes"))
                : d.retentionBytes;
        Duration ret = v.containsKey("log-retention") ? duration("log-retention", v.get("log-retention")) : d.retention;
        long memory = d.memoryBytes;
        if (v.containsKey("log-memory")) {
            String m = v.get("log-memory").strip();
            memory = m.equalsIgnoreCase("auto") ? FileLogConfig.AUTO_CACHE_BYTES
                    : m.equalsIgnoreCase("off") ? 0 : size("log-memory", m);
        }
        int pageCache = either(v, "log-page-cache", "drop", "keep");
        boolean keep = pageCache < 0 ? d.keepPageCache : pageCache == 1;
        int prealloc = either(v, "log-preallocate", "on", "off");
        boolean preallocate = prealloc < 0 ? d.preallocate : prealloc == 0;
        long writeBehind = d.writeBehindBytes;
        if (v.containsKey("log-write-behind")) {
            long w = size("log-write-behind", v.get("log-write-behind"));
            writeBehind = w == FileLogConfig.UNLIMITED ? 0 : w; // off
        }
        int slice = d.ioSliceMicros;
        if (v.containsKey("data-io-slice-us")) {
            String m = v.get("data-io-slice-us").strip();
            try {
                slice = Math.toIntExact(ThreadSlice.parseMicros(m));
            } catch (NumberFormatException | ArithmeticException e) {
                throw new IllegalArgumentException("data-io-slice-us: '" + m + "' is neither a number of µs ("
                        + ThreadSlice.MIN_MICROS + ".." + ThreadSlice.MAX_MICROS + ") nor off", e);
            }
        }
        return new DataConfig(port, logDir, maxDisk, retBytes, ret, memory, keep, preallocate, writeBehind, slice);
    }

    /**
     * Parses a key that takes one of two words (any case).
     *
     * @return 0 for {@code first}, 1 for {@code second}, -1 when the key is not given
     * @throws IllegalArgumentException naming the key and value for any other word
     */
    private static int either(Map<String, String> v, String key, String first, String second) {
        if (!v.containsKey(key)) {
            return -1;
        }
        String m = v.get(key).strip().toLowerCase(Locale.ROOT);
        if (!m.equals(first) && !m.equals(second)) {
            throw new IllegalArgumentException(key + ": '" + v.get(key) + "' is neither " + first + " nor " + second);
        }
        return m.equals(first) ? 0 : 1;
    }

    /** Parses SIZE|off; off is {@link FileLogConfig#UNLIMITED}. */
    static long size(String key, String value) {
        String s = value.strip().toLowerCase(Locale.ROOT);
        if (s.equals("off")) {
            return FileLogConfig.UNLIMITED;
        }
        int shift = 0;
        char last = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
        String num = s;
        if ("kmgt".indexOf(last) >= 0) {
            shift = 10 * ("kmgt".indexOf(last) + 1);
            num = s.substring(0, s.length() - 1);
        }
        try {
            long n = Long.parseLong(num.strip());
            if (n < 1 || n > (Long.MAX_VALUE >> shift)) {
                throw new IllegalArgumentException(key + ": '" + value + "' is not a size from 1 byte");
            }
            return n << shift;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a size (e.g. 512m, 10g, off)", e);
        }
    }

    /** Parses DURATION|off; off is null. */
    static Duration duration(String key, String value) {
        String s = value.strip().toLowerCase(Locale.ROOT);
        if (s.equals("off")) {
            return null;
        }
        String[][] units = {{"ms", "1"}, {"s", "1000"}, {"m", "60000"}, {"h", "3600000"}, {"d", "86400000"}};
        for (String[] u : units) {
            if (s.endsWith(u[0]) && !(u[0].equals("s") && s.endsWith("ms"))) {
                try {
                    long n = Long.parseLong(s.substring(0, s.length() - u[0].length()).strip());
                    if (n < 1) {
                        break;
                    }
                    return Duration.ofMillis(Math.multiplyExact(n, Long.parseLong(u[1])));
                } catch (NumberFormatException | ArithmeticException e) {
                    break;
                }
            }
        }
        throw new IllegalArgumentException(key + ": '" + value + "' is not a duration (e.g. 7d, 12h, 30m, off)");
    }
}
