package io.scalesmall.cli;

import static io.scalesmall.cli.NetnsNodes.poll;

import com.fasterxml.jackson.databind.JsonNode;
import io.scalesmall.topology.StreamKeys;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Reading the rings the nodes of a {@link NetnsNodes} cluster compute ({@code GET /v1/groups/it/ring}): waiting until
 * they are settled and identical, a stream's chain (its key, {@link StreamKeys#keyOf}, in an arc
 * {@code start..end} inclusive), which host heads which streams. Host numbers come from the node ids
 * {@code 10.213.X.H:PORT}. Thread-safe (stateless).
 */
final class NetnsRing {
    private NetnsRing() {
    }

    /**
     * Waits until each of {@code hosts} shows a settled ring over exactly those hosts, every arc's chain of
     * min(replicas, hosts) members, and all the same arcs.
     *
     * @return the ring (of the first host)
     */
    static JsonNode await(NetnsNodes cluster, List<Integer> hosts, int replicas, Duration atMost) {
        Set<String> expected = cluster.ids(hosts);
        Map<Integer, String> last = new TreeMap<>();
        JsonNode[] out = new JsonNode[1];
        try {
            poll("settled, identical rings over " + expected + " on nodes " + hosts, atMost).until(() -> {
                last.clear();
                JsonNode first = null;
                for (int h : hosts) {
                    JsonNode r = cluster.ring(h);
                    if (r == null || !r.path("settled").asBoolean() || !NetnsNodes.ids(r.path("members")).equals(expected)
                            || r.path("arcs").isEmpty() || !chainsOfSize(r, Math.min(replicas, hosts.size()))
                            || first != null && !r.path("arcs").equals(first.path("arcs"))) {
                        last.put(h, r == null ? "no answer" : "settled " + r.path("settled") + ", members "
                                + NetnsNodes.ids(r.path("members")) + ", " + r.path("arcs").size() + " arcs");
                    }
                    first = first == null ? r : first;
                }
                out[0] = first;
                return last.isEmpty();
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(e.getMessage() + "; rings not there yet: " + last, e);
        }
        return out[0];
    }

    private static boolean chainsOfSize(JsonNode ring, int size) {
        for (JsonNode arc : ring.path("arcs")) {
            if (arc.path("chain").size() != size) {
                return false;
            }
        }
        return true;
    }

    /** @return the chain (node ids, head first) of {@code stream}'s key in {@code ring} */
    static List<String> chain(JsonNode ring, String stream) {
        long key = StreamKeys.keyOf(stream);
        for (JsonNode arc : ring.path("arcs")) {
            if (arc.path("start").asLong() <= key && key <= arc.path("end").asLong()) {
                List<String> out = new ArrayList<>();
                arc.path("chain").forEach(m -> out.add(m.asText()));
                return out;
            }
        }
        throw new AssertionError("no arc holds " + stream + "'s key " + key + ": " + ring.path("arcs"));
    }

    /** @return the host heading the most of {@code streams} (the lowest on a tie), not one of {@code dead} */
    static int busiestHead(JsonNode ring, List<String> streams, Set<Integer> dead) {
        Map<Integer, Integer> count = new TreeMap<>();
        for (String s : streams) {
            count.merge(host(chain(ring, s).get(0)), 1, Integer::sum);
        }
        return count.entrySet().stream().filter(e -> !dead.contains(e.getKey()))
                .max(Comparator.<Map.Entry<Integer, Integer>>comparingInt(Map.Entry::getValue)
                        .thenComparing(Map.Entry::getKey, Comparator.reverseOrder()))
                .orElseThrow().getKey();
    }

    /** @return per stream, its chain as host numbers, head first */
    static Map<String, List<Integer>> heads(JsonNode ring, List<String> streams) {
        Map<String, List<Integer>> out = new LinkedHashMap<>();
        streams.forEach(s -> out.put(s, chain(ring, s).stream().map(NetnsRing::host).toList()));
        return out;
    }

    /** @return the host number of a node id {@code 10.213.X.H:PORT} */
    static int host(String id) {
        String ip = id.substring(0, id.lastIndexOf(':'));
        return Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
    }
}
