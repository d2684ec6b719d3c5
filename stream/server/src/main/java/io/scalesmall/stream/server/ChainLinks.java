package io.scalesmall.stream.server;

import io.netty.channel.EventLoopGroup;
import io.scalesmall.log.MessageBatch;
import io.scalesmall.log.MessageLog;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The chain links of one server: at most one {@link ChainLink} per stream, shared by every session that needs the
 * stream replicated (client sessions at the head asking for more than one copy, replication sessions at a middle
 * node). It is also the {@link LogAppender.Forwarder}: each stored batch goes to its stream's link, if there is one
 * (one map lookup per batch; none when the server replicates nothing). Thread-safe.
 *
 * @see ChainLink for the link's life (created on first use, closed once unused and caught up)
 */
final class ChainLinks implements LogAppender.Forwarder {
    private final ConcurrentHashMap<String, ChainLink> links = new ConcurrentHashMap<>();
    private final MessageLog log;
    private final ChainResolver resolver;
    private final ChainTimings timings;
    private final ServerStats stats;
    private final EventLoopGroup loops;
    private final FetchWaiters waiters;
    /** This node's id in hex, the first word of the links' log lines. */
    private final String self;
    /** Per stream headed here: the end below which every chain member held it when last reported; only rises. */
    private final ConcurrentHashMap<String, Long> committed = new ConcurrentHashMap<>();

    ChainLinks(MessageLog log, ChainResolver resolver, ChainTimings timings, ServerStats stats, EventLoopGroup loops,
            FetchWaiters waiters) {
        this.waiters = waiters;
        this.log = log;
        this.resolver = resolver;
        this.timings = timings;
        this.stats = stats;
        this.loops = loops;
        this.self = HexFormat.of().formatHex(resolver.selfId());
    }

    /**
     * Gets (or creates) the stream's link and registers a user.
     *
     * @param downCopies copies the user needs beyond this node, 1..254 (the downstream INIT's redundancy); a link
     *                   serving fewer reconnects to ask for more
     * @param hop        the hop number of the downstream INIT, 1..255
     * @param exclude    ids the next member must not be (this node's id is added by the link)
     * @param listener   runs on the link's event loop whenever its downstream watermarks change; must not block
     */
    ChainLink acquire(String stream, int downCopies, int hop, List<byte[]> exclude, Runnable listener) {
        while (true) {
            ChainLink l = links.computeIfAbsent(stream, s -> new ChainLink(this, s, loops.next()));
            if (l.retain(downCopies, hop, exclude, listener)) {
                return l;
            }
            links.remove(stream, l);
        }
    }

    /** A user is done with a link it acquired (its session ended). */
    void release(ChainLink link, Runnable listener) {
        link.release(listener);
    }

    /**
     * Hands a stored batch to its stream's link, as copies ({@link MessageBatch#toList()}): the link ships it later,
     * on its own event loop, when the view (a frame buffer at the head) is released already. No copy without a link.
     */
    @Override
    public void appended(String stream, long firstOffset, long producerId, long firstSequence, MessageBatch messages) {
        if (links.isEmpty()) {
            return;
        }
        ChainLink l = links.get(stream);
        if (l != null) {
            l.appended(firstOffset, producerId, firstSequence, messages.toList());
        }
    }

    /**
     * A link's member reported (CHAIN_ACK): if this node heads the stream's chain, raises the stream's committed
     * end to what every member the link reaches holds in memory, and wakes the stream's parked FETCHes when it rose.
     *
     * <p>The members counted are those of the chain the link reaches: {@code chain size - 1} copies after this node,
     * fewer while a member the link had to skip (connection refused or lost, left out for the failure backoff) is
     * still in the chain -- Kafka's high watermark over the in-sync replicas, which shrink the same way. So a crashed
     * member does not stop consumers until failure detection drops it from the route; what they read is held by
     * every member still reached, and a head failing over to one of those keeps it.
     */
    void reported(String stream, long key, Watermarks down) {
        List<ChainResolver.Member> chain = resolver.chain(stream, key);
        if (chain.size() <= 1 || !chain.get(0).is(resolver.selfId())) {
            return;
        }
        int reached = Math.min(chain.size() - 1, down.copies());
        if (reached < 1) {
            return;
        }
        long all = Math.min(down.deliveredEnd(reached), log.endOffset(stream));
        Long before = committed.get(stream);
        if (before == null || all > before) {
            long now = committed.merge(stream, all, Math::max);
            if (before == null || now > before) {
                waiters.appended(stream);
            }
        }
    }

    /** @return the end below which every member of the stream's chain held it when last reported, 0 if unknown */
    long committed(String stream) {
        Long c = committed.get(stream);
        return c == null ? 0 : c;
    }

    /** @return whether a link for the stream is open */
    boolean has(String stream) {
        return links.containsKey(stream);
    }

    /** A link closed itself. */
    void remove(ChainLink l) {
        links.remove(l.stream(), l);
    }

    /** @return links open now (tests, metrics) */
    int size() {
        return links.size();
    }

    /** Closes every link (the server stops). */
    void closeAll() {
        for (ChainLink l : links.values()) {
            l.close();
        }
        links.clear();
    }

    /** @return this node's id in hex (for log lines) */
    String self() {
        return self;
    }

    /** @return member ids ({@code byte[]} or {@link ByteBuffer} of a whole array) in hex, for log lines (DEBUG) */
    static List<String> ids(Collection<?> ids) {
        List<String> out = new ArrayList<>(ids.size());
        for (Object id : ids) {
            out.add(id instanceof ByteBuffer b ? HexFormat.of().formatHex(b.array())
                    : id instanceof byte[] a ? HexFormat.of().formatHex(a) : String.valueOf(id));
        }
        return out;
    }

    MessageLog log() {
        return log;
    }

    ChainResolver resolver() {
        return resolver;
    }

    ChainTimings timings() {
        return timings;
    }

    ServerStats stats() {
        return stats;
    }
}
