package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionFactory;

/**
 * Real {@code scalesmall node} processes on a {@link Netns} test network, and the ways a test reaches them: each
 * node in group {@value #GROUP} on {@code 10.213.X.i:}{@value #GOSSIP_PORT}, its admin endpoint on port
 * {@value #HTTP_PORT} of the same address, queried from inside its namespace, by the {@code scalesmall} client
 * commands (a JVM each) or, for cheap polling, by a plain HTTP/1.0 GET written by bash to {@code /dev/tcp}.
 * Nothing in the root namespace talks to the test network.
 *
 * <p>The nodes and client commands run through a private copy of the {@code ./scalesmall} launcher next to a
 * copy of the packaged jar ({@code scalesmall.jar} system property, set by failsafe): the copy's directory holds
 * no sources, so the launcher never decides to rebuild (the real tree's sources may be edited during a run), and
 * a concurrent {@code mvn package} cannot swap the jar under running JVMs.
 *
 * <p>{@link #close()} stops every process and deletes the namespaces, and the work directory (node logs and
 * data) unless {@link #markFailed()} was called, in which case it is kept and its path printed. Not thread-safe:
 * one test thread uses it.
 */
final class NetnsNodes implements AutoCloseable {
    static final String GROUP = "it";
    static final int HTTP_PORT = 29980;
    static final int GOSSIP_PORT = 29999;
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);

    private final String name;
    private final Netns net;
    private final Path work;
    private final Path launcher;
    /** Deletes {@link #work} if the JVM exits before {@link #close()} (Netns has its own hook). */
    private final Thread workHook;
    /** Set by {@link #markFailed()}; shared with {@link #workHook}. */
    private final AtomicBoolean failed;

    /** A running node: its host (namespace index), gossip id, process (the JVM itself) and log. */
    record NodeProc(int host, String id, Process process, Path log) {
    }

    private NetnsNodes(String name, Netns net, Path work, Path launcher, Thread workHook, AtomicBoolean failed) {
        this.name = name;
        this.net = net;
        this.work = work;
        this.launcher = launcher;
        this.workHook = workHook;
        this.failed = failed;
    }

    /**
     * Copies the launcher and jar to a fresh work directory and builds a network of {@code hosts} namespaces.
     * The caller has checked {@link Netns#whyUnavailable()}.
     *
     * @param name the test's name, first in printed lines
     */
    static NetnsNodes create(String name, int hosts) throws IOException {
        Path root = Path.of(System.getProperty("scalesmall.root", "..")).toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("scalesmall.jar", root.resolve("cli/target/scalesmall.jar").toString()));
        assertThat(jar).as("the packaged CLI jar (run 'mvn package' first)").isRegularFile();
        assertThat(root.resolve("scalesmall")).as("the launcher").isExecutable();

        Path work = Files.createTempDirectory("ssit");
        AtomicBoolean failed = new AtomicBoolean();
        Thread hook = new Thread(() -> {
            if (failed.get()) {
                return;
            }
            try {
                deleteTree(work);
            } catch (IOException e) {
                System.err.println(name + ": cannot delete " + work + ": " + e.getMessage());
            }
        }, "ssit-work-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
        Path launch = work.resolve("launch");
        Files.createDirectories(launch.resolve("cli/target"));
        Path launcher = launch.resolve("scalesmall");
        Files.copy(root.resolve("scalesmall"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(jar, launch.resolve("cli/target/scalesmall.jar"));

        Netns net;
        try {
            net = Netns.create(hosts);
        } catch (IOException | RuntimeException e) {
            deleteTree(work);
            Runtime.getRuntime().removeShutdownHook(hook);
            throw e;
        }
        System.out.println(name + ": namespaces " + net.prefix() + "-*, hosts " + net.address(1) + ".."
                + net.address(hosts) + ", work dir " + work);
        return new NetnsNodes(name, net, work, launcher, hook, failed);
    }

    /** @return the network */
    Netns net() {
        return net;
    }

    /** Keeps the work directory (logs, data) at {@link #close()} for a failure's diagnosis. */
    void markFailed() {
        failed.set(true);
    }

    @Override
    public void close() throws IOException {
        net.close();
        if (failed.get()) {
            deleteTree(work.resolve("launch"));
            System.out.println(name + ": keeping " + work + " (node logs and data) for the failure");
        } else {
            deleteTree(work);
        }
        try {
            Runtime.getRuntime().removeShutdownHook(workHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down
        }
    }

    // ---- nodes --------------------------------------------------------------------------------------------

    /**
     * Starts {@code scalesmall node} on {@code host} in group {@value #GROUP} with cluster label {@code label},
     * its data in {@code WORK/RUN-data/nHOST} (the same directory on a restart with the same run) and its output
     * appended to {@code WORK/RUN-nHOST.log}. Placement is off ({@code --placement off}): the node places no data
     * and writes no claims, so the group's topology holds only what a test writes (with placement on, the node's
     * placement driver tombstones any item of its own that is not one of its claims, such as one written through
     * {@code add-item}). For a node that places data use {@link #startNode(int, String, String, List, Map)}.
     */
    NodeProc startNode(int host, String label, String run) throws IOException {
        return startNode(host, label, run, List.of("--placement", "off"), Map.of());
    }

    /**
     * As {@link #startNode(int, String, String)}, with {@code extraFlags} appended to the node's command line and
     * {@code extraEnv} added to its environment (e.g. {@code SCALESMALL_LOG_LEVEL}).
     */
    NodeProc startNode(int host, String label, String run, List<String> extraFlags, Map<String, String> extraEnv)
            throws IOException {
        String addr = net.address(host);
        Path log = work.resolve(run + "-n" + host + ".log");
        if (Files.exists(log)) { // a restart: keep the first life's output
            Files.move(log, work.resolve(run + "-n" + host + "-" + System.nanoTime() + ".log"));
        }
        List<String> cmd = new ArrayList<>(List.of(launcher.toString(), "node", "--bind", addr, "--group", GROUP,
                "--http", addr + ":" + HTTP_PORT, "--data-dir", work.resolve(run + "-data/n" + host).toString(),
                "--label", label));
        cmd.addAll(extraFlags);
        Map<String, String> env = env();
        env.putAll(extraEnv);
        Process p = net.spawn(host, cmd, env, log);
        return new NodeProc(host, id(host), p, log);
    }

    /**
     * {@code kill -9}: SIGKILL to the node's JVM ({@link Process#destroyForcibly()} on Linux); waits up to 10 s for
     * it to die and asserts it died of the signal (exit 137).
     */
    static void kill9(NodeProc node) throws InterruptedException {
        node.process().destroyForcibly();
        assertThat(node.process().waitFor(10, TimeUnit.SECONDS)).as("node %d dies of SIGKILL", node.host()).isTrue();
        assertThat(node.process().exitValue()).as("node %d's exit after SIGKILL", node.host()).isEqualTo(137);
    }

    /** @return a path in the work directory (kept with the logs on a failure) */
    Path workFile(String name) {
        return work.resolve(name);
    }

    /**
     * Starts {@code java -cp JAR:CLASSES MAIN ARGS} on {@code host}: a program of the test sources (a class with a
     * {@code main}, using only what the packaged jar holds) run inside a namespace, where the test JVM cannot
     * reach. Its class files (and its nested classes') are copied next to the jar copy first, so a rebuild of the
     * test classes during the run does not change it. Output goes to {@code WORK/LOGNAME}.
     */
    Process spawnProgram(int host, Class<?> main, List<String> args, String logName) throws IOException {
        Path classes = work.resolve("launch/classes");
        Path source = Path.of(URI.create(main.getProtectionDomain().getCodeSource().getLocation().toString()));
        String pkg = main.getPackageName().replace('.', '/');
        Path into = classes.resolve(pkg);
        Files.createDirectories(into);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(source.resolve(pkg), main.getSimpleName() + "*.class")) {
            for (Path f : ds) {
                Files.copy(f, into.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
                launcher.resolveSibling("cli/target/scalesmall.jar") + ":" + classes, main.getName()));
        cmd.addAll(args);
        return net.spawn(host, cmd, env(), work.resolve(logName));
    }

    /** SIGTERM to every node still running, SIGKILL after 15 s. */
    void stop(List<NodeProc> nodes) {
        Netns.stop(nodes.stream().map(NodeProc::process).toList(), Duration.ofSeconds(15));
    }

    /** The environment of every process: no SCALESMALL_* settings of the caller, this JVM's java first on PATH. */
    static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        System.getenv().keySet().stream().filter(k -> k.startsWith("SCALESMALL_")).forEach(k -> env.put(k, null));
        env.put("SCALESMALL_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv().getOrDefault("PATH",
                "/usr/bin:/bin"));
        return env;
    }

    /** @return host {@code host}'s node id, {@code ip:port} */
    String id(int host) {
        return net.address(host) + ":" + GOSSIP_PORT;
    }

    /** @return the ids of {@code hosts}, sorted */
    Set<String> ids(List<Integer> hosts) {
        Set<String> out = new TreeSet<>();
        hosts.forEach(h -> out.add(id(h)));
        return out;
    }

    /** @return first..last, inclusive */
    static List<Integer> hosts(int first, int last) {
        return IntStream.rangeClosed(first, last).boxed().toList();
    }

    // ---- waiting --------------------------------------------------------------------------------------------

    /** @return an Awaitility condition polled every 500 ms on the test thread, for at most {@code atMost} */
    static ConditionFactory poll(String what, Duration atMost) {
        return await(what).atMost(atMost).pollInterval(Duration.ofMillis(500)).pollInSameThread();
    }

    /** Waits until each of {@code hosts} lists exactly {@code expected} as the members (that count) of the group. */
    void awaitMembers(List<Integer> hosts, Set<String> expected, Duration atMost) {
        poll("nodes " + hosts + " list members " + expected, atMost).untilAsserted(() -> {
            for (int h : hosts) {
                String body = http(h, membersPath());
                assertThat(body).as("node %d answers GET %s", h, membersPath()).isNotNull();
                assertThat(memberIds(JSON.readTree(body))).as("members on node %d", h).isEqualTo(expected);
            }
        });
    }

    // ---- queries --------------------------------------------------------------------------------------------

    static String membersPath() {
        return "/v1/groups/" + GROUP + "/members";
    }

    static String topologyPath() {
        return "/v1/groups/" + GROUP + "/topology";
    }

    /**
     * GET {@code path} from host {@code h}'s node, from inside its namespace, by bash alone (HTTP/1.0, so the
     * server closes after the answer).
     *
     * @return the body of a 200 answer, or null (not listening yet, another status, timeout)
     */
    String http(int h, String path) {
        String script = "exec 3<>\"/dev/tcp/$1/$2\" || exit 7; printf 'GET %s HTTP/1.0\\r\\nHost: %s\\r\\n\\r\\n' \"$3\" \"$1\" >&3;"
                + " cat <&3";
        Netns.Result r = net.run(net.in(h, List.of("timeout", "10", "bash", "-c", script, "http-get", net.address(h),
                Integer.toString(HTTP_PORT), path)), Map.of()).finish(Duration.ofSeconds(15));
        if (r.exit() != 0) {
            return null;
        }
        String s = r.out();
        int split = s.indexOf("\r\n\r\n");
        if (split < 0 || !s.startsWith("HTTP/1.1 200 ") && !s.startsWith("HTTP/1.0 200 ")) {
            return null;
        }
        return s.substring(split + 4);
    }

    static String ringPath() {
        return "/v1/groups/" + GROUP + "/ring";
    }

    /** @return host {@code h}'s {@code GET /v1/groups/it/ring} as JSON, or null if it does not answer */
    JsonNode ring(int h) {
        String body = http(h, ringPath());
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("node " + h + ": not JSON: " + body, e);
        }
    }

    /** @return host {@code h}'s {@code /metrics} text, or null */
    String metrics(int h) {
        return http(h, "/metrics");
    }

    /** @return host {@code h}'s {@code GET /v1/groups/it/members} as JSON, or null if it does not answer */
    JsonNode members(int h) {
        String body = http(h, membersPath());
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("node " + h + ": not JSON: " + body, e);
        }
    }

    /** Runs {@code scalesmall ARGS --node http://ADDR:PORT --json} on host {@code h}; asserts exit 0. */
    JsonNode cliJson(int h, String... args) {
        return cliEach(List.of(h), args).get(h);
    }

    /** Runs the client command with {@code --json} on each of {@code hosts} against its own node, all at once. */
    Map<Integer, JsonNode> cliEach(List<Integer> hosts, String... args) {
        Map<Integer, JsonNode> out = new TreeMap<>();
        List<String> json = new ArrayList<>(List.of(args));
        json.add("--json");
        cliText(hosts, json.toArray(String[]::new)).forEach((h, text) -> {
            try {
                out.put(h, JSON.readTree(text));
            } catch (IOException e) {
                throw new UncheckedIOException("on node " + h + ": not JSON: " + text, e);
            }
        });
        return out;
    }

    /** Runs {@code scalesmall ARGS --node URL} on each of {@code hosts}, all at once; asserts exit 0; its stdout. */
    Map<Integer, String> cliText(List<Integer> hosts, String... args) {
        Map<Integer, Netns.Call> calls = new LinkedHashMap<>();
        for (int h : hosts) {
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            cmd.addAll(List.of(args));
            cmd.addAll(List.of("--node", "http://" + net.address(h) + ":" + HTTP_PORT));
            calls.put(h, net.run(net.in(h, cmd), env()));
        }
        Map<Integer, String> out = new TreeMap<>();
        calls.forEach((h, c) -> {
            Netns.Result r = c.finish(CLI_TIMEOUT);
            assertThat(r.exit()).as("on node %d: %s", h, r).isZero();
            out.put(h, r.out());
        });
        return out;
    }

    /** @return the ids in a members answer's {@code members} list (those that count) */
    static Set<String> memberIds(JsonNode members) {
        return ids(members.path("members"));
    }

    /** @return the ids of a list of {@code {"id", ...}} objects */
    static Set<String> ids(JsonNode list) {
        Set<String> out = new TreeSet<>();
        list.forEach(m -> out.add(m.path("id").asText()));
        return out;
    }

    // ---- diagnostics ----------------------------------------------------------------------------------------

    /** Prints the last 40 lines of each node's log. */
    static void printLogs(List<NodeProc> nodes) {
        for (NodeProc n : nodes) {
            System.out.println("---- node " + n.host() + " (" + n.id() + ", pid " + n.process().pid() + ", "
                    + (n.process().isAlive() ? "running" : "exited " + n.process().exitValue()) + "): tail of "
                    + n.log() + " ----");
            System.out.println(tail(n.log(), 40));
        }
    }

    /** @return the last {@code lines} lines of {@code log} */
    static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e.getMessage() + ")";
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
