package io.scalesmall.cli;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Judges what {@link NetnsStreamClient}'s {@code read} found against what was sent and acknowledged (for
 * {@link NetnsChainIT}). Targets are labelled {@code STREAM@chain} (read through the stream's chain, head first) and
 * {@code STREAM@nH} (read from the chain member on host H alone). Not thread-safe.
 */
final class NetnsChainCheck {
    /** At most this many problems are listed per target. */
    private static final int MAX_PER_TARGET = 3;

    /**
     * @param readable problems with reading the acknowledged messages through each stream's chain
     * @param copies   problems with the full copy each chain member should hold
     */
    record Found(List<String> readable, List<String> copies) {
    }

    /** What one target's read gave: offsets first..end (exclusive), the messages by offset, or an error. */
    private static final class Copy {
        long first = -1;
        long end = -1;
        final Map<Long, byte[]> messages = new TreeMap<>();
        String error;

        String range() {
            return error != null ? "error " + error : first + ".." + end + " (" + messages.size() + " messages)";
        }
    }

    private final long seed;
    private final List<String> streams;
    private final Map<String, Map<Integer, Long>> acked;

    /**
     * @param seed    the payload seed ({@link NetnsStreamClient#payload})
     * @param streams the stream names; stream number i is {@code streams.get(i)}
     * @param acked   per stream, per sequence number, the acknowledged offset
     */
    NetnsChainCheck(long seed, List<String> streams, Map<String, Map<Integer, Long>> acked) {
        this.seed = seed;
        this.streams = List.copyOf(streams);
        this.acked = acked;
    }

    /** @param records the read program's records */
    Found inspect(List<String> records) {
        Map<String, Copy> copies = parse(records);
        List<String> readable = new ArrayList<>();
        List<String> full = new ArrayList<>();
        for (int i = 0; i < streams.size(); i++) {
            String s = streams.get(i);
            Copy chain = copies.get(s + "@chain");
            if (chain == null) {
                readable.add(s + ": not read");
                continue;
            }
            List<String> p = readable(i, chain);
            readable.addAll(p.subList(0, Math.min(p.size(), MAX_PER_TARGET)));
            for (Map.Entry<String, Copy> e : copies.entrySet()) {
                if (e.getKey().startsWith(s + "@n")) {
                    String c = sameAs(e.getValue(), chain);
                    if (c != null) {
                        full.add(e.getKey() + ": " + c);
                    }
                }
            }
        }
        return new Found(readable, full);
    }

    /** Every acknowledged message at its offset; every stored message a sent one, once, in order. */
    private List<String> readable(int index, Copy c) {
        String s = streams.get(index);
        List<String> out = new ArrayList<>();
        if (c.error != null) {
            out.add(s + " through its chain: " + c.error);
            return out;
        }
        if (c.first != 0 || c.messages.size() != c.end - c.first) {
            out.add(s + " through its chain: offsets " + c.range() + ", expected 0.. with no gaps");
        }
        int prevSeq = -1;
        for (Map.Entry<Long, byte[]> e : c.messages.entrySet()) {
            String m = new String(e.getValue(), StandardCharsets.ISO_8859_1);
            String[] f = m.split(":", 3);
            int seq;
            try {
                seq = f.length == 3 && f[0].equals("s" + index) ? Integer.parseInt(f[1]) : -1;
            } catch (NumberFormatException ex) {
                seq = -1;
            }
            if (seq < 0 || !Arrays.equals(e.getValue(), NetnsStreamClient.payload(seed, index, seq))) {
                out.add(s + " offset " + e.getKey() + ": not a message sent to it: " + abbreviate(m));
            } else if (seq <= prevSeq) {
                out.add(s + " offset " + e.getKey() + ": message " + seq + " after message " + prevSeq
                        + (seq == prevSeq ? " (stored twice)" : " (out of order)"));
            } else {
                prevSeq = seq;
            }
        }
        acked.get(s).forEach((seq, offset) -> {
            byte[] at = c.messages.get(offset);
            if (at == null || !Arrays.equals(at, NetnsStreamClient.payload(seed, index, seq))) {
                out.add(s + ": message " + seq + " acknowledged at offset " + offset + ", found "
                        + (at == null ? "nothing" : abbreviate(new String(at, StandardCharsets.ISO_8859_1)))
                        + " (read " + c.range() + ")");
            }
        });
        return out;
    }

    /** @return null if {@code copy} holds what {@code chain} gave, else the first difference */
    private static String sameAs(Copy copy, Copy chain) {
        if (copy.error != null) {
            return copy.error;
        }
        if (copy.first != chain.first || copy.end != chain.end || copy.messages.size() != chain.messages.size()) {
            return "holds " + copy.range() + ", the chain served " + chain.range();
        }
        for (Map.Entry<Long, byte[]> e : chain.messages.entrySet()) {
            if (!Arrays.equals(e.getValue(), copy.messages.get(e.getKey()))) {
                return "differs at offset " + e.getKey();
            }
        }
        return null;
    }

    private static Map<String, Copy> parse(List<String> records) {
        Map<String, Copy> out = new LinkedHashMap<>();
        for (String l : records) {
            String[] f = l.split(" ", 4);
            switch (f[0]) {
                case "R" -> {
                    String[] r = l.split(" ");
                    Copy c = out.computeIfAbsent(r[1], k -> new Copy());
                    c.first = Long.parseLong(r[3]);
                    c.end = Long.parseLong(r[4]);
                }
                case "M" -> out.computeIfAbsent(f[1], k -> new Copy()).messages.put(Long.parseLong(f[2]),
                        Base64.getDecoder().decode(f[3]));
                case "E" -> out.computeIfAbsent(f[1], k -> new Copy()).error = l.substring(3 + f[1].length());
                default -> {
                    // DONE
                }
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
