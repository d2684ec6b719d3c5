package io.scalesmall.node.admin;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Parses and validates the JSON bodies of the admin API. Every refusal is an {@link ApiException} 400 whose
 * message names the field and the value, e.g. {@code start: "ten" is not an integer}. Unknown fields and
 * repeated fields are refused too, so a typo ({@code "strat"}) is reported rather than silently ignored.
 * Stateless and thread-safe.
 */
final class RequestBodies {
    /** Strict: duplicate keys and trailing content are errors. Thread-safe once built. */
    static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private static final Set<String> ITEM_FIELDS = Set.of("start", "end", "port", "priority");
    private static final Set<String> JOIN_FIELDS = Set.of("seeds");

    private RequestBodies() {
    }

    /**
     * The body of {@code POST .../items} ({@code start}, {@code end}, {@code port} required, {@code priority}
     * optional, default 0) or of {@code DELETE .../items} ({@code start}, {@code end}; {@code port} and
     * {@code priority} are accepted and ignored). Ranges are checked here so the message does not depend on
     * the core: keys 0..2^32-1, start not after end, port 0..65535, priority 0..2^31-1.
     */
    static ItemRequest item(byte[] body, boolean add) {
        JsonNode root = object(body, "{\"start\": S, \"end\": E" + (add ? ", \"port\": P" : "") + "}", ITEM_FIELDS);
        long start = integer(root, "start", 0, Item.MAX_KEY, true);
        long end = integer(root, "end", 0, Item.MAX_KEY, true);
        if (start > end) {
            throw ApiException.badRequest("start: " + start + " is after end " + end);
        }
        int port = (int) integer(root, "port", 0, 0xFFFF, add);
        int priority = (int) integer(root, "priority", 0, Integer.MAX_VALUE, false);
        return new ItemRequest(start, end, port, priority);
    }

    /** The optional body of {@code POST .../join}: nothing, or {@code {"seeds": ["ip:port", ...]}}. */
    static List<NetId> seeds(byte[] body) {
        if (isBlank(body)) {
            return List.of();
        }
        JsonNode root = object(body, "{\"seeds\": [\"ip:port\", ...]}", JOIN_FIELDS);
        JsonNode seeds = root.get("seeds");
        if (seeds == null || seeds.isNull()) {
            return List.of();
        }
        if (!seeds.isArray()) {
            throw ApiException.badRequest("seeds: " + seeds + " is not an array of \"ip:port\" strings");
        }
        List<NetId> out = new ArrayList<>();
        for (int i = 0; i < seeds.size(); i++) {
            JsonNode s = seeds.get(i);
            if (!s.isTextual()) {
                throw ApiException.badRequest("seeds[" + i + "]: " + s + " is not an \"ip:port\" string");
            }
            try {
                out.add(NetId.parse(s.textValue()));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("seeds[" + i + "]: " + e.getMessage());
            }
        }
        return out;
    }

    /** A validated item body; {@code port} and {@code priority} are 0 when absent or ignored. */
    record ItemRequest(long start, long end, int port, int priority) {
    }

    private static JsonNode object(byte[] body, String expected, Set<String> fields) {
        if (isBlank(body)) {
            throw ApiException.badRequest("body: missing; expected " + expected);
        }
        JsonNode root;
        try {
            root = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("body: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("body: unreadable: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw ApiException.badRequest("body: expected a JSON object " + expected + ", got "
                    + (root == null ? "nothing" : root.getNodeType().toString().toLowerCase(java.util.Locale.ROOT)));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!fields.contains(f)) {
                throw ApiException.badRequest(f + ": unknown field (expected " + expected + ")");
            }
        }
        return root;
    }

    private static long integer(JsonNode root, String field, long min, long max, boolean required) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw ApiException.badRequest(field + ": missing");
            }
            return 0;
        }
        if (!v.isIntegralNumber()) {
            throw ApiException.badRequest(field + ": " + v + " is not an integer");
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.badRequest(field + ": " + v + " is not in " + min + ".." + max);
        }
        return v.longValue();
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
