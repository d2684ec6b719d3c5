package io.scalesmall.cli;

import static io.scalesmall.cli.NetnsNodes.hosts;
import static io.scalesmall.cli.NetnsNodes.kill9;
import static io.scalesmall.cli.NetnsNodes.poll;
import static io.scalesmall.cli.NetnsNodes.printLogs;
import static io.scalesmall.cli.NetnsNodes.tail;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.cli.NetnsNodes.NodeProc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Chain replication and failover with real processes on a real (virtual) network (issue 6, "Must show"): five
 * {@code scalesmall node} processes ({@link NetnsNodes}), one data group, R = {@value #R}, placement on, equal
 * weights. A client program ({@link NetnsStreamClient}) in a sixth namespace sends {@value #MESSAGES} messages to
 * each of {@value #STREAMS} streams at a steady rate with {@code --ack disk=2}, one producer per stream knowing all
 * five nodes. Mid-stream the node heading the most streams is killed with {@code kill -9}; once the survivors'
 * rings have settled without it, and more has been acknowledged, the next busiest head is killed too. Afterwards:
 * every message was acknowledged (the producers carried on through redirects and failover), each at a distinct
 * offset, increasing with its sequence number; each stream read from its current chain holds every acknowledged
 * message at its acknowledged offset, byte for byte, and every stored message once and in order; and each of the
 * {@value #R} members of the stream's current chain (from {@code GET /v1/groups/it/ring}) holds the whole stream:
 * R copies restored.
 *
 * <p>Skipped, with the reason, where network namespaces cannot be made.
 */
class NetnsChainIT {
    private static final int NODES = 5;
    private static final int CLIENT = NODES + 1;
    private static final int R = 3;
    private static final int DATA_PORT = 29998;
    private static final int STREAMS = 8;
    private static final int MESSAGES = 4_000;
    /** Messages per second per stream: sending takes {@value #MESSAGES} / RATE = 20 s when nothing stalls,
     * long enough that both kills land mid-stream. */
    private static final int RATE = 200;
    private static final String TEST = "NetnsChainIT";

    private static NetnsNodes cluster;

    @BeforeAll
    static void setUp() throws IOException {
        String why = Netns.whyUnavailable();
        assumeTrue(why == null, () -> TEST + " skipped, network namespaces cannot be made here: " + why);
        cluster = NetnsNodes.create(TEST, CLIENT);
    }

    @AfterAll
    static void tearDown() throws IOException {
        if (cluster != null) {
            cluster.close();
            cluster = null;
        }
    }

    @Test
    void twoKillsLoseNothingAcknowledgedAndRCopiesAreRestored() throws Exception {
        long t0 = System.nanoTime();
        long seed = new SecureRandom().nextLong();
        List<String> streams = IntStream.range(0, STREAMS).mapToObj(i -> "chain-" + i).toList();
        System.out.println(TEST + ": seed " + seed + ", " + STREAMS + " streams x " + MESSAGES + " messages at " + RATE
                + "/s each, disk=2, R = " + R);
        List<NodeProc> nodes = new ArrayList<>();
        Path acks = cluster.workFile("acks.txt");
        Process producer = null;
        try {
            for (int h : hosts(1, NODES)) {
                nodes.add(cluster.startNode(h, cluster.net().prefix() + "-chain", "chain", List.of("--data-port",
                        Integer.toString(DATA_PORT), "--placement", "on", "--replicas", Integer.toString(R),
                        "--weight", "1"), Map.of("SCALESMALL_LOG_LEVEL", "INFO")));
            }
            JsonNode ring = NetnsRing.await(cluster, hosts(1, NODES), R, Duration.ofSeconds(60));
            int victim1 = NetnsRing.busiestHead(ring, streams, Set.of());
            Map<String, List<Integer>> killedHeads = new TreeMap<>();
            NetnsRing.heads(ring, streams).forEach((s, c) -> {
                if (c.get(0) == victim1) {
                    killedHeads.put(s, List.of(victim1));
                }
            });
            System.out.printf("%s: rings settled and identical on nodes 1..%d at %d ms; heads %s; killing node %d first%n",
                    TEST, NODES, ms(t0), NetnsRing.heads(ring, streams), victim1);

            producer = cluster.spawnProgram(CLIENT, NetnsStreamClient.class, List.of("produce", acks.toString(),
                    dataAddresses(hosts(1, NODES)), String.join(",", streams), Integer.toString(MESSAGES),
                    Integer.toString(RATE), Long.toString(seed), "disk=2"), "produce.log");
            int total = STREAMS * MESSAGES;
            Process p = producer;
            poll("a fifth of the messages acknowledged", Duration.ofSeconds(60))
                    .until(() -> alive(p) && countAcks(acks) >= total / 5);
            int atKill1 = countAcks(acks);
            kill9(nodes.get(victim1 - 1));
            System.out.printf("%s: kill -9 of node %d at %d ms, %d of %d completed%n", TEST, victim1, ms(t0), atKill1,
                    total);

            List<Integer> survivors1 = without(hosts(1, NODES), victim1);
            ring = NetnsRing.await(cluster, survivors1, R, Duration.ofSeconds(30));
            int victim2 = NetnsRing.busiestHead(ring, streams, Set.of(victim1));
            poll("another fifth acknowledged after the first kill", Duration.ofSeconds(40))
                    .until(() -> alive(p) && countAcks(acks) >= atKill1 + total / 5);
            int atKill2 = countAcks(acks);
            assertThat(atKill2).as("the producers are still sending at the second kill (mid-stream)").isLessThan(total);
            NetnsRing.heads(ring, streams).forEach((s, c) -> {
                if (c.get(0) == victim2) {
                    killedHeads.merge(s, List.of(victim2), (a, b) -> List.of(a.get(0), b.get(0)));
                }
            });
            kill9(nodes.get(victim2 - 1));
            System.out.printf("%s: rings settled without node %d; heads %s; kill -9 of node %d at %d ms, %d completed%n",
                    TEST, victim1, NetnsRing.heads(ring, streams), victim2, ms(t0), atKill2);

            assertThat(producer.waitFor(90, TimeUnit.SECONDS)).as("the producers finish within 90 s").isTrue();
            List<String> records = lines(acks);
            assertThat(records).as("the producer program's last record (exit %d)", producer.exitValue()).endsWith("DONE");
            records.stream().filter(l -> l.startsWith("S ")).forEach(l -> System.out.println(TEST + ": producer " + l));
            Map<String, Map<Integer, Long>> acked = acked(records, streams);
            List<Integer> survivors = without(survivors1, victim2);
            killedHeads.forEach((s, killed) -> {
                String summary = records.stream().filter(l -> l.startsWith("S " + s + " ")).findFirst().orElse("none");
                assertThat(summary).as("producer of %s, whose head %s was killed: reconnected and ended on a survivor",
                        s, killed).doesNotContain("reconnects=0 ").containsPattern(" node=\\S*/10\\.213\\.\\d+\\.("
                        + String.join("|", survivors.stream().map(String::valueOf).toList()) + "):");
            });
            System.out.printf("%s: all %d completed at %d ms%n", TEST, total, ms(t0));

            ring = NetnsRing.await(cluster, survivors, R, Duration.ofSeconds(30));
            JsonNode finalRing = ring;
            NetnsChainCheck check = new NetnsChainCheck(seed, streams, acked);
            List<String> targets = readTargets(finalRing, streams);
            NetnsChainCheck.Found[] last = new NetnsChainCheck.Found[1];
            int[] reads = new int[1];
            try {
                poll("every acknowledged message readable and " + R + " full copies per stream", Duration.ofSeconds(45))
                        .until(() -> {
                            reads[0]++;
                            last[0] = check.inspect(readBack(targets, reads[0]));
                            return last[0].readable().isEmpty() && last[0].copies().isEmpty();
                        });
            } catch (ConditionTimeoutException e) {
                System.out.println(TEST + ": still failing after " + reads[0] + " reads: " + e.getMessage());
            }
            assertThat(last[0]).as("a read of the streams that finished").isNotNull();
            assertThat(last[0].readable()).as("seed %d: acknowledged messages not readable from their chain, in order,"
                    + " exactly once, at the acknowledged offset (read %d times)", seed, reads[0]).isEmpty();
            assertThat(last[0].copies()).as("seed %d: R = %d copies restored: each member of each stream's chain %s"
                    + " holds the whole stream (read %d times)", seed, R, NetnsRing.heads(finalRing, streams), reads[0])
                    .isEmpty();
            System.out.printf("%s: every acknowledged message readable once, in order; %d full copies of each stream on"
                    + " nodes %s; %d reads; done at %d ms%n", TEST, R, survivors, reads[0], ms(t0));
        } catch (Throwable t) {
            cluster.markFailed();
            printLogs(nodes);
            System.out.println("---- tail of " + cluster.workFile("produce.log") + " ----");
            System.out.println(tail(cluster.workFile("produce.log"), 40));
            System.out.println("---- tail of " + acks + " ----");
            System.out.println(tail(acks, 20));
            throw t;
        } finally {
            if (producer != null) {
                Netns.stop(List.of(producer), Duration.ofSeconds(5));
            }
            cluster.stop(nodes);
        }
    }

    // ---- the client program ---------------------------------------------------------------------------------

    private static String dataAddresses(List<Integer> hosts) {
        return String.join(",", hosts.stream().map(h -> cluster.net().address(h) + ":" + DATA_PORT).toList());
    }

    /** Per stream: "STREAM@chain" read through the chain (head first), and "STREAM@nH" from each member alone. */
    private static List<String> readTargets(JsonNode ring, List<String> streams) {
        List<String> out = new ArrayList<>();
        for (String s : streams) {
            List<Integer> chain = NetnsRing.chain(ring, s).stream().map(NetnsRing::host).toList();
            out.add(s + "@chain/" + s + "/" + dataAddresses(chain));
            chain.forEach(h -> out.add(s + "@n" + h + "/" + s + "/" + dataAddresses(List.of(h))));
        }
        return out;
    }

    /** Runs the read program in the client namespace; returns its records (ending with DONE). */
    private static List<String> readBack(List<String> targets, int run) throws Exception {
        Path out = cluster.workFile("read-" + run + ".txt");
        List<String> args = new ArrayList<>(List.of("read", out.toString()));
        args.addAll(targets);
        Process p = cluster.spawnProgram(CLIENT, NetnsStreamClient.class, args, "read-" + run + ".log");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("read %d finishes within 60 s", run).isTrue();
        List<String> records = lines(out);
        assertThat(records).as("read %d's last record (exit %d); log: %s", run, p.exitValue(),
                tail(cluster.workFile("read-" + run + ".log"), 20)).endsWith("DONE");
        Files.delete(out);
        return records;
    }

    private static boolean alive(Process p) {
        if (!p.isAlive()) {
            throw new AssertionError("the producer program exited with " + p.exitValue() + ": "
                    + tail(cluster.workFile("produce.log"), 20));
        }
        return true;
    }

    /** @return how many sends have completed (acknowledged or failed) per the records written so far */
    private static int countAcks(Path acks) throws IOException {
        return (int) lines(acks).stream().filter(l -> l.startsWith("A ") || l.startsWith("F ")).count();
    }

    /** @return the complete lines of {@code file} (a torn last line is left out), none if it does not exist yet */
    static List<String> lines(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        String s = Files.readString(file, StandardCharsets.UTF_8);
        int end = s.lastIndexOf('\n');
        return end < 0 ? List.of() : List.of(s.substring(0, end).split("\n"));
    }

    /**
     * Asserts every send was acknowledged, none failed, and each stream's offsets are distinct and increase with the
     * sequence number.
     *
     * @return per stream, per sequence number, the acknowledged offset
     */
    private static Map<String, Map<Integer, Long>> acked(List<String> records, List<String> streams) {
        Map<String, Map<Integer, Long>> out = new HashMap<>();
        streams.forEach(s -> out.put(s, new TreeMap<>()));
        List<String> failed = new ArrayList<>();
        for (String l : records) {
            String[] f = l.split(" ", 4);
            if (f[0].equals("A")) {
                Long before = out.get(f[1]).put(Integer.parseInt(f[2]), Long.parseLong(f[3]));
                assertThat(before).as("message %s of %s acknowledged twice", f[2], f[1]).isNull();
            } else if (f[0].equals("F") && failed.size() < 10) {
                failed.add(l);
            }
        }
        assertThat(failed).as("sends that failed (the producers should carry on through failover)").isEmpty();
        for (String s : streams) {
            Map<Integer, Long> m = out.get(s);
            assertThat(m).as("acknowledged messages of %s", s).hasSize(MESSAGES);
            long prev = -1;
            for (Map.Entry<Integer, Long> e : m.entrySet()) {
                assertThat(e.getValue()).as("%s: offset of message %d (after %d)", s, e.getKey(), prev).isGreaterThan(prev);
                prev = e.getValue();
            }
        }
        return out;
    }

    private static List<Integer> without(List<Integer> hosts, int h) {
        return hosts.stream().filter(x -> x != h).toList();
    }

    private static long ms(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
