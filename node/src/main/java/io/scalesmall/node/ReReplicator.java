package io.scalesmall.node;

import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.topology.StreamKeys;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Restores R copies of the streams this node holds when their chains change (issue 6: a member died, left or
 * joined), with or without a producer. Every {@code tick} it looks whether the data group's chains may have changed
 * ({@link TopologyChainResolver#version()}); if so, for every stream this node holds ({@link TrackedLog#names()})
 * whose chain differs from the one last handled, it calls {@link StreamServer#ensureReplicated}: at the head, a
 * catch-up from the stream's other holders and replication down the chain until every member holds the stream; at
 * another holder, a request for the stream's offsets to the head, which makes the head do it (and at a middle
 * member without a link for it, replication to the members after it). A head whose run fails or times out is tried
 * again on the next tick; one that succeeds makes the next tick look at every stream again, since the chain may
 * have changed while it ran (a look skips a stream under way).
 *
 * <p>Limits: streams recovered from an earlier life of the node, not appended to since, are unknown to
 * {@link TrackedLog} and not looked at. Threads: one daemon thread of its own; {@link #close()} from any thread.
 */
final class ReReplicator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReReplicator.class);

    private final TrackedLog log;
    private final Function<String, CompletableFuture<Boolean>> ensure;
    private final TopologyChainResolver resolver;
    private final ScheduledExecutorService exec;
    // ---- driver thread ----
    private long seenVersion = -1;
    /** Per stream: the chain last handled successfully (or handed to the head). */
    private final Map<String, List<ChainResolver.Member>> handled = new HashMap<>();
    /** Streams whose run is under way. */
    private final Map<String, CompletableFuture<Boolean>> running = new ConcurrentHashMap<>();
    /** A run ended since the last look at every stream: its chain may have changed while it ran. */
    private boolean rescan;

    /**
     * @param ensure the stream server's {@link StreamServer#ensureReplicated} (a test's stand-in); called on the
     *               driver thread, must not block
     * @param name   the thread's name suffix
     */
    ReReplicator(TrackedLog log, Function<String, CompletableFuture<Boolean>> ensure, TopologyChainResolver resolver,
            String name) {
        this.log = log;
        this.ensure = ensure;
        this.resolver = resolver;
        this.exec = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "scalesmall-rereplicate-" + name);
            t.setDaemon(true);
            return t;
        });
    }

    /** Starts looking every {@code tick}. */
    void start(Duration tick) {
        long ms = Math.max(1, tick.toMillis());
        exec.scheduleWithFixedDelay(this::safeStep, ms, ms, TimeUnit.MILLISECONDS);
    }

    private void safeStep() {
        try {
            step();
        } catch (RuntimeException e) {
            LOG.warn("re-replication step failed; retrying next tick: {}", e.toString());
        }
    }

    /** One look: acts on the streams whose chain changed since last handled. Driver thread only. */
    void step() {
        long v = resolver.version();
        boolean changed = v != seenVersion;
        seenVersion = v;
        if (!changed && !rescan && handled.size() >= log.names().size() && running.isEmpty()) {
            return;
        }
        rescan = false;
        byte[] self = resolver.selfId();
        for (String stream : log.names()) {
            if (running.containsKey(stream)) {
                continue;
            }
            List<ChainResolver.Member> chain = resolver.chain(stream, StreamKeys.keyOf(stream));
            if (chain.equals(handled.get(stream)) || chain.isEmpty()) {
                continue;
            }
            boolean head = chain.get(0).is(self);
            CompletableFuture<Boolean> f = ensure.apply(stream);
            if (!head) {
                handled.put(stream, chain); // the head was told; it takes it from there
                continue;
            }
            running.put(stream, f);
            f.whenComplete((ok, failure) -> exec.execute(() -> {
                running.remove(stream);
                rescan = true;
                if (failure == null && ok) {
                    handled.put(stream, chain);
                } else {
                    handled.remove(stream); // tried again next tick
                    LOG.debug("stream '{}': re-replication not done: {}", stream,
                            failure != null ? failure.toString() : "timed out or no longer head");
                }
            }));
        }
    }

    @Override
    public void close() {
        exec.shutdownNow();
        try {
            exec.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
