import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How long fdatasync takes on this machine when the file grows with each write, and when it does not.
 *
 * <p>A writer thread appends blocks of {@code --block-kib} at {@code --mb-per-s} (paced) for {@code --seconds}; a
 * syncer thread calls fdatasync ({@code FileChannel.force(false)}) whenever something was written since its last
 * call, as a group commit does. Two runs, one after the other: "growing", into a new empty file (each write extends
 * it, as scalesmall's segments are written), and "pre-written", into a file first filled with zeros and synced (each
 * write overwrites written blocks; the file's size and block map never change). Prints, per run, the fdatasync calls
 * and their p50, p99 and max in ms, then deletes the file. Nothing but the file is touched.
 *
 * <p>Why: on ext4 a fdatasync after writes that extended the file must also commit the new size and block allocation
 * to the journal; after overwriting written blocks it only writes the data and flushes the device. Databases pre-write
 * their logs for this (PostgreSQL's wal_init_zero and recycled WAL segments). docs/benchmarks.md, "Overlapping group
 * commits", has this machine's figures.
 *
 * <p>Usage (JDK 11+, no build): {@code java bench/FdatasyncGrowth.java [--dir /tmp] [--mb-per-s 180] [--seconds 6]
 * [--block-kib 88]}
 */
public final class FdatasyncGrowth {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of("/tmp");
        double mbPerS = 180;
        int seconds = 6;
        int blockKib = 88;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--dir" -> dir = Path.of(args[i + 1]);
                case "--mb-per-s" -> mbPerS = Double.parseDouble(args[i + 1]);
                case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
                case "--block-kib" -> blockKib = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (args.length % 2 != 0 || mbPerS <= 0 || seconds < 1 || seconds > 600 || blockKib < 1 || blockKib > 65536) {
            System.err.println("usage: java bench/FdatasyncGrowth.java [--dir D] [--mb-per-s >0] [--seconds 1..600]"
                    + " [--block-kib 1..65536]");
            System.exit(2);
        }
        byte[] bytes = new byte[blockKib * 1024];
        ThreadLocalRandom.current().nextBytes(bytes);
        long gapNanos = Math.round(bytes.length / (mbPerS * 1e6) * 1e9);
        Path file = dir.resolve("scalesmall-fdatasync-growth-" + ProcessHandle.current().pid() + ".tmp");
        System.out.println("file         fdatasyncs  p50 ms  p99 ms  max ms");
        for (boolean prewrite : new boolean[] {false, true}) {
            long[] took = run(file, prewrite, ByteBuffer.wrap(bytes), gapNanos, seconds);
            System.out.printf("%-12s %10d  %6.2f  %6.2f  %6.2f%n", prewrite ? "pre-written" : "growing", took.length,
                    at(took, 0.5), at(took, 0.99), took.length == 0 ? 0 : took[took.length - 1] / 1e6);
        }
    }

    private static double at(long[] sorted, double q) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1e6;
    }

    private static long[] run(Path file, boolean prewrite, ByteBuffer block, long gapNanos, int seconds)
            throws IOException, InterruptedException {
        long total = (long) seconds * 1_000_000_000L / gapNanos * block.capacity() + block.capacity();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (prewrite) {
                ByteBuffer zeros = ByteBuffer.allocateDirect(1 << 20);
                for (long at = 0; at < total; ) {
                    zeros.clear();
                    at += ch.write(zeros, at);
                }
                ch.force(true);
            }
            AtomicLong written = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            long[] took = new long[1 << 20];
            int[] n = {0};
            Thread syncer = new Thread(() -> {
                long synced = 0;
                try {
                    while (!stop.get() || synced < written.get()) {
                        long mark = written.get();
                        if (mark == synced) {
                            LockSupport.parkNanos(20_000);
                            continue;
                        }
                        long t0 = System.nanoTime();
                        ch.force(false);
                        if (n[0] < took.length) {
                            took[n[0]++] = System.nanoTime() - t0;
                        }
                        synced = mark;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            syncer.start();
            long start = System.nanoTime();
            long pos = 0;
            for (long i = 0; pos + block.capacity() <= total && System.nanoTime() - start < seconds * 1_000_000_000L;
                    i++) {
                while (System.nanoTime() < start + i * gapNanos) {
                    Thread.onSpinWait();
                }
                block.clear();
                while (block.hasRemaining()) {
                    pos += ch.write(block, pos);
                }
                written.set(pos);
            }
            stop.set(true);
            syncer.join();
            long[] out = Arrays.copyOf(took, n[0]);
            Arrays.sort(out);
            return out;
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
