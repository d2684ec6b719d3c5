package io.scalesmall.sched;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A thread's time slice under Linux's EEVDF scheduler (6.12 and later): how long it may run before a waiting thread
 * of the same weight may take its CPU, and, the part that matters here, how soon it gets a CPU when it wakes. The
 * kernel's default is its base slice (0.75 ms in 6.12, 0.7 ms later) × (1 + log2 of the CPUs, counted up to 8):
 * 1.4 ms on the two vCPUs of docs/benchmarks.md. A thread may ask for a shorter one with {@code sched_setattr(2)},
 * setting {@code sched_runtime} under {@code SCHED_OTHER}; no privilege is needed.
 *
 * <p><b>Why.</b> An event loop that carries messages and acks sleeps most of the time, wakes for each batch, works
 * for some 100 µs and sleeps again. When it wakes on a CPU that a busy thread holds (a producer, the log's
 * writeback, the JIT compiler), it waits for that thread's slice to end: up to 1.4 ms, on the path every ack takes.
 * With a shorter slice the woken loop's virtual deadline comes first, and the kernel preempts the busy thread at
 * once (EEVDF's {@code PREEMPT_SHORT}). This is the mechanism the kernel's documentation gives for
 * latency-sensitive tasks (Documentation/scheduler/sched-eevdf.rst; the patches: Peter Zijlstra, "sched/eevdf: Allow
 * shorter slices to wakeup-preempt", Linux 6.12). The busy thread loses nothing over time: EEVDF still shares the CPU
 * by weight, only in finer steps. Only threads that mostly sleep should ask: with every thread of a busy process on a
 * short slice, they preempt each other and latency gets worse. docs/benchmarks.md ("third pass") gives the
 * measurements behind scalesmall's default, 300 µs: no change with the bench alone on a 2 vCPU machine, a lower p99
 * in 7 of 8 runs beside another busy process.
 *
 * <p><b>Where it works.</b> Linux on x86-64 or aarch64, a kernel with custom slices (6.12 and later), and JNA on the
 * class path (the server has it; the client library declares it optional). Elsewhere {@link #supported} is false and
 * {@link #request} does nothing and returns false; nothing throws. A kernel before 6.12 is recognised by
 * {@code sched_getattr} returning a slice of 0 for a {@code SCHED_OTHER} thread. A thread under a real-time or
 * deadline policy is left alone.
 *
 * <p>A slice is per thread, and is not passed on: {@link #request} also sets {@code SCHED_FLAG_RESET_ON_FORK}, so that
 * a thread started by a sliced one (a pool's worker created lazily from an event loop, a user's thread started from
 * a callback) gets the kernel's default slice, and a nice value of 0 if its parent's was negative. Thread-safe:
 * every method acts on the calling thread only.
 */
public final class ThreadSlice {
    private static final Logger LOG = LoggerFactory.getLogger(ThreadSlice.class);
    /** The shortest slice the kernel accepts, 100 µs in ns; shorter requests are refused here. */
    public static final long MIN_NANOS = 100_000;
    /** The longest slice the kernel accepts, 100 ms in ns. */
    public static final long MAX_NANOS = 100_000_000;
    /** {@link #MIN_NANOS} in µs, the unit of the settings that set a slice. */
    public static final long MIN_MICROS = MIN_NANOS / 1000;
    /** {@link #MAX_NANOS} in µs. */
    public static final long MAX_MICROS = MAX_NANOS / 1000;
    /** Labels already logged, so that a group of loop threads logs one line, not one per thread. */
    private static final Set<String> LOGGED = ConcurrentHashMap.newKeySet();

    private ThreadSlice() {
    }

    /** Whether slices can be read and set in this JVM: see the class comment. Never throws. */
    public static boolean supported() {
        return Kernel.reason() == null;
    }

    /** Why slices cannot be set here (for a log line), or null when they can. Never throws. */
    public static String unsupportedReason() {
        return Kernel.reason();
    }

    /**
     * The calling thread's slice.
     *
     * @return the slice in ns: the kernel's default (e.g. 1,400,000 on two CPUs) unless one was asked for; -1 when
     *         not {@link #supported} or the thread is not under {@code SCHED_OTHER} or {@code SCHED_BATCH}
     */
    public static long current() {
        if (!supported()) {
            return -1;
        }
        long[] attr = Kernel.get();
        return attr == null || !Kernel.fair(attr) ? -1 : attr[Kernel.RUNTIME];
    }

    /**
     * Asks the kernel for a slice of {@code nanos} for the calling thread, keeping its policy and nice value; a
     * non-zero slice is not inherited by threads it starts (see the class comment).
     *
     * @param nanos {@link #MIN_NANOS}..{@link #MAX_NANOS}, or 0 for the kernel's default
     * @return true if the thread now has that slice (read back); false if not {@link #supported}, the thread is not
     *         under {@code SCHED_OTHER} or {@code SCHED_BATCH}, or the call failed
     * @throws IllegalArgumentException if {@code nanos} is neither 0 nor in range
     */
    public static boolean request(long nanos) {
        check(nanos);
        if (!supported()) {
            return false;
        }
        long[] attr = Kernel.get();
        if (attr == null || !Kernel.fair(attr) || !Kernel.set(attr, nanos)) {
            return false;
        }
        long[] now = Kernel.get();
        return now != null && (nanos == 0 || now[Kernel.RUNTIME] == nanos);
    }

    /**
     * A thread factory whose threads ask for a slice of {@code nanos} before they run their task; {@code label}
     * names them in the one INFO line this JVM logs per label (the slice taken, or why not). With {@code nanos} 0,
     * {@code delegate} itself.
     *
     * @param nanos as for {@link #request}
     * @throws IllegalArgumentException if {@code nanos} is out of range
     */
    public static ThreadFactory factory(ThreadFactory delegate, long nanos, String label) {
        Objects.requireNonNull(delegate, "delegate");
        Objects.requireNonNull(label, "label");
        check(nanos);
        if (nanos == 0) {
            return delegate;
        }
        return r -> delegate.newThread(() -> {
            String failure = null;
            try {
                if (!request(nanos)) {
                    failure = supported() ? "the kernel did not take " + nanos / 1000 + " µs (errno "
                            + SchedCalls.lastError() + ")" : unsupportedReason();
                }
            } catch (RuntimeException | LinkageError e) { // never keep the thread from its task
                failure = e.toString();
            }
            if (LOGGED.add(label)) {
                if (failure == null) {
                    LOG.info("{}: threads run with a {} µs scheduler slice (EEVDF)", label, nanos / 1000);
                } else {
                    LOG.info("{}: threads keep the kernel's scheduler slice ({})", label, failure);
                }
            }
            r.run();
        });
    }

    /**
     * Whether {@code micros} is a slice setting this class takes: 0 (the kernel's default) or
     * {@link #MIN_MICROS}..{@link #MAX_MICROS}. The settings (node, client, bench) check with it and word their own
     * errors.
     */
    public static boolean validMicros(long micros) {
        return micros == 0 || micros >= MIN_MICROS && micros <= MAX_MICROS;
    }

    /**
     * Reads a slice setting: {@code off} (any case) is 0, anything else a decimal number of µs, surrounding blanks
     * ignored; the range is not checked ({@link #validMicros}).
     *
     * @throws NumberFormatException if it is neither
     */
    public static long parseMicros(String text) {
        String t = text.strip();
        return t.equalsIgnoreCase("off") ? 0 : Long.parseLong(t);
    }

    private static void check(long nanos) {
        if (nanos != 0 && (nanos < MIN_NANOS || nanos > MAX_NANOS)) {
            throw new IllegalArgumentException("a scheduler slice must be 0 (the kernel's default) or "
                    + MIN_NANOS / 1000 + ".." + MAX_NANOS / 1000 + " µs, got " + nanos + " ns");
        }
    }

    /**
     * Whether and how the system calls can be made, decided once, on first use. JNA is named only by
     * {@link SchedCalls}: without it on the class path, linking that class fails, which {@link #reason} reports as
     * unsupported.
     */
    static final class Kernel {
        static final int POLICY = 1;
        static final int FLAGS = 2;
        static final int NICE = 3;
        static final int PRIORITY = 4;
        static final int RUNTIME = 5;
        private static final int SCHED_OTHER = 0;
        private static final int SCHED_BATCH = 3;
        private static final long SCHED_FLAG_RESET_ON_FORK = 1;
        private static final String REASON = probe();

        private Kernel() {
        }

        static String reason() {
            return REASON;
        }

        private static String probe() {
            try {
                return reason(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), SchedCalls::get);
            } catch (LinkageError e) { // linking the method reference to SchedCalls
                return "JNA is not on the class path (" + e + ")";
            }
        }

        /**
         * Why slices cannot be set on {@code os} and {@code arch} (values of {@code os.name}, {@code os.arch}),
         * given the calling thread's attributes from {@code getattr} (called only on Linux on a known architecture;
         * it may throw a {@link LinkageError} when JNA is missing, or return null when the call failed); null if
         * they can.
         */
        static String reason(String os, String arch, Supplier<long[]> getattr) {
            if (!os.toLowerCase(Locale.ROOT).startsWith("linux") || numbers(arch.toLowerCase(Locale.ROOT)) == null) {
                return "not Linux on x86-64 or aarch64: " + os + " " + arch;
            }
            try {
                long[] attr = getattr.get();
                if (attr == null) {
                    return "sched_getattr failed (errno " + SchedCalls.lastError() + ")";
                }
                if (fair(attr) && attr[RUNTIME] == 0) {
                    return "this kernel has no custom slices (Linux 6.12 and later have)";
                }
                return null;
            } catch (LinkageError e) {
                return "JNA is not on the class path (" + e + ")";
            } catch (RuntimeException e) {
                return "cannot call sched_getattr (" + e + ")";
            }
        }

        /**
         * The system call numbers {sched_setattr, sched_getattr} on {@code arch} (a value of {@code os.arch}), or null
         * where they are not known here. Here, not in {@link SchedCalls}, so that asking needs no JNA.
         */
        static long[] numbers(String arch) {
            switch (arch) {
                case "amd64":
                case "x86_64":
                    return new long[] {314, 315};
                case "aarch64":
                    return new long[] {274, 275};
                default:
                    return null;
            }
        }

        static long[] get() {
            return SchedCalls.get();
        }

        static boolean fair(long[] attr) {
            return attr[POLICY] == SCHED_OTHER || attr[POLICY] == SCHED_BATCH;
        }

        /** Sets {@code runtime}, keeping the policy, nice and priority; a non-zero one with RESET_ON_FORK. */
        static boolean set(long[] attr, long runtime) {
            long[] a = attr.clone();
            a[FLAGS] &= SCHED_FLAG_RESET_ON_FORK;
            if (runtime != 0) {
                a[FLAGS] |= SCHED_FLAG_RESET_ON_FORK;
            }
            a[RUNTIME] = runtime;
            return SchedCalls.set(a);
        }
    }
}
