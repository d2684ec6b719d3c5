package io.scalesmall.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A private test network made of Linux network namespaces, for integration tests that run real processes on a
 * real (virtual) network:
 *
 * <pre>
 *   namespace PREFIX-br:  br0 (Linux bridge, multicast snooping off so multicast floods without an IGMP querier)
 *                          ├── PREFIXv1 ── veth ── eth0 10.213.X.1/24 in namespace PREFIX-n1
 *                          ├── PREFIXv2 ── veth ── eth0 10.213.X.2/24 in namespace PREFIX-n2
 *                          └── ...
 * </pre>
 *
 * Every host namespace has lo up and the route {@code 224.0.0.0/4 dev eth0}. Nothing is created in the root
 * namespace: the veth pairs are made inside the bridge namespace with their peer placed straight into the
 * host namespace, so no interface, address or route ever exists outside the namespaces this class made.
 * PREFIX is {@code ssit} plus 4 random hex digits and X is random, so parallel runs do not collide.
 *
 * <p>{@link #close()} stops every process started through this class (SIGTERM, then SIGKILL), then deletes the
 * namespaces. A JVM shutdown hook does the same if the JVM exits first; host processes are also started with
 * {@code setpriv --pdeathsig TERM} where available, so they stop if the test JVM dies without running hooks.
 *
 * <p>Thread-safe (its mutable state is guarded by {@code this}).
 */
final class Netns implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(15);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final int subnet;
    private final int hosts;
    /** Namespaces created, in creation order; guarded by this. */
    private final List<String> namespaces = new ArrayList<>();
    /** Processes started and not known to have ended; guarded by this. */
    private final Set<Process> processes = new LinkedHashSet<>();
    private final Thread hook;
    /** Guarded by this. */
    private boolean closed;

    private Netns(String prefix, int subnet, int hosts) {
        this.prefix = prefix;
        this.subnet = subnet;
        this.hosts = hosts;
        this.hook = new Thread(() -> close(true), prefix + "-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * @return null if network namespaces can be made here, else one sentence saying why not (not Linux, not
     *         root, no {@code ip} command, or {@code ip netns add} fails)
     */
    static String whyUnavailable() {
        String os = System.getProperty("os.name", "?");
        if (!os.startsWith("Linux")) {
            return "network namespaces need Linux, this is " + os;
        }
        long uid = effectiveUid();
        if (uid != 0) {
            return "creating network namespaces needs root, and this runs as uid " + uid;
        }
        try {
            Result v = call(List.of("ip", "-V"), Map.of()).finish(COMMAND_TIMEOUT);
            if (v.exit() != 0) {
                return "'ip -V' failed (exit " + v.exit() + "): " + v.err().strip();
            }
        } catch (UncheckedIOException e) {
            return "the 'ip' command (iproute2) cannot be run: " + e.getCause().getMessage();
        }
        String probe = "ssit" + hex4() + "-probe";
        Result add = call(List.of("ip", "netns", "add", probe), Map.of()).finish(COMMAND_TIMEOUT);
        if (add.exit() != 0) {
            return "'ip netns add' failed (exit " + add.exit() + "): " + add.err().strip();
        }
        Result del = call(List.of("ip", "netns", "del", probe), Map.of()).finish(COMMAND_TIMEOUT);
        if (del.exit() != 0) {
            throw new IllegalStateException("made namespace " + probe + " but cannot delete it: " + del.err());
        }
        return null;
    }

    private static long effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.US_ASCII)) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).strip().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    private static String hex4() {
        return HexFormat.of().toHexDigits((short) RANDOM.nextInt(1 << 16));
    }

    /**
     * Builds the bridge namespace and {@code hosts} host namespaces (1..hosts).
     *
     * @throws IOException naming the command that failed; whatever was made is deleted again
     */
    static Netns create(int hosts) throws IOException {
        if (hosts < 1 || hosts > 99) {
            throw new IllegalArgumentException("hosts: " + hosts + " is not in 1..99");
        }
        String prefix;
        do {
            prefix = "ssit" + hex4();
        } while (Files.exists(Path.of("/run/netns", prefix + "-br")));
        Netns n = new Netns(prefix, RANDOM.nextInt(256), hosts);
        try {
            n.build();
        } catch (IOException | RuntimeException | Error e) {
            n.close();
            throw e;
        }
        return n;
    }

    private void build() throws IOException {
        String br = bridgeNamespace();
        addNamespace(br);
        ip("-n", br, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0");
        ip("-n", br, "link", "set", "br0", "up");
        String shown = ip("-d", "-n", br, "link", "show", "br0");
        if (!shown.contains("mcast_snooping 0")) {
            throw new IOException("bridge br0 in " + br + " still snoops multicast: " + shown);
        }
        for (int i = 1; i <= hosts; i++) {
            String ns = namespace(i);
            String port = prefix + "v" + i;
            addNamespace(ns);
            ip("-n", br, "link", "add", port, "type", "veth", "peer", "name", "eth0", "netns", ns);
            ip("-n", br, "link", "set", port, "master", "br0");
            ip("-n", br, "link", "set", port, "up");
            ip("-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
            ip("-n", ns, "link", "set", "eth0", "up");
            ip("-n", ns, "link", "set", "lo", "up");
            ip("-n", ns, "route", "add", "224.0.0.0/4", "dev", "eth0");
        }
    }

    private void addNamespace(String name) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            ip("netns", "add", name);
            namespaces.add(name);
        }
    }

    private String ip(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("ip");
        Collections.addAll(cmd, args);
        Result r = call(cmd, Map.of()).finish(COMMAND_TIMEOUT);
        if (r.exit() != 0) {
            throw new IOException("'" + String.join(" ", cmd) + "' failed (exit " + r.exit() + "): " + r.err().strip());
        }
        return r.out();
    }

    /** @return the run's unique prefix, {@code ssit} and 4 hex digits */
    String prefix() {
        return prefix;
    }

    /** @return the namespace holding the bridge */
    String bridgeNamespace() {
        return prefix + "-br";
    }

    /** @return the namespace of host {@code i} (1-based) */
    String namespace(int i) {
        if (i < 1 || i > hosts) {
            throw new IllegalArgumentException("host " + i + " is not in 1.." + hosts);
        }
        return prefix + "-n" + i;
    }

    /** @return the IPv4 address of host {@code i}'s eth0 */
    String address(int i) {
        namespace(i);
        return "10.213." + subnet + "." + i;
    }

    /**
     * Cuts or restores host {@code i}'s link: sets its veth's bridge end down or up (inside the bridge namespace).
     * Down, the host's eth0 loses its carrier and nothing passes either way; its address and routes stay, so up
     * again restores the network as it was.
     *
     * @throws IOException naming the command if it fails
     */
    void link(int i, boolean up) throws IOException {
        namespace(i);
        ip("-n", bridgeNamespace(), "link", "set", prefix + "v" + i, up ? "up" : "down");
    }

    /** @return the command line that runs {@code cmd} inside host {@code i}'s namespace */
    List<String> in(int i, List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", namespace(i)));
        out.addAll(cmd);
        return out;
    }

    /**
     * Starts a long-running process inside host {@code i}'s namespace, stdout and stderr to {@code log}, with
     * the variables of {@code env} set (a null value removes the variable). With
     * {@code setpriv} available it is started through {@code setpriv --pdeathsig TERM}, which, like
     * {@code ip netns exec}, execs: the returned process is {@code cmd} itself, so signals reach it directly.
     * Stopped by {@link #close()} if still running.
     */
    Process spawn(int i, List<String> cmd, Map<String, String> env, Path log) throws IOException {
        List<String> full = new ArrayList<>();
        if (Pdeathsig.AVAILABLE) {
            full.addAll(List.of("setpriv", "--pdeathsig", "TERM"));
        }
        full.addAll(cmd);
        ProcessBuilder pb = new ProcessBuilder(in(i, full)).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        applyEnv(pb, env);
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            Process p = pb.start();
            processes.add(p);
            return p;
        }
    }

    /** Starts a short command (in the root namespace unless {@code cmd} enters one, see {@link #in}). */
    Call run(List<String> cmd, Map<String, String> env) {
        Call c;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("closed");
            }
            c = call(cmd, env);
            processes.add(c.process);
        }
        c.onFinish = this::forget;
        return c;
    }

    private synchronized void forget(Process p) {
        processes.remove(p);
    }

    /** Stops every process, deletes every namespace. Idempotent. */
    @Override
    public void close() {
        close(false);
    }

    private void close(boolean fromHook) {
        List<Process> toStop;
        List<String> toDelete;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            toStop = new ArrayList<>(processes);
            toDelete = new ArrayList<>(namespaces);
            Collections.reverse(toDelete);
        }
        stop(toStop, STOP_TIMEOUT);
        for (String ns : toDelete) {
            Result r = call(List.of("ip", "netns", "del", ns), Map.of()).finish(COMMAND_TIMEOUT);
            if (r.exit() != 0) {
                System.err.println("Netns: cannot delete namespace " + ns + ": " + r.err().strip());
            }
        }
        if (!fromHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is shutting down; the hook finds the work done
            }
        }
    }

    /** SIGTERM to all that are alive, then waits up to {@code timeout}; SIGKILL to any left, and waits for them. */
    static void stop(List<Process> ps, Duration timeout) {
        for (Process p : ps) {
            if (p.isAlive()) {
                p.destroy(); // SIGTERM on Linux
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Process p : ps) {
            try {
                if (!p.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    System.err.println("Netns: process " + p.pid() + " ignored SIGTERM for " + timeout + "; killing it");
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Sets each variable of {@code env} on the process; a null value removes the variable. */
    private static void applyEnv(ProcessBuilder pb, Map<String, String> env) {
        env.forEach((k, v) -> {
            if (v == null) {
                pb.environment().remove(k);
            } else {
                pb.environment().put(k, v);
            }
        });
    }

    /** Starts {@code cmd} with its output going to temporary files, so no pipe can fill and block it. */
    private static Call call(List<String> cmd, Map<String, String> env) {
        try {
            Path out = Files.createTempFile("ssit-call", ".out");
            Path err = Files.createTempFile("ssit-call", ".err");
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
            applyEnv(pb, env);
            try {
                return new Call(cmd, pb.start(), out, err);
            } catch (IOException e) {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                throw e;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd + ": " + e.getMessage(), e);
        }
    }

    /** How a finished command ended. */
    record Result(List<String> command, int exit, String out, String err) {
        @Override
        public String toString() {
            return "`" + String.join(" ", command) + "` exit " + exit + (err.isBlank() ? "" : ", stderr: " + err.strip());
        }
    }

    /** A started short command; {@link #finish} waits for it (killing it after the timeout) and reads its output. */
    static final class Call {
        private final List<String> command;
        private final Process process;
        private final Path out;
        private final Path err;
        /** Told of the process once it has ended; set before {@link #finish} may run. */
        private volatile Consumer<Process> onFinish = p -> { };

        private Call(List<String> command, Process process, Path out, Path err) {
            this.command = List.copyOf(command);
            this.process = process;
            this.out = out;
            this.err = err;
        }

        Result finish(Duration timeout) {
            try {
                boolean done;
                try {
                    done = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    done = false;
                }
                if (!done) {
                    process.destroyForcibly();
                    try {
                        process.waitFor(5, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return new Result(command, -1, read(out), "timed out after " + timeout + "; " + read(err));
                }
                return new Result(command, process.exitValue(), read(out), read(err));
            } finally {
                if (!process.isAlive()) {
                    onFinish.accept(process);
                }
                try {
                    Files.deleteIfExists(out);
                    Files.deleteIfExists(err);
                } catch (IOException e) {
                    System.err.println("Netns: cannot delete " + out + " or " + err + ": " + e.getMessage());
                }
            }
        }

        private static String read(Path p) {
            try {
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "(cannot read " + p + ": " + e.getMessage() + ")";
            }
        }
    }

    /** Whether {@code setpriv --pdeathsig} can be used (util-linux 2.33+). */
    private static final class Pdeathsig {
        static final boolean AVAILABLE = probe();

        private static boolean probe() {
            try {
                Result r = call(List.of("setpriv", "--help"), Map.of()).finish(COMMAND_TIMEOUT);
                return r.exit() == 0 && r.out().contains("--pdeathsig");
            } catch (UncheckedIOException e) {
                return false;
            }
        }
    }
}
