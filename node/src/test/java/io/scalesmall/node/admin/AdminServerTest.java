package io.scalesmall.node.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scalesmall.topology.NetId;
import io.scalesmall.wire.CodecException;
import io.scalesmall.wire.SwimMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdminServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final List<AutoCloseable> closeables = new ArrayList<>();
    private final InProcessNode node = track(new InProcessNode(29001));

    private <T extends AutoCloseable> T track(T c) {
        closeables.add(c);
        return c;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
    }

    record Reply(int status, String contentType, String body, String allow) {
        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(body, e);
            }
        }

        String error() {
            return json().path("error").asText();
        }
    }

    private Reply send(String method, String path, String body) {
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUrl() + path)).timeout(Duration.ofSeconds(5))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        try {
            HttpResponse<String> r = HTTP.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                    r.headers().firstValue("Allow").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private Reply get(String path) {
        return send("GET", path, null);
    }

    private JsonNode ok(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("application/json");
        return r.json();
    }

    @Test
    void nodeShowsIdVersionUptimeAndMyGroups() {
        JsonNode n = ok(get("/v1/node"));
        assertThat(n.get("id").asText()).isEqualTo("127.0.0.1:29001");
        assertThat(n.get("version").asText()).isEqualTo("1.2.3-test");
        assertThat(n.get("uptime_ms").asLong()).isEqualTo(4_321);
        assertThat(n.get("groups")).isEmpty();

        ok(send("POST", "/v1/groups/orders/join", null));
        assertThat(ok(get("/v1/node")).get("groups").toString()).isEqualTo("[\"orders\"]");
    }

    @Test
    void joinMakesSelfAMemberAndLeaveUndoesIt() {
        JsonNode j = ok(send("POST", "/v1/groups/orders/join", ""));
        assertThat(j.toString()).isEqualTo("{\"group\":\"orders\",\"member\":true,\"members\":1}");

        JsonNode m = ok(get("/v1/groups/orders/members"));
        assertThat(m.toString()).isEqualTo(
                "{\"group\":\"orders\",\"members\":[{\"id\":\"127.0.0.1:29001\",\"state\":\"alive\","
                + "\"incarnation\":1}],\"down\":[]}");
        assertThat(ok(get("/v1/groups")).toString())
                .isEqualTo("{\"groups\":[{\"name\":\"orders\",\"member\":true,\"members\":1}]}");

        JsonNode l = ok(send("POST", "/v1/groups/orders/leave", null));
        assertThat(l.get("member").asBoolean()).isFalse();
        assertThat(ok(get("/v1/groups/orders/members")).get("members")).isEmpty();
        assertThat(ok(get("/v1/groups")).toString())
                .isEqualTo("{\"groups\":[{\"name\":\"orders\",\"member\":false,\"members\":0}]}");
        assertThat(ok(get("/v1/node")).get("groups")).isEmpty();
    }

    /** A member's life as the detector sees it: alive, suspect, dead (apart, not counted), back with a restart. */
    @Test
    void membersShowTheDetectorsStateAndIncarnationAndListDownMembersApart() {
        ok(send("POST", "/v1/groups/orders/join", null));
        NetId peer = NetId.parse("127.0.0.1:29002");
        NetId other = NetId.parse("127.0.0.1:29003");
        node.deliverJoin("orders", peer, 7);
        // Read at once: the first unanswered probe suspects the peer only about a protocol period (1 s) later.
        assertThat(ok(get("/v1/groups/orders/members")).toString()).isEqualTo("{\"group\":\"orders\",\"members\":["
                + "{\"id\":\"127.0.0.1:29001\",\"state\":\"alive\",\"incarnation\":1},"
                + "{\"id\":\"127.0.0.1:29002\",\"state\":\"alive\",\"incarnation\":7}],\"down\":[]}");
        assertThat(ok(get("/v1/groups")).toString())
                .isEqualTo("{\"groups\":[{\"name\":\"orders\",\"member\":true,\"members\":2}]}");

        node.deliverSwim(other, new SwimMessage.Suspect(peer, 7, other));
        JsonNode suspected = ok(get("/v1/groups/orders/members"));
        assertThat(suspected.get("members").get(1).toString())
                .isEqualTo("{\"id\":\"127.0.0.1:29002\",\"state\":\"suspect\",\"incarnation\":7}");
        assertThat(suspected.get("down")).isEmpty();

        node.deliverSwim(other, new SwimMessage.Dead(peer, 7, other));
        JsonNode dead = ok(get("/v1/groups/orders/members"));
        assertThat(dead.get("members").toString())
                .isEqualTo("[{\"id\":\"127.0.0.1:29001\",\"state\":\"alive\",\"incarnation\":1}]");
        assertThat(dead.get("down").toString())
                .isEqualTo("[{\"id\":\"127.0.0.1:29002\",\"state\":\"dead\",\"incarnation\":7}]");
        assertThat(ok(get("/v1/groups")).get("groups").get(0).get("members").asInt()).as("dead ones do not count")
                .isEqualTo(1);
        assertThat(node.manager.members("orders")).containsExactly(node.id);

        node.deliverJoin("orders", peer, 8);
        JsonNode back = ok(get("/v1/groups/orders/members"));
        assertThat(back.get("members").get(1).toString())
                .isEqualTo("{\"id\":\"127.0.0.1:29002\",\"state\":\"alive\",\"incarnation\":8}");
        assertThat(back.get("down")).isEmpty();

        node.deliverSwim(peer, new SwimMessage.Dead(peer, 8, peer));
        assertThat(ok(get("/v1/groups/orders/members")).get("down").toString()).as("its own Dead: it left")
                .isEqualTo("[{\"id\":\"127.0.0.1:29002\",\"state\":\"left\",\"incarnation\":8}]");
    }

    @Test
    void joinWithSeedsAsksThemForState() {
        ok(send("POST", "/v1/groups/orders/join", "{\"seeds\": [\"10.0.0.7:29100\", \"[::1]:29101\"]}"));
        assertThat(node.streams.sent).extracting(Map.Entry::getKey)
                .contains(NetId.parse("10.0.0.7:29100"), NetId.parse("[::1]:29101"));
    }

    @Test
    void unknownGroupReadsAsEmpty() {
        assertThat(ok(get("/v1/groups/nobody/members")).get("members")).isEmpty();
        JsonNode t = ok(get("/v1/groups/nobody/topology"));
        assertThat(t.get("items")).isEmpty();
        assertThat(t.get("digest").asText()).hasSize(16);
    }

    @Test
    void addedItemShowsInTopologyWithItsClockAndDeleteWritesATombstone() {
        ok(send("POST", "/v1/groups/orders/join", null));
        JsonNode added = ok(send("POST", "/v1/groups/orders/items",
                "{\"start\": 100, \"end\": 4294967295, \"port\": 11000, \"priority\": 5}"));
        assertThat(added.get("member").asText()).isEqualTo("127.0.0.1:29001");
        assertThat(added.get("op").asText()).isEqualTo("ADD");
        assertThat(added.get("end").asLong()).isEqualTo(4_294_967_295L);
        assertThat(added.get("port").asInt()).isEqualTo(11000);
        assertThat(added.get("priority").asInt()).isEqualTo(5);
        assertThat(added.get("timestamp_ms").asLong()).isPositive();
        JsonNode clock = added.get("clock");
        assertThat(clock.get("incarnation").asLong()).isPositive();

        JsonNode all = ok(get("/v1/groups/orders/topology"));
        assertThat(all.get("group").asText()).isEqualTo("orders");
        assertThat(all.get("digest").asText()).matches("[0-9a-f]{16}");
        assertThat(all.get("items")).extracting(i -> i.get("op").asText()).containsExactlyInAnyOrder("GET", "ADD");
        JsonNode adds = ok(get("/v1/groups/orders/topology?op=ADD")).get("items");
        assertThat(adds).hasSize(1);
        assertThat(adds.get(0)).isEqualTo(added);

        JsonNode removed = ok(send("DELETE", "/v1/groups/orders/items",
                "{\"start\": 100, \"end\": 4294967295, \"port\": 1, \"priority\": 9}"));
        assertThat(removed.get("op").asText()).isEqualTo("RMV");
        assertThat(removed.get("port").asInt()).as("keeps the withdrawn item's port").isEqualTo(11000);
        assertThat(removed.get("clock").get("counter").asLong()).isGreaterThan(clock.get("counter").asLong());
        assertThat(ok(get("/v1/groups/orders/topology?op=add")).get("items")).isEmpty();
        assertThat(ok(get("/v1/groups/orders/topology?op=RMV")).get("items").get(0)).isEqualTo(removed);
        assertThat(ok(get("/v1/groups/orders/topology")).get("digest")).isNotEqualTo(all.get("digest"));
    }

    @Test
    void priorityDefaultsToZero() {
        JsonNode added = ok(send("POST", "/v1/groups/g/items", "{\"start\": 10, \"end\": 20, \"port\": 80}"));
        assertThat(added.get("priority").asInt()).isZero();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '\'', value = {
        "''                                          | body: missing",
        "'not json'                                  | body: not valid JSON",
        "'[1, 2]'                                    | body: expected a JSON object",
        "'{\"end\": 5, \"port\": 1}'                 | start: missing",
        "'{\"start\": \"ten\", \"end\": 5, \"port\": 1}' | start: \"ten\" is not an integer",
        "'{\"start\": 1.5, \"end\": 5, \"port\": 1}' | start: 1.5 is not an integer",
        "'{\"start\": -1, \"end\": 5, \"port\": 1}'  | start: -1 is not in 0..4294967295",
        "'{\"start\": 0, \"end\": 4294967296, \"port\": 1}' | end: 4294967296 is not in 0..4294967295",
        "'{\"start\": 0, \"end\": 99999999999999999999999, \"port\": 1}' | end: 99999999999999999999999 is not in",
        "'{\"start\": 9, \"end\": 5, \"port\": 1}'   | start: 9 is after end 5",
        "'{\"start\": 0, \"end\": 5}'                | port: missing",
        "'{\"start\": 0, \"end\": 5, \"port\": 70000}' | port: 70000 is not in 0..65535",
        "'{\"start\": 0, \"end\": 5, \"port\": 1, \"priority\": -1}' | priority: -1 is not in",
        "'{\"strat\": 0, \"end\": 5, \"port\": 1}'   | strat: unknown field",
        "'{\"start\": 0, \"start\": 1, \"end\": 5, \"port\": 1}' | Duplicate field 'start'",
        "'{\"start\": 0, \"end\": 5, \"port\": 1} {}' | body: not valid JSON",
    })
    void badItemBodiesAre400NamingTheField(String body, String message) {
        Reply r = send("POST", "/v1/groups/g/items", body);
        assertThat(r.status()).as(r.body()).isEqualTo(400);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.error()).contains(message);
    }

    @Test
    void deleteNeedsOnlyStartAndEnd() {
        assertThat(send("DELETE", "/v1/groups/g/items", "{\"start\": 0}").error()).isEqualTo("end: missing");
        assertThat(ok(send("DELETE", "/v1/groups/g/items", "{\"start\": 0, \"end\": 1}")).get("op").asText())
                .isEqualTo("RMV");
    }

    @Test
    void badSeedsAndGroupNamesAndQueriesAre400() {
        assertThat(send("POST", "/v1/groups/g/join", "{\"seeds\": [\"nope\"]}").error()).startsWith("seeds[0]: ");
        assertThat(send("POST", "/v1/groups/g/join", "{\"seeds\": [1]}").error()).startsWith("seeds[0]: 1 is not");
        assertThat(send("POST", "/v1/groups/g/join", "{\"seeds\": \"10.0.0.1:1\"}").error()).startsWith("seeds: ");
        Reply ctl = get("/v1/groups/a%01b/members");
        assertThat(ctl.status()).isEqualTo(400);
        assertThat(ctl.error()).startsWith("group: ");
        assertThatThrownBy(() -> RequestParts.decode("%zz", "group")).hasMessage("group: '%zz' is not validly percent-encoded");
        assertThat(get("/v1/groups/g/topology?op=%41dd").status()).isEqualTo(200);
        assertThat(get("/v1/groups//members").error()).startsWith("group: ''");
        assertThat(get("/v1/groups/" + "x".repeat(256) + "/topology").error()).contains("256 UTF-8 bytes");
        assertThat(get("/v1/groups/g/topology?op=PUT").error()).isEqualTo("op: 'PUT' is not ADD, RMV or GET");
        assertThat(get("/v1/groups/g/topology?kind=ADD").error()).startsWith("kind: unknown query parameter");
    }

    @Test
    void groupNamesArePercentDecodedWithPlusKept() {
        JsonNode j = ok(send("POST", "/v1/groups/a%20b%2Fc+d%C3%A9/join", null));
        assertThat(j.get("group").asText()).isEqualTo("a b/c+dé");
        assertThat(ok(get("/v1/node")).get("groups").get(0).asText()).isEqualTo("a b/c+dé");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"GET, /", "GET, /v1", "GET, /v1/nodes", "GET, /v1/groups/", "GET, /v1/groups/g",
        "GET, /v1/groups/g/nope", "GET, /v1/groups/g/members/x", "POST, /v2/groups/g/join", "GET, /metrics/"})
    void unknownPathsAre404(String method, String path) {
        Reply r = send(method, path, null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.contentType()).startsWith("application/json");
        assertThat(r.error()).isEqualTo("no such path: " + path);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"DELETE, /v1/node, GET", "POST, /v1/groups, GET", "POST, /metrics, GET",
        "POST, /v1/groups/g/members, GET", "PUT, /v1/groups/g/topology, GET", "GET, /v1/groups/g/join, POST",
        "DELETE, /v1/groups/g/leave, POST", "GET, /v1/groups/g/items, 'POST, DELETE'",
        "PUT, /v1/groups/g/items, 'POST, DELETE'"})
    void wrongMethodsAre405WithAllow(String method, String path, String allow) {
        Reply r = send(method, path, null);
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.allow()).isEqualTo(allow);
        assertThat(r.error()).contains(method, path);
    }

    @Test
    void oversizedBodiesAre413() {
        String big = "{\"seeds\": [" + "\"10.0.0.1:1\",".repeat(6000) + "\"10.0.0.1:1\"]}";
        assertThat(big.length()).isGreaterThan(AdminServer.MAX_BODY_BYTES);
        Reply r = send("POST", "/v1/groups/g/join", big);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.error()).contains("65536");
        assertThat(ok(get("/v1/groups")).get("groups")).as("nothing was joined; still serving").isEmpty();
    }

    @Test
    void oversizedChunkedBodiesAre413() throws Exception {
        byte[] big = new byte[AdminServer.MAX_BODY_BYTES + 100];
        java.util.Arrays.fill(big, (byte) ' ');
        HttpRequest req = HttpRequest.newBuilder(URI.create(node.baseUrl() + "/v1/groups/g/join"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(big))).build();
        assertThat(HTTP.send(req, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(413);
    }

    @Test
    void metricsAreInPrometheusTextFormat() {
        ok(send("POST", "/v1/groups/orders/join", "{\"seeds\": [\"10.0.0.7:29100\"]}"));
        node.packets.deliver(new byte[20]);
        assertThat(node.manager.decodeErrors().get(CodecException.Reason.BAD_MAGIC)).isEqualTo(1);

        Reply r = get("/metrics");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.contentType()).startsWith("text/plain");
        assertThat(r.body()).contains(
                "scalesmall_decode_errors_total{reason=\"BAD_MAGIC\"} 1.0",
                "scalesmall_decode_errors_total{reason=\"AUTHENTICATION_FAILED\"} 0.0",
                "scalesmall_transport_messages_total{direction=\"in\",transport=\"udp\"} 1.0",
                "scalesmall_transport_bytes_total{direction=\"in\",transport=\"udp\"} 20.0",
                "scalesmall_transport_messages_total{direction=\"out\",transport=\"tcp\"}",
                "scalesmall_transport_dropped_total{transport=\"tcp\"} 0.0",
                "scalesmall_core_merges_total", "scalesmall_core_changes_total",
                "scalesmall_core_anti_entropy_rounds_total", "scalesmall_core_broadcasts_total",
                "scalesmall_core_duplicates_total", "scalesmall_core_refutations_total",
                "scalesmall_tcp_connections_open 0.0",
                "scalesmall_members{state=\"alive\"} 1.0", "scalesmall_members{state=\"dead\"} 0.0",
                "scalesmall_member_state_changes_total{to=\"suspect\"} 0.0");
    }

    @Test
    void anUnexpectedFailureIs500AndTheServerKeepsServing() {
        AtomicBoolean fail = new AtomicBoolean(true);
        PrometheusMeterRegistry flaky = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) {
            @Override
            public String scrape() {
                if (fail.getAndSet(false)) {
                    throw new UnsupportedOperationException("boom");
                }
                return super.scrape();
            }
        };
        InProcessNode n = track(new InProcessNode(29002, flaky));
        HttpRequest req = HttpRequest.newBuilder(URI.create(n.baseUrl() + "/metrics")).build();
        HttpResponse<String> first = sendQuietly(req);
        assertThat(first.statusCode()).isEqualTo(500);
        assertThat(first.body()).contains("\"error\"", "boom");
        assertThat(first.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(sendQuietly(req).statusCode()).isEqualTo(200);
    }

    @Test
    void aClosedManagerIs503() {
        node.manager.close();
        Reply r = get("/v1/groups");
        assertThat(r.status()).isEqualTo(503);
        assertThat(r.error()).contains("closed");
    }

    @Test
    void startAndCloseAreIdempotent() throws IOException {
        int port = node.admin.address().getPort();
        assertThat(port).isPositive();
        node.admin.start();
        assertThat(node.admin.address().getPort()).isEqualTo(port);
        node.admin.close();
        node.admin.close();
        assertThatThrownBy(node.admin::address).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        assertThatThrownBy(node.admin::start).isInstanceOf(IllegalStateException.class);
    }

    private static HttpResponse<String> sendQuietly(HttpRequest req) {
        try {
            return HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
