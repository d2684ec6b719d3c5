package io.scalesmall.cli.stream;

import io.scalesmall.log.MemoryMessageLog;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.ReadResult;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.stream.server.ChainTimings;
import io.scalesmall.stream.server.StreamServer;
import io.scalesmall.stream.server.StreamServerConfig;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several {@link StreamServer}s on loopback in one JVM, each with its own in-memory log, and a chain the test sets
 * and changes (as placement would): one for every server, or, to stage disagreements, one per server.
 */
final class LoopbackChain implements AutoCloseable {
    /** Fast chain timings: connect 1 s, retry 20 ms, failed members left out 200 ms. */
    static final ChainTimings TIMINGS = new ChainTimings(Duration.ofSeconds(1), Duration.ofMillis(20),
            Duration.ofMillis(200));

    final List<MessageLog> logs = new ArrayList<>();
    final List<StreamServer> servers = new ArrayList<>();
    final List<ChainResolver.Member> members = new ArrayList<>();
    private final List<AtomicReference<List<ChainResolver.Member>>> chains = new ArrayList<>();
    private final boolean[] stopped;

    LoopbackChain(int n) throws IOException {
        stopped = new boolean[n];
        for (int i = 0; i < n; i++) {
            byte[] id = ("node" + i).getBytes(StandardCharsets.UTF_8);
            AtomicReference<List<ChainResolver.Member>> chain = new AtomicReference<>(List.of());
            chains.add(chain);
            MessageLog log = new MemoryMessageLog();
            logs.add(log);
            StreamServer s = StreamServer.start(log, StreamServerConfig.loopback().withIoThreads(1),
                    new ChainResolver() {
                        @Override
                        public byte[] selfId() {
                            return id.clone();
                        }

                        @Override
                        public List<Member> chain(String stream, long key) {
                            return chain.get();
                        }
                    }, TIMINGS);
            servers.add(s);
            members.add(new ChainResolver.Member(id, s.address()));
        }
    }

    /** Sets every server's chain (of every stream) to these nodes, head first. */
    LoopbackChain chain(int... nodes) {
        for (int i = 0; i < chains.size(); i++) {
            chainAt(i, nodes);
        }
        return this;
    }

    /** Sets what server {@code at} believes the chain is. */
    LoopbackChain chainAt(int at, int... nodes) {
        List<ChainResolver.Member> c = new ArrayList<>();
        for (int i : nodes) {
            c.add(members.get(i));
        }
        chains.get(at).set(List.copyOf(c));
        return this;
    }

    InetSocketAddress address(int i) {
        return members.get(i).address();
    }

    /** @return the addresses of these nodes, in this order */
    List<InetSocketAddress> addresses(int... nodes) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i : nodes) {
            out.add(address(i));
        }
        return out;
    }

    /** Stops node i's server (its connections close, its port refuses); its log stays readable. */
    void kill(int i) {
        stopped[i] = true;
        servers.get(i).close();
    }

    /** @return every message of the stream in node i's log, from its first offset */
    List<String> read(int i, String stream) throws IOException {
        MessageLog log = logs.get(i);
        List<String> out = new ArrayList<>();
        long at = log.firstOffset(stream);
        while (at < log.endOffset(stream)) {
            ReadResult r = log.read(stream, at, 10_000, 1 << 20);
            for (byte[] m : r.messages()) {
                out.add(new String(m, StandardCharsets.UTF_8));
            }
            at = r.nextOffset();
        }
        return out;
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
