package io.scalesmall.node.admin;

import com.sun.net.httpserver.HttpExchange;
import io.scalesmall.topology.Op;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Reads the parts of an admin request other than its JSON: path segments, the query, the bounded body. Stateless. */
final class RequestParts {
    private RequestParts() {
    }

    /**
     * Percent-decodes a path segment or query part; unlike form decoding, {@code +} stays a plus.
     *
     * @param field names the part in the 400 raised for a malformed escape
     */
    static String decode(String raw, String field) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(field + ": '" + raw + "' is not validly percent-encoded");
        }
    }

    /** The {@code op} query parameter of the topology endpoint (case-insensitive), or null for all items. */
    static Op opParameter(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return null;
        }
        Op op = null;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq), "query");
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), key);
            if (!"op".equals(key)) {
                throw ApiException.badRequest(key + ": unknown query parameter (expected op)");
            }
            try {
                op = Op.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw ApiException.badRequest("op: '" + value + "' is not ADD, RMV or GET");
            }
        }
        return op;
    }

    /** Reads the request body, refusing more than {@code maxBytes} with a 413 (checked before reading when declared). */
    static byte[] body(HttpExchange ex, int maxBytes) throws IOException {
        String declared = ex.getRequestHeaders().getFirst("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    throw tooLarge(maxBytes);
                }
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("Content-Length: '" + declared + "' is not a number");
            }
        }
        try (InputStream in = ex.getRequestBody()) {
            byte[] b = in.readNBytes(maxBytes + 1);
            if (b.length > maxBytes) {
                throw tooLarge(maxBytes);
            }
            return b;
        }
    }

    private static ApiException tooLarge(int maxBytes) {
        return new ApiException(413, "body: larger than " + maxBytes + " bytes");
    }
}
