package io.scalesmall.sched;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;

/**
 * {@code sched_getattr(2)} and {@code sched_setattr(2)} on the calling thread, through the C library's
 * {@code syscall(2)} (glibc has no wrappers before 2.41). The only class here that names JNA: {@link ThreadSlice}
 * reaches it behind a {@link LinkageError} check.
 *
 * <p>{@code struct sched_attr}, as the kernel's uapi header gives it (size 56, {@code SCHED_ATTR_SIZE_VER1}): u32
 * size at 0, u32 sched_policy at 4, u64 sched_flags at 8, s32 sched_nice at 16, u32 sched_priority at 20, u64
 * sched_runtime at 24, u64 sched_deadline at 32, u64 sched_period at 40, u32 sched_util_min at 48 and u32
 * sched_util_max at 52. It is exchanged here as a {@code long[6]}: size, policy, flags, nice, priority, runtime (ns);
 * the deadline, period and utilisation clamps are left 0, which the kernel ignores outside {@code SCHED_DEADLINE} and
 * without the clamp flags. Thread-safe: each call uses its own memory.
 */
final class SchedCalls {
    private static final int ATTR_SIZE = 56;

    /** The C library's {@code long syscall(long number, ...)}. */
    interface LibC extends Library {
        long syscall(long number, Object... args);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);
    private static final long[] NUMBERS = ThreadSlice.Kernel.numbers(System.getProperty("os.arch", ""));

    private SchedCalls() {
    }

    /** The error number of this thread's last failed call here ({@code errno}, e.g. 38 ENOSYS, 1 EPERM). */
    static int lastError() {
        return Native.getLastError();
    }

    /**
     * The calling thread's attributes as {size, policy, flags, nice, priority, runtime}, or null if the call failed
     * ({@link #lastError} says why).
     */
    static long[] get() {
        Memory m = new Memory(ATTR_SIZE);
        m.clear();
        if (LIBC.syscall(NUMBERS[1], 0, m, ATTR_SIZE, 0) != 0) {
            return null;
        }
        return new long[] {m.getInt(0) & 0xffffffffL, m.getInt(4) & 0xffffffffL, m.getLong(8), m.getInt(16),
                m.getInt(20) & 0xffffffffL, m.getLong(24)};
    }

    /**
     * Sets the calling thread's attributes from {size (ignored: 56 is sent), policy, flags, nice, priority, runtime};
     * false if the call failed ({@link #lastError} says why).
     */
    static boolean set(long[] attr) {
        Memory m = new Memory(ATTR_SIZE);
        m.clear();
        m.setInt(0, ATTR_SIZE);
        m.setInt(4, (int) attr[1]);
        m.setLong(8, attr[2]);
        m.setInt(16, (int) attr[3]);
        m.setInt(20, (int) attr[4]);
        m.setLong(24, attr[5]);
        return LIBC.syscall(NUMBERS[0], 0, m, 0) == 0;
    }
}
