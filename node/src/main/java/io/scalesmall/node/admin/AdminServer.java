package io.scalesmall.node.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.topology.GroupState;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's admin HTTP endpoint: read the node's groups and topology, join and leave, add and remove items,
 * and scrape metrics. Built on the JDK's {@code com.sun.net.httpserver}; every response is
 * {@code application/json} except {@code /metrics} (Prometheus text format).
 *
 * <pre>
 * GET    /v1/node                       {"id", "version", "uptime_ms", "groups": [groups this node is in]}
 * GET    /v1/groups                     {"groups": [{"name", "member", "members": count of alive and suspect}]}
 * GET    /v1/groups/{g}/members         {"group", "members": [member], "down": [member]}
 * GET    /v1/groups/{g}/topology[?op=]  {"group", "digest", "items": [item]}   op: ADD, RMV or GET
 * GET    /v1/groups/{g}/ring            the ring this node computed for the group (io.scalesmall.node.RingJson);
 *                                       404 when the node does not place data in the group
 * POST   /v1/groups/{g}/join            body optional: {"seeds": ["ip:port", ...]}  → {"group", "member", "members"}
 * POST   /v1/groups/{g}/leave           → {"group", "member", "members"}
 * POST   /v1/groups/{g}/items           body {"start", "end", "port", "priority"?}  → the item written
 * DELETE /v1/groups/{g}/items           body {"start", "end"} → the tombstone written
 * GET    /metrics                       whatever is bound to the registry (e.g. {@link NodeMetrics})
 *
 * item = {"member", "op", "start", "end", "port", "priority", "clock": {"incarnation", "counter"}, "timestamp_ms"}
 * member = {"id": "ip:port", "state": "alive|suspect|dead|left", "incarnation": topology incarnation or null}
 * </pre>
 *
 * {@code members} lists the members that count (state alive or suspect: in routes and member counts),
 * {@code down} those the failure detector holds dead or left whose items are kept until the TTL (see
 * {@code AdminApi#members}). A group this node has
 * never heard of reads as empty (groups are implicit), not as 404. {@code {g}} is percent-decoded ({@code +}
 * stays a plus) and must be a valid group name ({@link GroupState#checkGroupName}).
 *
 * <p>Errors answer {@code {"error": message}}: 400 for bad JSON, a missing or invalid field or a bad group
 * name (the message names the field and the value); 404 for an unknown path; 405 (with {@code Allow}) for a
 * wrong method; 413 for a body over {@value #MAX_BODY_BYTES} bytes; 503 when the node is closed or its core
 * thread does not answer; 500 for anything unexpected, which is logged, and the server keeps serving.
 *
 * <p>Threading: requests run on a fixed pool of {@value #THREADS} daemon threads; each call into the
 * {@link GroupManager} waits for its core thread. {@link #start} and {@link #close} may be called from any
 * thread. No authentication: bind it to loopback or a management network.
 */
public final class AdminServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);
    /** Largest request body accepted, bytes; a larger one gets 413. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** Request threads: admin traffic is light, and every call serialises on the core thread anyway. */
    private static final int THREADS = 4;
    private static final String JSON = "application/json; charset=utf-8";
    /** The content type {@link PrometheusMeterRegistry#scrape()} writes (text format 0.0.4). */
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    /**
     * The JDK server writes a response's headers and body in two segments; with Nagle's algorithm on, the body
     * then waits for the client's delayed ACK (about 40 ms per request on Linux). The switch is JVM-wide and
     * read once, when the first JDK HTTP server is created; an explicit setting (-D...) is left alone.
     */
    private static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    static {
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
    }

    private final AdminApi api;
    /** Group -> its ring document, or null when the node does not place data in that group. */
    private final Function<String, JsonNode> rings;
    private final PrometheusMeterRegistry registry;
    private final InetSocketAddress bind;
    private final String nodeId;
    /** Guards server, pool and closed. */
    private final Object lock = new Object();
    private HttpServer server;
    private ExecutorService pool;
    private boolean closed;

    /**
     * @param manager   the node's groups, non-null; not closed by this server
     * @param registry  what {@code /metrics} scrapes, non-null
     * @param version   the node's version, shown by {@code /v1/node}
     * @param startedAt when the node started; {@code uptime_ms} counts from it
     * @param bind      where to listen; port 0 picks a free port (see {@link #address()})
     */
    public AdminServer(GroupManager manager, PrometheusMeterRegistry registry, String version, Instant startedAt,
            InetSocketAddress bind) {
        this(manager, registry, version, startedAt, bind, Clock.systemUTC(), g -> null);
    }

    /**
     * As the first constructor, also serving {@code GET /v1/groups/{g}/ring}.
     *
     * @param rings group -> its ring document, or null (404) when the node does not place data there; called on a
     *              request thread, must be thread-safe
     */
    public AdminServer(GroupManager manager, PrometheusMeterRegistry registry, String version, Instant startedAt,
            InetSocketAddress bind, Function<String, JsonNode> rings) {
        this(manager, registry, version, startedAt, bind, Clock.systemUTC(), rings);
    }

    /** As the public constructor, reading uptime from {@code clock}. */
    AdminServer(GroupManager manager, PrometheusMeterRegistry registry, String version, Instant startedAt,
            InetSocketAddress bind, Clock clock) {
        this(manager, registry, version, startedAt, bind, clock, g -> null);
    }

    private AdminServer(GroupManager manager, PrometheusMeterRegistry registry, String version, Instant startedAt,
            InetSocketAddress bind, Clock clock, Function<String, JsonNode> rings) {
        Objects.requireNonNull(manager, "manager");
        this.rings = Objects.requireNonNull(rings, "rings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.bind = Objects.requireNonNull(bind, "bind");
        this.api = new AdminApi(manager, Objects.requireNonNull(version, "version"),
                Objects.requireNonNull(startedAt, "startedAt"), clock);
        this.nodeId = manager.myId().toString();
    }

    /**
     * Binds and starts serving. Idempotent while running.
     *
     * @throws IOException           if the address cannot be bound
     * @throws IllegalStateException if the server was closed
     */
    public void start() throws IOException {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("admin server of " + nodeId + " is closed");
            }
            if (server != null) {
                return;
            }
            HttpServer s = HttpServer.create(bind, 64);
            AtomicInteger n = new AtomicInteger();
            ExecutorService p = Executors.newFixedThreadPool(THREADS, r -> {
                Thread t = new Thread(r, "scalesmall-admin-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            s.setExecutor(p);
            s.createContext("/", this::handle);
            s.start();
            server = s;
            pool = p;
            LOG.info("{} admin endpoint listening on {}", nodeId, s.getAddress());
        }
    }

    /**
     * @return the address actually bound (the real port when {@code bind} asked for port 0)
     * @throws IllegalStateException if not started, or closed
     */
    public InetSocketAddress address() {
        synchronized (lock) {
            if (server == null) {
                throw new IllegalStateException("admin server of " + nodeId + " is " + (closed ? "closed" : "not started"));
            }
            return server.getAddress();
        }
    }

    /** Stops listening, drops open connections (requests in flight are cut off) and stops the threads. Idempotent. */
    @Override
    public void close() {
        HttpServer s;
        ExecutorService p;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            s = server;
            p = pool;
            server = null;
            pool = null;
        }
        if (s == null) {
            return;
        }
        // stop(0): on JDK 17 a positive delay waits it out in full even when idle (JDK-8304065).
        s.stop(0);
        p.shutdown();
        try {
            if (!p.awaitTermination(2, TimeUnit.SECONDS)) {
                p.shutdownNow();
            }
        } catch (InterruptedException e) {
            p.shutdownNow();
            Thread.currentThread().interrupt();
        }
        LOG.info("{} admin endpoint closed", nodeId);
    }

    /** A response: status, content type, body and (for a 405) the {@code Allow} header. */
    private record Response(int status, String contentType, byte[] body, String allow) {
        static Response json(int status, JsonNode doc) {
            try {
                return new Response(status, JSON, RequestBodies.MAPPER.writeValueAsBytes(doc), null);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot serialise a response tree", e);
            }
        }

        static Response error(int status, String message, String allow) {
            Response r = json(status, RequestBodies.MAPPER.createObjectNode().put("error", message));
            return new Response(status, r.contentType, r.body, allow);
        }
    }

    private void handle(HttpExchange ex) {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getRawPath();
        Response r;
        try {
            r = route(ex, method, path);
        } catch (ApiException e) {
            r = Response.error(e.status(), e.getMessage(), e.allow());
        } catch (IllegalArgumentException e) {
            // GroupManager's contract: IllegalArgumentException names the field and value it refused.
            r = Response.error(400, e.getMessage(), null);
        } catch (IllegalStateException e) {
            // GroupManager closed, or its core thread did not answer in time.
            r = Response.error(503, "node unavailable: " + e.getMessage(), null);
        } catch (IOException e) {
            LOG.debug("{} admin: {} {}: could not read the request: {}", nodeId, method, path, e.toString());
            ex.close();
            return;
        } catch (RuntimeException e) {
            LOG.warn("{} admin: {} {} failed", nodeId, method, path, e);
            r = Response.error(500, "internal error: " + e, null);
        }
        LOG.debug("{} admin: {} {} -> {}", nodeId, method, path, r.status());
        try (ex) {
            ex.getResponseHeaders().set("Content-Type", r.contentType());
            if (r.allow() != null) {
                ex.getResponseHeaders().set("Allow", r.allow());
            }
            ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(r.body());
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("{} admin: {} {}: could not send the response: {}", nodeId, method, path, e.toString());
        }
    }

    private Response route(HttpExchange ex, String method, String path) throws IOException {
        switch (path) {
            case "/metrics":
                allow(method, path, "GET");
                return new Response(200, PROMETHEUS_TEXT, registry.scrape().getBytes(StandardCharsets.UTF_8), null);
            case "/v1/node":
                allow(method, path, "GET");
                return Response.json(200, api.node());
            case "/v1/groups":
                allow(method, path, "GET");
                return Response.json(200, api.groups());
            default:
                break;
        }
        String[] seg = path.split("/", -1);
        if (seg.length != 5 || !seg[0].isEmpty() || !"v1".equals(seg[1]) || !"groups".equals(seg[2])) {
            throw new ApiException(404, "no such path: " + path);
        }
        String action = seg[4];
        switch (action) {
            case "members", "topology", "ring" -> allow(method, path, "GET");
            case "join", "leave" -> allow(method, path, "POST");
            case "items" -> allow(method, path, "POST, DELETE");
            default -> throw new ApiException(404, "no such path: " + path);
        }
        String group = RequestParts.decode(seg[3], "group");
        GroupState.checkGroupName(group);
        if (action.equals("ring")) {
            JsonNode ring = rings.apply(group);
            if (ring == null) {
                throw new ApiException(404, "this node does not place data in group " + group);
            }
            return Response.json(200, ring);
        }
        return Response.json(200, switch (action) {
            case "members" -> api.members(group);
            case "topology" -> api.topology(group, RequestParts.opParameter(ex.getRequestURI().getRawQuery()));
            case "join" -> api.join(group, RequestBodies.seeds(RequestParts.body(ex, MAX_BODY_BYTES)));
            case "leave" -> api.leave(group);
            default -> "POST".equals(method)
                    ? api.addItem(group, RequestBodies.item(RequestParts.body(ex, MAX_BODY_BYTES), true))
                    : api.removeItem(group, RequestBodies.item(RequestParts.body(ex, MAX_BODY_BYTES), false));
        });
    }

    private static void allow(String method, String path, String allowed) {
        for (String m : allowed.split(", ")) {
            if (m.equals(method)) {
                return;
            }
        }
        throw ApiException.methodNotAllowed(method, path, allowed);
    }
}
