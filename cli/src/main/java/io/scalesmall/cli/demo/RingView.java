package io.scalesmall.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws who serves which part of the 32-bit key space, from a node's ring document: a table (per member its weight,
 * the share of keys it heads, the share of copies it holds, and how many ranges) and a strip of {@value #WIDTH}
 * characters, each the letter of the head of the keys at that point of the ring. Stateless.
 */
final class RingView {
    static final int WIDTH = 64;
    static final double KEYS = 0x1_0000_0000L;

    /** A range of keys, {@code start..end} inclusive, and its chain, head first (member ids). */
    record Arc(long start, long end, List<String> chain) {
        long size() {
            return end - start + 1;
        }
    }

    private RingView() {
    }

    /**
     * Prints the ring of a node's {@code GET /v1/groups/{g}/ring} document: per member its weight (and weight
     * share), the share of keys it heads, the share of chain slots it holds and its number of ranges; then the strip.
     */
    static void print(PrintWriter out, JsonNode ring) {
        List<Arc> arcs = new ArrayList<>();
        for (JsonNode a : ring.path("arcs")) {
            List<String> chain = new ArrayList<>();
            a.path("chain").forEach(c -> chain.add(c.asText()));
            arcs.add(new Arc(a.path("start").asLong(), a.path("end").asLong(), chain));
        }
        Map<String, Character> letter = new LinkedHashMap<>();
        out.printf("      %-21s %6s %13s %11s %12s %7s%n", "member", "weight", "weight share", "heads keys",
                "holds slots", "ranges");
        for (JsonNode m : ring.path("members")) {
            String id = m.path("id").asText();
            letter.put(id, (char) ('A' + letter.size() % 26));
            long ranges = arcs.stream().filter(a -> a.chain().contains(id)).count();
            out.printf("  %c   %-21s %6d %12.1f%% %10.1f%% %11.1f%% %7d%n", letter.get(id), id,
                    m.path("weight").asInt(), 100 * m.path("weight_share").asDouble(),
                    100 * m.path("head_share").asDouble(), 100 * m.path("share").asDouble(), ranges);
        }
        out.println("  ring  0 |" + strip(arcs, letter) + "| 2^32-1   (each letter: the head of the keys there; "
                + ring.path("replicas").asInt() + " copies of each)");
    }

    /** @return {@value #WIDTH} letters: the head at the middle key of each 1/{@value #WIDTH} of the ring */
    static String strip(List<Arc> arcs, Map<String, Character> letter) {
        StringBuilder b = new StringBuilder(WIDTH);
        List<Arc> sorted = new ArrayList<>(arcs);
        sorted.sort((x, y) -> Long.compare(x.start(), y.start()));
        for (int i = 0; i < WIDTH; i++) {
            long key = (long) ((i + 0.5) * KEYS / WIDTH);
            char c = '.';
            for (Arc a : sorted) {
                if (a.start() <= key && key <= a.end()) {
                    c = a.chain().isEmpty() ? '.' : letter.getOrDefault(a.chain().get(0), '?');
                    break;
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
