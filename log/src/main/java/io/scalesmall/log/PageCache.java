package io.scalesmall.log;

import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drops a file's pages from the operating system's page cache: {@code posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)}
 * through JNA, on Linux (x86-64, aarch64, riscv64, where the advice is 4); elsewhere, or when the native call cannot
 * be loaded, {@link #drop} does nothing and returns false (logged once).
 *
 * <p><b>Why.</b> A {@link FileMessageLog} keeps the batches consumers read most -- the recent ones -- in its own
 * memory budget ({@link BatchCache}), so the kernel's copy of a segment that is complete and fsynced mostly duplicates
 * it. Left there, every new segment also takes fresh page-cache pages; on the 2 vCPU virtual machine of
 * docs/benchmarks.md the kernel's copy into fresh pages cost about eight times more once some 1.1 GB had been written
 * (bench/pagecache-write.py shows it), which saturated the node's event loop halfway through long bench runs. With
 * each synced segment's pages dropped, the kernel reuses the same warm pages: 2.4 GB written at a flat cost. Cassandra
 * drops the pages of files it has finished writing for the same reason ({@code posix_fadvise} DONTNEED). The price: a
 * consumer reading far behind, past the log's own budget, reads the disk instead of the kernel's cache
 * ({@link FileLogConfig#keepPageCache()} keeps them).
 *
 * <p><b>Early writeback</b> ({@link #startWriteback}, {@link #finishWriteback}) is {@code sync_file_range(2)} on a
 * range of the file being written, as RocksDB's {@code bytes_per_sync} and PostgreSQL's {@code wal_writer_flush_after}
 * do it: the kernel starts writing a few MiB at a time as they are appended, instead of the whole segment at its
 * fsync. It makes nothing durable (no metadata, no device cache flush): the fsyncs stay what the log's durability
 * rests on; it only spreads their work into small steps, and lets those ranges leave the page cache early.
 *
 * <p>Only clean pages are dropped: call {@link #drop} after the file's fsync, or a range's drop after its writeback
 * finished. The calls apply to the file, not to one descriptor, so the file is opened read-only for each. Thread-safe.
 */
final class PageCache {
    private static final Logger LOG = LoggerFactory.getLogger(PageCache.class);
    private static final int O_RDONLY = 0;
    private static final int POSIX_FADV_DONTNEED = 4;
    /** {@code sync_file_range} flags (the same on every Linux architecture). */
    private static final int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int SYNC_FILE_RANGE_WAIT_AFTER = 4;
    /** Architectures whose Linux headers define POSIX_FADV_DONTNEED as 4 (s390x does not). */
    private static final Set<String> ARCHS = Set.of("amd64", "x86_64", "aarch64", "riscv64");

    /**
     * The C library's calls used here, bound once by JNA's direct mapping ({@link Native#register(Class, String)}):
     * a call is a JNI call, with no proxy, reflection or per-call {@code Memory} (the path's C string lives only
     * during the call), so nothing is left for JNA's cleaner thread. The log's background thread makes about eight
     * such calls per 4 MiB written.
     */
    private static final class LibC {
        static native int open(String path, int flags);

        /** @return 0, or an error number (not -1 and errno) */
        static native int posix_fadvise(int fd, long offset, long length, int advice);

        static native int close(int fd);

        /** @return 0, or -1 (errno set) */
        static native int sync_file_range(int fd, long offset, long nbytes, int flags);
    }

    /** Whether {@link LibC}'s calls are bound. */
    private static final boolean BOUND = bind();

    private PageCache() {
    }

    private static boolean bind() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.startsWith("linux") || !ARCHS.contains(arch)) {
            LOG.debug("page cache: not dropped on {} {}", os, arch);
            return false;
        }
        try {
            Native.register(LibC.class, "c");
            return true;
        } catch (LinkageError | RuntimeException e) {
            LOG.info("page cache: segments' pages stay cached (cannot call posix_fadvise: {})", e.toString());
            return false;
        }
    }

    /** Whether {@link #drop} can work here. */
    static boolean supported() {
        return BOUND;
    }

    /**
     * Advises the kernel to drop {@code file}'s cached pages (the clean ones; dirty pages stay until written).
     *
     * @return true if the advice was given; false if unsupported here, or the file could not be opened (e.g. deleted
     *         meanwhile by retention) -- never throws
     */
    static boolean drop(Path file) {
        return call(file, 0, 0, 0, true);
    }

    /**
     * Starts writing {@code file}'s dirty pages in bytes {@code [offset, offset + length)} to the device, without
     * waiting for them ({@code SYNC_FILE_RANGE_WRITE}; it may wait while the device's queue is full).
     *
     * @return true if the kernel took the request; false if unsupported here, or the file could not be opened (e.g.
     *         deleted meanwhile by retention) or refused the call -- never throws
     */
    static boolean startWriteback(Path file, long offset, long length) {
        return call(file, offset, length, SYNC_FILE_RANGE_WRITE, false);
    }

    /**
     * Waits until bytes {@code [offset, offset + length)} of {@code file} are written to the device (starting what
     * is still dirty), then, if {@code drop}, advises the kernel to drop those pages, now clean. Not an fsync: the
     * file's metadata and the device's cache are not flushed.
     *
     * @return as {@link #startWriteback}
     */
    static boolean finishWriteback(Path file, long offset, long length, boolean drop) {
        return call(file, offset, length,
                SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER, drop);
    }

    /** Opens {@code file} read-only, calls sync_file_range with {@code flags} (if any), then the drop (if asked). */
    private static boolean call(Path file, long offset, long length, int flags, boolean drop) {
        if (!BOUND) {
            return false;
        }
        try {
            int fd = LibC.open(file.toString(), O_RDONLY);
            if (fd < 0) {
                return false;
            }
            try {
                boolean ok = flags == 0 || LibC.sync_file_range(fd, offset, length, flags) == 0;
                return ok && (!drop || LibC.posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED) == 0);
            } finally {
                LibC.close(fd);
            }
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("page cache: cannot act on {}: {}", file, e.toString());
            return false;
        }
    }
}
