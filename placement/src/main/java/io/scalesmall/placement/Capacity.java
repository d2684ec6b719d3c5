package io.scalesmall.placement;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A member's capacity weight: configured, or measured and quantised. Thread-safe (stateless).
 *
 * <h2>Measuring without feedback</h2>
 * A node's own writes must not change its weight, or storing data would move data. So the measured disk capacity
 * is what the node <em>could</em> hold: the bytes it already stores plus the bytes still usable on the file
 * system, capped by its configured budget ({@link #diskBytes}). Writing a message moves bytes from "usable" to
 * "stored" and leaves the sum unchanged; only other tenants of the disk move it.
 *
 * <h2>Quantising</h2>
 * {@link #quantise} turns bytes into whole units (default {@link #GIB}); {@link #steady} then keeps the previous
 * weight while the new one is within a relative tolerance of it, so a capacity hovering around a unit boundary
 * or drifting a few percent does not change the ring. Weights are linear in capacity (not a log scale), so a
 * node's share of the key space follows its capacity.
 */
public final class Capacity {
    /** One gibibyte, 2^30 bytes: the default weight unit. */
    public static final long GIB = 1L << 30;
    /** Default tolerance of {@link #steady}: 10 %. */
    public static final double DEFAULT_TOLERANCE = 0.10;

    private Capacity() {
    }

    /**
     * A configured weight, checked.
     *
     * @param weight {@code >= 0}; 0 means the member takes no new data
     * @return {@code weight}
     * @throws IllegalArgumentException if negative
     */
    public static int configured(int weight) {
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " is negative (use 0 to take no new data)");
        }
        return weight;
    }

    /**
     * The disk capacity of a data directory: {@code min(budgetBytes, storedBytes + usable bytes of its file store)}.
     *
     * @param dir         the data directory; must exist
     * @param storedBytes bytes this node already stores there, {@code >= 0}
     * @param budgetBytes the most the node may store there, {@code > 0}; {@link Long#MAX_VALUE} for no budget
     * @return bytes, {@code 0..budgetBytes}
     * @throws IOException              if the file store cannot be read
     * @throws IllegalArgumentException naming the parameter if one is invalid
     */
    public static long diskBytes(Path dir, long storedBytes, long budgetBytes) throws IOException {
        if (dir == null) {
            throw new IllegalArgumentException("dir: null");
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("dir: " + dir + " is not a directory");
        }
        FileStore store = Files.getFileStore(dir);
        return diskBytes(store.getUsableSpace(), storedBytes, budgetBytes);
    }

    /**
     * {@link #diskBytes(Path, long, long)} given the usable bytes, for callers that measured them.
     *
     * @throws IllegalArgumentException naming the parameter if one is negative or the budget is not positive
     */
    public static long diskBytes(long usableBytes, long storedBytes, long budgetBytes) {
        if (usableBytes < 0) {
            throw new IllegalArgumentException("usableBytes: " + usableBytes + " is negative");
        }
        if (storedBytes < 0) {
            throw new IllegalArgumentException("storedBytes: " + storedBytes + " is negative");
        }
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("budgetBytes: " + budgetBytes + " is not positive");
        }
        long sum = usableBytes > Long.MAX_VALUE - storedBytes ? Long.MAX_VALUE : usableBytes + storedBytes;
        return Math.min(sum, budgetBytes);
    }

    /** @return the most heap this JVM will use, bytes ({@link Runtime#maxMemory()}): the capacity of a memory-only node */
    public static long heapBytes() {
        return Runtime.getRuntime().maxMemory();
    }

    /**
     * Whole units of capacity.
     *
     * @param bytes     capacity, {@code >= 0}
     * @param unitBytes bytes per weight unit, {@code > 0} (e.g. {@link #GIB})
     * @return {@code floor(bytes / unitBytes)}, but at least 1 when {@code bytes > 0} (a node smaller than a unit still
     *         takes a small share; tightening stops it when full) and at most {@link Integer#MAX_VALUE}; 0 for 0 bytes
     * @throws IllegalArgumentException naming the parameter if {@code bytes < 0} or {@code unitBytes <= 0}
     */
    public static int quantise(long bytes, long unitBytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes: " + bytes + " is negative");
        }
        if (unitBytes <= 0) {
            throw new IllegalArgumentException("unitBytes: " + unitBytes + " is not positive");
        }
        if (bytes == 0) {
            return 0;
        }
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / unitBytes));
    }

    /**
     * Hysteresis on a measured weight: keeps {@code previous} unless {@code measured} differs from it by more than
     * {@code tolerance x previous}. A change from or to 0 always passes.
     *
     * @param previous  the weight in use, {@code >= 0}, or -1 when there is none yet
     * @param measured  the newly quantised weight, {@code >= 0}
     * @param tolerance relative tolerance, {@code 0 <= tolerance < 1} (e.g. {@link #DEFAULT_TOLERANCE})
     * @return the weight to publish
     * @throws IllegalArgumentException naming the parameter if one is out of range
     */
    public static int steady(int previous, int measured, double tolerance) {
        if (previous < -1) {
            throw new IllegalArgumentException("previous: " + previous + " is not -1 (none) or a weight >= 0");
        }
        if (measured < 0) {
            throw new IllegalArgumentException("measured: " + measured + " is negative");
        }
        if (!(tolerance >= 0 && tolerance < 1)) {
            throw new IllegalArgumentException("tolerance: " + tolerance + " is not in [0, 1)");
        }
        if (previous <= 0 || measured == 0) {
            return measured;
        }
        return Math.abs((double) measured - previous) <= tolerance * previous ? previous : measured;
    }
}
