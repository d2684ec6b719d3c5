package io.scalesmall.cli;

import static io.scalesmall.cli.NetnsNodes.hosts;
import static io.scalesmall.cli.NetnsNodes.ids;
import static io.scalesmall.cli.NetnsNodes.memberIds;
import static io.scalesmall.cli.NetnsNodes.poll;
import static io.scalesmall.cli.NetnsNodes.printLogs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.chatter.ChatterConfig;
import io.scalesmall.chatter.swim.SwimConfig;
import io.scalesmall.cli.NetnsNodes.NodeProc;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Failure detection and healing with real processes on a real (virtual) network ({@link Netns},
 * {@link NetnsNodes}): five {@code scalesmall node} processes with the default (LAN) failure-detector settings.
 * A node killed with SIGKILL is DEAD on every survivor within {@link #DETECTION_BOUND} and out of their member
 * lists, and ALIVE everywhere again after a restart with the same address and data dir; a node whose link is cut
 * until the others declare it DEAD, and it them, is ALIVE everywhere again after the link is restored, with no
 * operator action (the re-dial heals it, {@code ChatterConfig#reconnectInterval()}).
 * States are read through each node's admin HTTP API from inside its namespace; timings are printed.
 *
 * <p>Skipped, with the reason, where network namespaces cannot be made.
 */
class NetnsFailureIT {
    private static final int HOSTS = 5;
    private static final SwimConfig SWIM = ChatterConfig.lan().swim();
    /**
     * The documented detection bound for a crash in a group of {@value #HOSTS} (SwimConfig): a survivor probes
     * the crashed member within {@code n - 1} protocol periods (round-robin over a shuffled list), the probe fails
     * at the end of its period, the suspicion times out after at most {@code suspicionMax(n)} (12 s at n = 5;
     * confirmations only shorten it), and the verdict spreads by gossip within a few 200 ms gossip rounds (1 s
     * allowed). With the LAN settings: 2 s + 0.5 s + 12 s + 1 s = 15.5 s.
     */
    static final Duration DETECTION_BOUND = SWIM.protocolPeriod().multipliedBy(HOSTS - 1)
            .plus(SWIM.protocolPeriod()).plus(SWIM.suspicionMax(HOSTS)).plus(Duration.ofSeconds(1));
    /** How long a restarted or reconnected node may take to be ALIVE everywhere again. */
    private static final Duration HEAL_WITHIN = Duration.ofSeconds(90);

    private static NetnsNodes cluster;

    @BeforeAll
    static void setUp() throws IOException {
        String why = Netns.whyUnavailable();
        assumeTrue(why == null, () -> "NetnsFailureIT skipped, network namespaces cannot be made here: " + why);
        cluster = NetnsNodes.create("NetnsFailureIT", HOSTS);
        System.out.println("NetnsFailureIT: detection bound " + DETECTION_BOUND.toMillis() + " ms (period "
                + SWIM.protocolPeriod().toMillis() + " ms, suspicion " + SWIM.suspicionMin(HOSTS).toMillis() + ".."
                + SWIM.suspicionMax(HOSTS).toMillis() + " ms at n = " + HOSTS + ")");
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Test
    void aKilledNodeIsDeadEverywhereThenAliveAgainAfterARestart() throws Exception {
        String label = cluster.net().prefix() + "-kill";
        List<Integer> all = hosts(1, HOSTS);
        List<Integer> survivors = hosts(1, HOSTS - 1);
        String victim = cluster.id(HOSTS);
        List<NodeProc> nodes = new ArrayList<>();
        try {
            for (int h : all) {
                nodes.add(cluster.startNode(h, label, "kill"));
            }
            awaitAllAlive(all, Duration.ofSeconds(90));
            long incarnationBefore = incarnation(cluster.members(1), victim);

            NodeProc fifth = nodes.get(HOSTS - 1);
            long t0 = System.nanoTime();
            Netns.Result kill = cluster.net().run(List.of("kill", "-KILL", Long.toString(fifth.process().pid())),
                    Map.of()).finish(Duration.ofSeconds(10));
            assertThat(kill.exit()).as("%s", kill).isZero();
            assertThat(fifth.process().waitFor(10, TimeUnit.SECONDS)).as("node %d dies of SIGKILL", HOSTS).isTrue();

            awaitDead(survivors, victim, t0, "SIGKILL of node " + HOSTS);
            Map<Integer, String> tables = cluster.cliText(List.of(1), "members", NetnsNodes.GROUP, "--all");
            System.out.println("NetnsFailureIT: `scalesmall members it --all` on node 1 after the kill:\n" + tables.get(1));
            assertThat(tables.get(1)).as("`members --all` shows the STATE column").containsPattern(
                    "(?m)^" + victim.replace(".", "\\.") + "\\s+dead\\s+\\d+$");
            assertThat(cluster.cliText(List.of(2), "members", NetnsNodes.GROUP).get(2))
                    .as("`members` leaves the dead node out").doesNotContain(victim).contains("alive");

            long t1 = System.nanoTime();
            nodes.set(HOSTS - 1, cluster.startNode(HOSTS, label, "kill"));
            Map<Integer, Long> back = awaitAllAlive(all, HEAL_WITHIN);
            System.out.println("NetnsFailureIT: after the restart of node " + HOSTS + ", every node lists all "
                    + HOSTS + " ALIVE within " + ms(System.nanoTime() - t1) + " ms; first seen per node (ms): "
                    + since(back, t1));
            long incarnationAfter = incarnation(cluster.members(1), victim);
            assertThat(incarnationAfter).as("the restart's incarnation, seen by node 1").isGreaterThan(incarnationBefore);
        } catch (Throwable t) {
            cluster.markFailed();
            printLogs(nodes);
            throw t;
        } finally {
            cluster.stop(nodes);
        }
    }

    @Test
    void aCutLinkIsDeclaredDeadAndHealsWithoutAnOperator() throws Exception {
        String label = cluster.net().prefix() + "-cut";
        int cut = 3;
        List<Integer> all = hosts(1, HOSTS);
        List<Integer> others = all.stream().filter(h -> h != cut).toList();
        String victim = cluster.id(cut);
        List<NodeProc> nodes = new ArrayList<>();
        boolean down = false;
        try {
            for (int h : all) {
                nodes.add(cluster.startNode(h, label, "cut"));
            }
            awaitAllAlive(all, Duration.ofSeconds(90));

            long t0 = System.nanoTime();
            cluster.net().link(cut, false);
            down = true;
            awaitDead(others, victim, t0, "the cut of node " + cut + "'s link");
            // Keep it cut until it holds every other node DEAD too: both sides then believe the other dead, the
            // case only re-dialling heals. Its verdicts are slowed by Lifeguard (no acks, no nacks reach it), up
            // to maxLocalHealth + 1 times.
            Duration isolatedBound = DETECTION_BOUND.multipliedBy(SWIM.maxLocalHealth() + 1L);
            Set<String> otherIds = cluster.ids(others);
            poll("node " + cut + " holds " + otherIds + " DEAD", isolatedBound).until(() -> {
                JsonNode m = cluster.members(cut);
                return m != null && ids(m.path("down")).equals(otherIds)
                        && otherIds.stream().allMatch(id -> "dead".equals(stateIn(m.path("down"), id)));
            });
            System.out.println("NetnsFailureIT: node " + cut + " itself holds all " + others.size()
                    + " others DEAD after " + ms(System.nanoTime() - t0) + " ms cut off (bound allowed "
                    + isolatedBound.toMillis() + " ms): " + cluster.members(cut));

            long t1 = System.nanoTime();
            cluster.net().link(cut, true);
            down = false;
            Map<Integer, Long> back = awaitAllAlive(all, HEAL_WITHIN);
            System.out.println("NetnsFailureIT: link of node " + cut + " restored; every node lists all " + HOSTS
                    + " ALIVE within " + ms(System.nanoTime() - t1) + " ms; first seen per node (ms): "
                    + since(back, t1));
        } catch (Throwable t) {
            cluster.markFailed();
            printLogs(nodes);
            throw t;
        } finally {
            if (down) {
                cluster.net().link(cut, true);
            }
            cluster.stop(nodes);
        }
    }

    // ---- waiting --------------------------------------------------------------------------------------------

    /**
     * Waits until every one of {@code hosts} shows {@code victim} DEAD (in {@code down}, not in {@code members})
     * and asserts that each did so within {@link #DETECTION_BOUND} of {@code t0}: the last observation of a node
     * still showing it otherwise must come before the bound (so detection was not late), and the first showing it
     * dead no later than the bound plus 2 s (one round of polling the nodes).
     */
    private static void awaitDead(List<Integer> hosts, String victim, long t0, String cause) {
        Map<Integer, Long> notYet = new TreeMap<>();
        Map<Integer, Long> seen = new TreeMap<>();
        Map<Integer, String> last = new TreeMap<>();
        poll("nodes " + hosts + " hold " + victim + " DEAD", DETECTION_BOUND.plusSeconds(15)).until(() -> {
            for (int h : hosts) {
                if (seen.containsKey(h)) {
                    continue;
                }
                JsonNode m = cluster.members(h);
                long now = System.nanoTime();
                if (m != null && "dead".equals(stateIn(m.path("down"), victim))
                        && !memberIds(m).contains(victim)) {
                    seen.put(h, now);
                } else {
                    notYet.put(h, now);
                    last.put(h, m == null ? "no answer" : m.toString());
                }
            }
            return seen.size() == hosts.size();
        });
        StringBuilder report = new StringBuilder();
        for (int h : hosts) {
            report.append(String.format(" node %d: dead by %d ms (still not at %s ms);", h, ms(seen.get(h) - t0),
                    notYet.containsKey(h) ? Long.toString(ms(notYet.get(h) - t0)) : "-"));
        }
        System.out.println("NetnsFailureIT: after " + cause + ", " + victim + " DEAD (bound " + DETECTION_BOUND.toMillis()
                + " ms):" + report);
        for (int h : hosts) {
            if (notYet.containsKey(h)) {
                assertThat(Duration.ofNanos(notYet.get(h) - t0)).as("node %d still showed %s as %s", h, victim,
                        last.get(h)).isLessThan(DETECTION_BOUND);
            }
            assertThat(Duration.ofNanos(seen.get(h) - t0)).as("node %d: first seen DEAD", h)
                    .isLessThanOrEqualTo(DETECTION_BOUND.plusSeconds(2));
        }
    }

    /**
     * Waits until every one of {@code hosts} lists exactly those hosts as members, each {@code alive}, and none
     * down.
     *
     * @return per host, when it was first seen so (System.nanoTime)
     */
    private static Map<Integer, Long> awaitAllAlive(List<Integer> hosts, Duration atMost) {
        Set<String> everyone = cluster.ids(hosts);
        Map<Integer, Long> seen = new TreeMap<>();
        Map<Integer, String> last = new TreeMap<>();
        try {
            poll("nodes " + hosts + " list " + everyone + " all ALIVE", atMost).until(() -> {
                for (int h : hosts) {
                    JsonNode m = cluster.members(h);
                    if (m != null && memberIds(m).equals(everyone) && ids(m.path("down")).isEmpty()
                            && everyone.stream().allMatch(id -> "alive".equals(stateIn(m.path("members"), id)))) {
                        seen.putIfAbsent(h, System.nanoTime());
                    } else {
                        seen.remove(h);
                        last.put(h, m == null ? "no answer" : m.toString());
                    }
                }
                return seen.size() == hosts.size();
            });
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; last answers of the nodes not there: " + last, e);
        }
        return seen;
    }

    // ---- reading answers ----------------------------------------------------------------------------------------

    /** @return the state of {@code id} in a list of {@code {"id", "state", "incarnation"}}, or null if absent */
    private static String stateIn(JsonNode list, String id) {
        for (JsonNode m : list) {
            if (m.path("id").asText().equals(id)) {
                return m.path("state").asText();
            }
        }
        return null;
    }

    private static long incarnation(JsonNode members, String id) {
        for (JsonNode m : members.path("members")) {
            if (m.path("id").asText().equals(id)) {
                return m.path("incarnation").asLong();
            }
        }
        throw new AssertionError(id + " is not in " + members);
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static Map<Integer, Long> since(Map<Integer, Long> at, long t0) {
        Map<Integer, Long> out = new TreeMap<>();
        at.forEach((h, t) -> out.put(h, ms(t - t0)));
        return out;
    }
}
