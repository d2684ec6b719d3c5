package io.scalesmall.cli.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A blocking client of one node's admin endpoint (see {@code io.scalesmall.node.admin.AdminServer}). Every
 * failure becomes a {@link NodeException} whose message is one line naming the node. Not thread-safe (a CLI
 * command uses it from one thread).
 */
final class NodeClient {
    /** How long to wait for the TCP connection. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    /** How long to wait for a whole answer, once connected. */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final String shown;
    private final HttpClient http;

    /** @param base the node's admin URL, {@code http://host:port} (any trailing slash is dropped) */
    NodeClient(URI base) {
        this.shown = base.toString().replaceAll("/+$", "");
        this.base = URI.create(shown);
        this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** An answer: the raw body (for {@code --json}) and its parsed form. */
    record Answer(String raw, JsonNode json) {
    }

    Answer get(String path) throws NodeException {
        return send("GET", path, null);
    }

    Answer post(String path, JsonNode body) throws NodeException {
        return send("POST", path, body);
    }

    Answer delete(String path, JsonNode body) throws NodeException {
        return send("DELETE", path, body);
    }

    /** @return {@code /v1/groups/<group, percent-encoded>/<action>} */
    static String groupPath(String group, String action) {
        return "/v1/groups/" + URLEncoder.encode(group, StandardCharsets.UTF_8).replace("+", "%20") + "/" + action;
    }

    private Answer send(String method, String path, JsonNode body) throws NodeException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(shown + path)).timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json").method(method,
                    HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }
        HttpResponse<String> r;
        try {
            r = http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (HttpConnectTimeoutException e) {
            throw unreachable("no connection within " + CONNECT_TIMEOUT.toSeconds() + " s");
        } catch (HttpTimeoutException e) {
            throw new NodeException("node at " + shown + " did not answer " + method + " " + path + " within "
                    + REQUEST_TIMEOUT.toSeconds() + " s");
        } catch (ConnectException e) {
            throw unreachable(hasCause(e, UnresolvedAddressException.class) ? "unknown host " + base.getHost()
                    : "connection refused");
        } catch (IOException e) {
            throw unreachable(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new NodeException("interrupted while waiting for node at " + shown);
        }
        JsonNode json = parse(r.body());
        if (r.statusCode() / 100 != 2) {
            String why = json != null && json.hasNonNull("error") ? json.get("error").asText() : abbreviate(r.body());
            throw new NodeException("node at " + shown + " refused " + method + " " + path + ": HTTP " + r.statusCode()
                    + (why.isEmpty() ? "" : ": " + why));
        }
        if (json == null) {
            throw new NodeException("node at " + shown + " sent an answer that is not JSON: " + abbreviate(r.body()));
        }
        return new Answer(r.body(), json);
    }

    private NodeException unreachable(String why) {
        return new NodeException("cannot reach node at " + shown + ": " + why);
    }

    private static JsonNode parse(String body) {
        try {
            JsonNode n = JSON.readTree(body);
            return n == null || n.isMissingNode() ? null : n;
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    private static String abbreviate(String s) {
        String one = s.strip().replaceAll("\\s+", " ");
        return one.length() <= 200 ? one : one.substring(0, 200) + "...";
    }
}
