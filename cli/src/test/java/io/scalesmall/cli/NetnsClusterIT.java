package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real processes on a real (virtual) network: five {@code scalesmall node} processes, each alone in a Linux
 * network namespace, linked by a bridge that floods multicast ({@link Netns}). The nodes get no seeds: they find
 * each other by UDP multicast on the default group. Every query goes through a node's admin HTTP endpoint from
 * inside its namespace: the {@code scalesmall} client commands (a JVM each, so used for the assertions) and, for
 * cheap polling and {@code /metrics}, a plain HTTP/1.0 GET written by bash to {@code /dev/tcp}. Nothing in the
 * root namespace talks to the test network.
 *
 * <p>The nodes and client commands run through a private copy of the {@code ./scalesmall} launcher next to a
 * copy of the packaged jar ({@code scalesmall.jar} system property, set by failsafe): the copy's directory holds
 * no sources, so the launcher never decides to rebuild (the real tree's sources may be edited during a run), and
 * a concurrent {@code mvn package} cannot swap the jar under running JVMs.
 *
 * <p>Skipped, with the reason, where network namespaces cannot be made (not Linux, not root, no {@code ip},
 * {@code ip netns add} fails). Everything made is removed in {@link #tearDown()} and by a shutdown hook.
 */
class NetnsClusterIT {
    private static final String GROUP = "it";
    private static final int HOSTS = 5;
    private static final int HTTP_PORT = 29980;
    private static final int GOSSIP_PORT = 29999;
    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern AUTH_FAILED = Pattern.compile(
            "^scalesmall_decode_errors_total\\{[^}]*reason=\"AUTHENTICATION_FAILED\"[^}]*\\}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern ANTI_ENTROPY = Pattern.compile(
            "^scalesmall_core_anti_entropy_rounds_total(?:\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE);

    private static Netns net;
    private static Path work;
    private static Path launcher;
    private static volatile boolean failed;
    /** Deletes {@link #work} if the JVM exits before {@link #tearDown()} (Netns has its own hook). */
    private static Thread workHook;

    /** A running node: its host (namespace index), gossip id, process (the JVM itself) and log. */
    private record NodeProc(int host, String id, Process process, Path log) {
    }

    @BeforeAll
    static void setUp() throws IOException {
        String why = Netns.whyUnavailable();
        assumeTrue(why == null, () -> "NetnsClusterIT skipped, network namespaces cannot be made here: " + why);

        Path root = Path.of(System.getProperty("scalesmall.root", "..")).toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("scalesmall.jar", root.resolve("cli/target/scalesmall.jar").toString()));
        assertThat(jar).as("the packaged CLI jar (run 'mvn package' first)").isRegularFile();
        assertThat(root.resolve("scalesmall")).as("the launcher").isExecutable();

        work = Files.createTempDirectory("ssit");
        Path dir = work;
        workHook = new Thread(() -> {
            if (!failed) {
                try {
                    deleteTree(dir);
                } catch (IOException e) {
                    System.err.println("NetnsClusterIT: cannot delete " + dir + ": " + e.getMessage());
                }
            }
        }, "ssit-work-cleanup");
        Runtime.getRuntime().addShutdownHook(workHook);
        Path launch = work.resolve("launch");
        Files.createDirectories(launch.resolve("cli/target"));
        launcher = launch.resolve("scalesmall");
        Files.copy(root.resolve("scalesmall"), launcher, StandardCopyOption.COPY_ATTRIBUTES);
        Files.copy(jar, launch.resolve("cli/target/scalesmall.jar"));

        net = Netns.create(HOSTS);
        System.out.println("NetnsClusterIT: namespaces " + net.prefix() + "-*, hosts " + net.address(1) + ".."
                + net.address(HOSTS) + ", work dir " + work);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (net != null) {
            net.close();
            net = null;
        }
        if (work != null) {
            if (failed) {
                deleteTree(work.resolve("launch"));
                System.out.println("NetnsClusterIT: keeping " + work + " (node logs and data) for the failure");
            } else {
                deleteTree(work);
            }
            work = null;
        }
        if (workHook != null) {
            Runtime.getRuntime().removeShutdownHook(workHook);
            workHook = null;
        }
    }

    /**
     * Five nodes find each other by multicast alone, agree on members and topology, spread an item written on
     * one of them, and see a SIGTERMed node leave.
     */
    @Test
    void fiveNodesDiscoverAgreeSpreadAndSeeALeave() throws Exception {
        String label = net.prefix() + "-one";
        List<Integer> all = hosts(1, 5);
        List<NodeProc> nodes = new ArrayList<>();
        try {
            for (int h : all) {
                nodes.add(startNode(h, label, "one"));
            }
            Set<String> everyone = ids(all);

            awaitMembers(all, everyone, Duration.ofSeconds(60));
            cliMembers(all).forEach((h, m) -> assertThat(m).as("`members %s` on node %d", GROUP, h).isEqualTo(everyone));

            awaitSameDigest(all);
            assertThat(new TreeSet<>(cliDigests(all).values())).as("digests by `topology %s` on nodes 1..5", GROUP)
                    .hasSize(1);

            JsonNode added = cliJson(1, "add-item", GROUP, "--start", "0", "--end", "999", "--port", "7000");
            assertThat(added.path("member").asText()).isEqualTo(id(1));
            assertThat(added.path("op").asText()).isEqualTo("ADD");
            await("the item written on node 1 on all 5 nodes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int h : all) {
                    assertThat(hasItem(http(h, topologyPath()), id(1), 0, 999, 7000))
                            .as("node %d holds %s ADD 0..999 port 7000", h, id(1)).isTrue();
                }
            });
            awaitSameDigest(all);
            Map<Integer, JsonNode> topologies = cliEach(all, "topology", GROUP);
            topologies.forEach((h, t) -> assertThat(hasItem(t, id(1), 0, 999, 7000))
                    .as("`topology %s` on node %d lists the item: %s", GROUP, h, t).isTrue());
            assertThat(new TreeSet<>(topologies.values().stream().map(t -> t.path("digest").asText()).toList()))
                    .as("digests by `topology %s` after add-item", GROUP).hasSize(1);

            NodeProc fifth = nodes.get(4);
            long pid = fifth.process().pid();
            assertThat(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip())
                    .as("process %d (started as `ip netns exec ... scalesmall node`) is the node's JVM", pid)
                    .isEqualTo("java");
            Netns.Result kill = net.run(List.of("kill", "-TERM", Long.toString(pid)), Map.of()).finish(Duration.ofSeconds(10));
            assertThat(kill.exit()).as("%s", kill).isZero();
            assertThat(fifth.process().waitFor(30, TimeUnit.SECONDS)).as("node 5 exits within 30 s of SIGTERM").isTrue();
            int exit = fifth.process().exitValue();

            List<Integer> rest = hosts(1, 4);
            awaitMembers(rest, ids(rest), Duration.ofSeconds(30));
            cliMembers(rest).forEach((h, m) -> assertThat(m).as("`members %s` on node %d after node 5 left", GROUP, h)
                    .isEqualTo(ids(rest)));
            awaitSameDigest(rest);

            assertThat(exit).as("exit code of node 5 after SIGTERM (143 = 128 + SIGTERM: killed by the signal "
                    + "instead of exiting normally); log:%n%s", tail(fifth.log(), 20)).isZero();
        } catch (Throwable t) {
            failed = true;
            printLogs(nodes);
            throw t;
        } finally {
            stop(nodes);
        }
    }

    /**
     * Two clusters with different labels on the same multicast group and port stay apart: each lists only its
     * own members through many anti-entropy rounds, and each node counts the other cluster's frames as
     * AUTHENTICATION_FAILED.
     */
    @Test
    void clustersWithDifferentLabelsNeverMix() throws Exception {
        List<Integer> a = hosts(1, 3);
        List<Integer> b = hosts(4, 5);
        List<Integer> all = hosts(1, 5);
        Set<String> idsA = ids(a);
        Set<String> idsB = ids(b);
        List<NodeProc> nodes = new ArrayList<>();
        try {
            // A first, then B: A's nodes are up when B's joins are multicast, and B's when A writes an item, so
            // every node receives frames of the other cluster while it runs.
            for (int h : a) {
                nodes.add(startNode(h, net.prefix() + "-A", "two"));
            }
            awaitMembers(a, idsA, Duration.ofSeconds(60));
            for (int h : b) {
                nodes.add(startNode(h, net.prefix() + "-B", "two"));
            }
            awaitMembers(b, idsB, Duration.ofSeconds(60));

            assertThat(cliJson(1, "add-item", GROUP, "--start", "0", "--end", "99", "--port", "7100")
                    .path("op").asText()).isEqualTo("ADD");
            assertThat(cliJson(4, "add-item", GROUP, "--start", "100", "--end", "199", "--port", "7200")
                    .path("op").asText()).isEqualTo("ADD");
            await("each cluster's item on its own nodes").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                for (int h : a) {
                    assertThat(hasItem(http(h, topologyPath()), id(1), 0, 99, 7100)).as("node %d has A's item", h).isTrue();
                }
                for (int h : b) {
                    assertThat(hasItem(http(h, topologyPath()), id(4), 100, 199, 7200)).as("node %d has B's item", h).isTrue();
                }
            });

            Map<Integer, Double> roundsBefore = new TreeMap<>();
            for (int h : all) {
                roundsBefore.put(h, metric(metrics(h), ANTI_ENTROPY));
            }
            List<String> violations = new ArrayList<>();
            int[] observations = {0};
            long start = System.nanoTime();
            long window = Duration.ofSeconds(10).toNanos();
            poll("10 s of observing both clusters", Duration.ofSeconds(60)).until(() -> {
                long t = (System.nanoTime() - start) / 1_000_000;
                for (int h : all) {
                    Set<String> own = a.contains(h) ? idsA : idsB;
                    String members = http(h, membersPath());
                    String topology = http(h, topologyPath());
                    Set<String> m = members == null ? null : memberIds(JSON.readTree(members));
                    Set<String> writers = topology == null ? null : itemMembers(JSON.readTree(topology));
                    if (m == null || !m.equals(own)) {
                        violations.add("t+" + t + " ms: node " + h + " lists members " + m + ", expected " + own);
                    }
                    if (writers == null || !own.containsAll(writers)) {
                        violations.add("t+" + t + " ms: node " + h + " holds items of " + writers + ", expected only " + own);
                    }
                }
                observations[0]++;
                return System.nanoTime() - start >= window;
            });
            assertThat(violations).as("what the nodes showed in %d observations over 10 s", observations[0]).isEmpty();
            assertThat(observations[0]).as("observations in 10 s").isGreaterThanOrEqualTo(3);

            cliMembers(all).forEach((h, m) -> assertThat(m).as("`members %s` on node %d", GROUP, h)
                    .isEqualTo(a.contains(h) ? idsA : idsB));
            for (int h : all) {
                String text = metrics(h);
                assertThat(text).as("/metrics of node %d", h).isNotNull();
                assertThat(metric(text, ANTI_ENTROPY) - roundsBefore.get(h))
                        .as("anti-entropy rounds of node %d during the 10 s", h).isGreaterThanOrEqualTo(5.0);
                assertThat(metric(text, AUTH_FAILED))
                        .as("scalesmall_decode_errors_total{reason=\"AUTHENTICATION_FAILED\"} of node %d", h)
                        .isGreaterThan(0.0);
            }
        } catch (Throwable t) {
            failed = true;
            printLogs(nodes);
            throw t;
        } finally {
            stop(nodes);
        }
    }

    // ---- nodes --------------------------------------------------------------------------------------------

    private static NodeProc startNode(int host, String label, String run) throws IOException {
        String addr = net.address(host);
        Path log = work.resolve(run + "-n" + host + ".log");
        Process p = net.spawn(host, List.of(launcher.toString(), "node", "--bind", addr, "--group", GROUP,
                "--http", addr + ":" + HTTP_PORT, "--data-dir", work.resolve(run + "-data/n" + host).toString(),
                "--label", label), env(), log);
        return new NodeProc(host, id(host), p, log);
    }

    /** SIGTERM to every node still running, SIGKILL after 15 s. */
    private static void stop(List<NodeProc> nodes) {
        Netns.stop(nodes.stream().map(NodeProc::process).toList(), Duration.ofSeconds(15));
    }

    /** The environment of every process: no SCALESMALL_* settings of the caller, this JVM's java first on PATH. */
    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        System.getenv().keySet().stream().filter(k -> k.startsWith("SCALESMALL_")).forEach(k -> env.put(k, null));
        env.put("SCALESMALL_JAVA_OPTS", "-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + System.getenv().getOrDefault("PATH",
                "/usr/bin:/bin"));
        return env;
    }

    private static String id(int host) {
        return net.address(host) + ":" + GOSSIP_PORT;
    }

    private static Set<String> ids(List<Integer> hosts) {
        Set<String> out = new TreeSet<>();
        hosts.forEach(h -> out.add(id(h)));
        return out;
    }

    private static List<Integer> hosts(int first, int last) {
        return IntStream.rangeClosed(first, last).boxed().toList();
    }

    // ---- waiting --------------------------------------------------------------------------------------------

    private static ConditionFactory poll(String what, Duration atMost) {
        return await(what).atMost(atMost).pollInterval(Duration.ofMillis(500)).pollInSameThread();
    }

    /** Waits until each of {@code hosts} lists exactly {@code expected} as the members of the group. */
    private static void awaitMembers(List<Integer> hosts, Set<String> expected, Duration atMost) {
        poll("nodes " + hosts + " list members " + expected, atMost).untilAsserted(() -> {
            for (int h : hosts) {
                String body = http(h, membersPath());
                assertThat(body).as("node %d answers GET %s", h, membersPath()).isNotNull();
                assertThat(memberIds(JSON.readTree(body))).as("members on node %d", h).isEqualTo(expected);
            }
        });
    }

    /** Waits until all of {@code hosts} report the same topology digest. */
    private static void awaitSameDigest(List<Integer> hosts) {
        poll("nodes " + hosts + " hold the same topology", Duration.ofSeconds(30)).untilAsserted(() -> {
            Map<Integer, String> digests = new TreeMap<>();
            for (int h : hosts) {
                String body = http(h, topologyPath());
                assertThat(body).as("node %d answers GET %s", h, topologyPath()).isNotNull();
                digests.put(h, JSON.readTree(body).path("digest").asText());
            }
            assertThat(new TreeSet<>(digests.values())).as("digests by node: %s", digests).hasSize(1);
        });
    }

    // ---- queries --------------------------------------------------------------------------------------------

    private static String membersPath() {
        return "/v1/groups/" + GROUP + "/members";
    }

    private static String topologyPath() {
        return "/v1/groups/" + GROUP + "/topology";
    }

    /**
     * GET {@code path} from host {@code h}'s node, from inside its namespace, by bash alone (HTTP/1.0, so the
     * server closes after the answer).
     *
     * @return the body of a 200 answer, or null (not listening yet, another status, timeout)
     */
    private static String http(int h, String path) {
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

    private static String metrics(int h) {
        return http(h, "/metrics");
    }

    /** @return the value of the first sample {@code p} matches, or -1 if none does */
    private static double metric(String text, Pattern p) {
        if (text == null) {
            return -1;
        }
        Matcher m = p.matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /** Runs {@code scalesmall ARGS --node http://ADDR:PORT --json} on host {@code h}; asserts exit 0. */
    private static JsonNode cliJson(int h, String... args) {
        return cliEach(List.of(h), args).get(h);
    }

    /** Runs the client command on each of {@code hosts} against its own node, all at once; asserts exit 0. */
    private static Map<Integer, JsonNode> cliEach(List<Integer> hosts, String... args) {
        Map<Integer, Netns.Call> calls = new LinkedHashMap<>();
        for (int h : hosts) {
            List<String> cmd = new ArrayList<>();
            cmd.add(launcher.toString());
            cmd.addAll(List.of(args));
            cmd.addAll(List.of("--node", "http://" + net.address(h) + ":" + HTTP_PORT, "--json"));
            calls.put(h, net.run(net.in(h, cmd), env()));
        }
        Map<Integer, JsonNode> out = new TreeMap<>();
        calls.forEach((h, c) -> {
            Netns.Result r = c.finish(CLI_TIMEOUT);
            assertThat(r.exit()).as("on node %d: %s", h, r).isZero();
            try {
                out.put(h, JSON.readTree(r.out()));
            } catch (IOException e) {
                throw new UncheckedIOException("on node " + h + ": not JSON: " + r.out(), e);
            }
        });
        return out;
    }

    private static Map<Integer, Set<String>> cliMembers(List<Integer> hosts) {
        Map<Integer, Set<String>> out = new TreeMap<>();
        cliEach(hosts, "members", GROUP).forEach((h, j) -> out.put(h, memberIds(j)));
        return out;
    }

    private static Map<Integer, String> cliDigests(List<Integer> hosts) {
        Map<Integer, String> out = new TreeMap<>();
        cliEach(hosts, "topology", GROUP).forEach((h, j) -> out.put(h, j.path("digest").asText()));
        return out;
    }

    private static Set<String> memberIds(JsonNode members) {
        Set<String> out = new TreeSet<>();
        members.path("members").forEach(m -> out.add(m.path("id").asText()));
        return out;
    }

    /** @return the members that wrote the topology's items (tombstones included) */
    private static Set<String> itemMembers(JsonNode topology) {
        Set<String> out = new TreeSet<>();
        topology.path("items").forEach(i -> out.add(i.path("member").asText()));
        return out;
    }

    private static boolean hasItem(String topologyBody, String member, long start, long end, int port) throws IOException {
        return topologyBody != null && hasItem(JSON.readTree(topologyBody), member, start, end, port);
    }

    private static boolean hasItem(JsonNode topology, String member, long start, long end, int port) {
        for (JsonNode i : topology.path("items")) {
            if (i.path("member").asText().equals(member) && i.path("op").asText().equals("ADD")
                    && i.path("start").asLong() == start && i.path("end").asLong() == end
                    && i.path("port").asInt() == port) {
                return true;
            }
        }
        return false;
    }

    // ---- diagnostics ----------------------------------------------------------------------------------------

    private static void printLogs(List<NodeProc> nodes) {
        for (NodeProc n : nodes) {
            System.out.println("---- node " + n.host() + " (" + n.id() + ", pid " + n.process().pid() + ", "
                    + (n.process().isAlive() ? "running" : "exited " + n.process().exitValue()) + "): tail of "
                    + n.log() + " ----");
            System.out.println(tail(n.log(), 40));
        }
    }

    private static String tail(Path log, int lines) {
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
