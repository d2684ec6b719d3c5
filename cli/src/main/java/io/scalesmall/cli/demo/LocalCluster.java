package io.scalesmall.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A local cluster for the demo: N real node processes ({@code scalesmall node}, each its own JVM) on loopback, with
 * free ports, multicast off and every node seeded with the first, their data under one temporary directory and
 * their output in {@code node-I.out} there. {@link #kill} is {@code kill -9} (SIGKILL: no leave, no flush).
 *
 * <p>Only loopback addresses are used. Not thread-safe: one demo thread drives it. {@link #close} kills what is
 * still running and deletes the directory unless asked to keep it.
 */
final class LocalCluster implements AutoCloseable {
    static final String GROUP = "demo";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration HTTP_TIMEOUT = Duration.ofSeconds(2);

    /** One node process: its ports (gossip, data, admin HTTP) and the process while it runs. */
    static final class NodeProcess {
        final int index;
        final int gossipPort;
        final int dataPort;
        final int httpPort;
        final int weight;
        Process process;

        NodeProcess(int index, int gossipPort, int dataPort, int httpPort, int weight) {
            this.index = index;
            this.gossipPort = gossipPort;
            this.dataPort = dataPort;
            this.httpPort = httpPort;
            this.weight = weight;
        }

        String id() {
            return "127.0.0.1:" + gossipPort;
        }

        InetSocketAddress dataAddress() {
            return new InetSocketAddress("127.0.0.1", dataPort);
        }

        boolean alive() {
            return process != null && process.isAlive();
        }
    }

    private final Path dir;
    private final boolean keep;
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(HTTP_TIMEOUT).build();

    private LocalCluster(Path dir, boolean keep) {
        this.dir = dir;
        this.keep = keep;
    }

    /**
     * Starts {@code weights.length} node processes (node I with weight {@code weights[I]}) and returns at once;
     * see {@link #awaitReady}.
     *
     * @param replicas R, the copies each key's chain holds
     * @param extra    more flags for every node (e.g. a disk budget)
     * @throws IOException if the directory or a process cannot be created
     */
    static LocalCluster start(int[] weights, int replicas, boolean keep, List<String> extra) throws IOException {
        LocalCluster c = new LocalCluster(Files.createTempDirectory("scalesmall-demo-"), keep);
        try {
            for (int i = 0; i < weights.length; i++) {
                c.nodes.add(new NodeProcess(i, freePort(), freePort(), freePort(), weights[i]));
            }
            for (NodeProcess n : c.nodes) {
                c.launch(n, replicas, extra);
            }
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
        return c;
    }

    private void launch(NodeProcess n, int replicas, List<String> extra) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), "io.scalesmall.cli.Main", "node",
                "--bind=127.0.0.1", "--port=" + n.gossipPort, "--data-port=" + n.dataPort,
                "--http=127.0.0.1:" + n.httpPort, "--multicast=off", "--group=" + GROUP,
                "--data-dir=" + dir.resolve("node-" + n.index), "--weight=" + n.weight, "--replicas=" + replicas));
        if (n.index > 0) {
            cmd.add("--seeds=" + nodes.get(0).id());
        }
        cmd.addAll(extra);
        Path out = dir.resolve("node-" + n.index + ".out");
        n.process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile())).start();
    }

    List<NodeProcess> nodes() {
        return nodes;
    }

    Path dir() {
        return dir;
    }

    /** @return the data addresses of the nodes still running */
    List<InetSocketAddress> dataAddresses() {
        return nodes.stream().filter(NodeProcess::alive).map(NodeProcess::dataAddress).toList();
    }

    /** {@code kill -9}: the process ends at once, with no leave and no flush. Waits until it is gone. */
    void kill(NodeProcess n) throws InterruptedException {
        n.process.destroyForcibly();
        n.process.waitFor();
    }

    /**
     * @return {@code GET /v1/groups/demo/<what>} of node {@code n}, or empty if it does not answer now
     */
    Optional<JsonNode> admin(NodeProcess n, String what) {
        HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + n.httpPort + "/v1/groups/" + GROUP
                + "/" + what)).timeout(HTTP_TIMEOUT).GET().build();
        try {
            HttpResponse<String> a = http.send(r, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            return a.statusCode() == 200 ? Optional.of(JSON.readTree(a.body())) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Waits until every running node answers, sees the others alive, and all of them show the same settled ring
     * with exactly the running nodes in it.
     *
     * @return the ring document of the first running node
     * @throws IOException naming the node and quoting its output when a process exited or the wait timed out
     */
    JsonNode awaitRing(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String why = "no answer yet";
        while (System.nanoTime() < deadline) {
            List<NodeProcess> running = nodes.stream().filter(NodeProcess::alive).toList();
            for (NodeProcess n : nodes) {
                if (n.process != null && !n.process.isAlive() && n.process.exitValue() != 137) {
                    throw new IOException("node " + n.index + " exited with " + n.process.exitValue() + ":\n"
                            + tail(n, 20));
                }
            }
            JsonNode first = null;
            boolean ready = true;
            for (NodeProcess n : running) {
                Optional<JsonNode> ring = admin(n, "ring");
                if (ring.isEmpty()) {
                    why = "node " + n.index + " does not answer on its admin port yet";
                    ready = false;
                    break;
                }
                JsonNode r = ring.get();
                if (!r.path("settled").asBoolean() || r.path("members").size() != running.size()) {
                    why = "node " + n.index + " sees " + r.path("members").size() + " of " + running.size()
                            + " members" + (r.path("settled").asBoolean() ? "" : ", ring not settled");
                    ready = false;
                    break;
                }
                if (first == null) {
                    first = r;
                } else if (!first.path("arcs").equals(r.path("arcs"))) {
                    why = "node " + n.index + "'s ring differs from node " + running.get(0).index + "'s";
                    ready = false;
                    break;
                }
            }
            if (ready && first != null) {
                return first;
            }
            Thread.sleep(100);
        }
        throw new IOException("the cluster did not settle within " + timeout.toSeconds() + " s: " + why
                + "; node outputs are in " + dir);
    }

    /** @return the last lines of node {@code n}'s output, for an error message */
    String tail(NodeProcess n, int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("node-" + n.index + ".out"));
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        for (NodeProcess n : nodes) {
            if (n.process != null) {
                n.process.destroyForcibly();
            }
        }
        for (NodeProcess n : nodes) {
            if (n.process != null) {
                try {
                    n.process.waitFor();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        if (!keep) {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                // Best effort: a temporary directory.
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
