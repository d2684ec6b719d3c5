package io.scalesmall.cli;

import static io.scalesmall.cli.NetnsNodes.GROUP;
import static io.scalesmall.cli.NetnsNodes.JSON;
import static io.scalesmall.cli.NetnsNodes.hosts;
import static io.scalesmall.cli.NetnsNodes.memberIds;
import static io.scalesmall.cli.NetnsNodes.membersPath;
import static io.scalesmall.cli.NetnsNodes.poll;
import static io.scalesmall.cli.NetnsNodes.printLogs;
import static io.scalesmall.cli.NetnsNodes.tail;
import static io.scalesmall.cli.NetnsNodes.topologyPath;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.cli.NetnsNodes.NodeProc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real processes on a real (virtual) network: five {@code scalesmall node} processes, each alone in a Linux
 * network namespace, linked by a bridge that floods multicast ({@link Netns}, {@link NetnsNodes}). The nodes get
 * no seeds: they find each other by UDP multicast on the default group. Every query goes through a node's admin
 * HTTP endpoint from inside its namespace: the {@code scalesmall} client commands (a JVM each, so used for the
 * assertions) and, for cheap polling and {@code /metrics}, a plain HTTP GET by bash.
 *
 * <p>Skipped, with the reason, where network namespaces cannot be made (not Linux, not root, no {@code ip},
 * {@code ip netns add} fails). Everything made is removed in {@link #tearDown()} and by shutdown hooks.
 */
class NetnsClusterIT {
    private static final int HOSTS = 5;
    private static final Pattern AUTH_FAILED = Pattern.compile(
            "^scalesmall_decode_errors_total\\{[^}]*reason=\"AUTHENTICATION_FAILED\"[^}]*\\}\\s+(\\S+)", Pattern.MULTILINE);
    private static final Pattern ANTI_ENTROPY = Pattern.compile(
            "^scalesmall_core_anti_entropy_rounds_total(?:\\{[^}]*\\})?\\s+(\\S+)", Pattern.MULTILINE);

    private static NetnsNodes cluster;
    private static Netns net;

    @BeforeAll
    static void setUp() throws IOException {
        String why = Netns.whyUnavailable();
        assumeTrue(why == null, () -> "NetnsClusterIT skipped, network namespaces cannot be made here: " + why);
        cluster = NetnsNodes.create("NetnsClusterIT", HOSTS);
        net = cluster.net();
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (cluster != null) {
            cluster.close();
            cluster = null;
            net = null;
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
            cluster.markFailed();
            printLogs(nodes);
            throw t;
        } finally {
            cluster.stop(nodes);
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
            cluster.markFailed();
            printLogs(nodes);
            throw t;
        } finally {
            cluster.stop(nodes);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------------

    private static NodeProc startNode(int host, String label, String run) throws IOException {
        return cluster.startNode(host, label, run);
    }

    private static String id(int host) {
        return cluster.id(host);
    }

    private static Set<String> ids(List<Integer> hosts) {
        return cluster.ids(hosts);
    }

    private static String http(int h, String path) {
        return cluster.http(h, path);
    }

    private static void awaitMembers(List<Integer> hosts, Set<String> expected, Duration atMost) {
        cluster.awaitMembers(hosts, expected, atMost);
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

    private static JsonNode cliJson(int h, String... args) {
        return cluster.cliJson(h, args);
    }

    private static Map<Integer, JsonNode> cliEach(List<Integer> hosts, String... args) {
        return cluster.cliEach(hosts, args);
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
}
