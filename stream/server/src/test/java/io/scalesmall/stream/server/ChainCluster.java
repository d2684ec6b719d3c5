package io.scalesmall.stream.server;

import io.scalesmall.log.MessageLog;
import io.scalesmall.log.ReadResult;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several {@link StreamServer}s on loopback in one JVM, each with its own log, sharing one chain that a test sets
 * (and changes, as placement would): a fixed {@link ChainResolver} per server over a shared list of members; a test
 * may give one node a view of its own ({@link #view}), as when its view of the topology lags.
 */
final class ChainCluster implements AutoCloseable {
    /** Makes the log of node {@code i}. */
    interface LogFactory {
        MessageLog open(int i) throws IOException;
    }

    /** The fast timings tests use: connect 1 s, retry 20 ms, failed members left out for 200 ms. */
    static final ChainTimings TIMINGS = new ChainTimings(Duration.ofSeconds(1), Duration.ofMillis(20),
            Duration.ofMillis(200));

    final List<MessageLog> logs = new ArrayList<>();
    final List<StreamServer> servers = new ArrayList<>();
    final List<ChainResolver.Member> members = new ArrayList<>();
    private final AtomicReference<List<ChainResolver.Member>> chain = new AtomicReference<>(List.of());
    /** Per node: its own view of every stream's chain, where a test set one ({@link #view}); null: the shared one. */
    private final List<AtomicReference<List<ChainResolver.Member>>> views = new ArrayList<>();
    private final boolean[] stopped;
    /** Per node: how many more of its chain links' ticks get an exception from the resolver (see failTicks). */
    private final AtomicInteger[] tickFaults;

    ChainCluster(int n, LogFactory logs) throws IOException {
        stopped = new boolean[n];
        tickFaults = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
            AtomicInteger faults = new AtomicInteger();
            tickFaults[i] = faults;
            AtomicReference<List<ChainResolver.Member>> view = new AtomicReference<>();
            views.add(view);
            byte[] id = ("node" + i).getBytes(StandardCharsets.UTF_8);
            MessageLog log = logs.open(i);
            this.logs.add(log);
            ChainResolver r = new ChainResolver() {
                @Override
                public byte[] selfId() {
                    return id.clone();
                }

                @Override
                public List<Member> chain(String stream, long key) {
                    if (faults.get() > 0 && calledFromTick() && faults.getAndDecrement() > 0) {
                        throw new IllegalStateException("injected: the resolver failed during a chain link's tick");
                    }
                    List<Member> own = view.get();
                    return own != null ? own : chain.get();
                }
            };
            StreamServer s = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(2), r, TIMINGS);
            servers.add(s);
            members.add(new ChainResolver.Member(id, s.address()));
        }
    }

    /** The next {@code n} times a chain link of node {@code i} asks the resolver in its periodic tick, it throws. */
    void failTicks(int i, int n) {
        tickFaults[i].set(n);
    }

    /** How many injected tick failures of node {@code i} are still to come. */
    int tickFaultsLeft(int i) {
        return Math.max(0, tickFaults[i].get());
    }

    private static boolean calledFromTick() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(ChainLink.class.getName()) && f.getMethodName().equals("tick")));
    }

    /** Sets every stream's chain to these nodes, head first, in every node's view (ending any {@link #view}). */
    void chain(int... nodes) {
        views.forEach(v -> v.set(null));
        chain.set(membersOf(nodes));
    }

    /** Sets every stream's chain to these nodes, head first, in node {@code node}'s view only (one lagging behind). */
    void view(int node, int... nodes) {
        views.get(node).set(membersOf(nodes));
    }

    private List<ChainResolver.Member> membersOf(int... nodes) {
        List<ChainResolver.Member> c = new ArrayList<>();
        for (int i : nodes) {
            c.add(members.get(i));
        }
        return List.copyOf(c);
    }

    /** Sets every stream's chain to these members (e.g. one reached through a proxy), head first, in every view. */
    void chainOf(List<ChainResolver.Member> c) {
        views.forEach(v -> v.set(null));
        chain.set(List.copyOf(c));
    }

    InetSocketAddress address(int i) {
        return members.get(i).address();
    }

    /** Closes node i's server (its log stays readable for the test). */
    void kill(int i) {
        stopped[i] = true;
        servers.get(i).close();
    }

    /** @return every message of the stream in node i's log, from offset 0 */
    List<byte[]> read(int i, String stream) throws IOException {
        MessageLog log = logs.get(i);
        List<byte[]> out = new ArrayList<>();
        long at = log.firstOffset(stream);
        while (at < log.endOffset(stream)) {
            ReadResult r = log.read(stream, at, 10_000, 1 << 20);
            out.addAll(r.messages());
            at = r.nextOffset();
        }
        return out;
    }

    long end(int i, String stream) {
        return logs.get(i).endOffset(stream);
    }

    @Override
    public void close() throws IOException {
        for (int i = 0; i < servers.size(); i++) {
            if (!stopped[i]) {
                servers.get(i).close();
            }
        }
        for (MessageLog l : logs) {
            l.close();
        }
    }
}
