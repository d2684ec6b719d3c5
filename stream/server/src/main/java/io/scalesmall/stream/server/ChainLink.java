package io.scalesmall.stream.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import io.scalesmall.log.MessageLog;
import io.scalesmall.log.StoredBatch;
import io.scalesmall.stream.protocol.AckMode;
import io.scalesmall.stream.protocol.ChainAckFrame;
import io.scalesmall.stream.protocol.ErrorCode;
import io.scalesmall.stream.protocol.ErrorFrame;
import io.scalesmall.stream.protocol.FrameCodec;
import io.scalesmall.stream.protocol.InitFrame;
import io.scalesmall.stream.protocol.InitOkFrame;
import io.scalesmall.topology.StreamKeys;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's link to the next member of one stream's chain (chain replication after the author's sketch: INIT goes
 * down with the redundancy decremented, the hop incremented and this node added to the exclude list). It ships the
 * stream from this node's log: from the end offset the member reports in its first CHAIN_ACK (so a member that is
 * behind catches up first: it counts as a copy only of what it holds) up to this log's end, batch by batch as stored
 * with their producer ids and sequences ({@link MessageLog#readBatches}), then each batch as it is stored, with the
 * offsets this log gave it (REPLICATE). It keeps the member's latest watermarks
 * ({@link #watermarks()}) for the sessions that wait for copies.
 *
 * <p>Failover: when the connection fails (closed, refused, an ERROR), the member is left out for
 * {@link ChainTimings#failureBackoff()} and the link connects to the next eligible member of the chain (in
 * {@link ChainResolver#chain} order, not this node, not excluded); the new member reports its end and gets
 * everything from there, so nothing unacknowledged is lost, and its offset check makes resends harmless. With no
 * eligible member it looks again every {@link ChainTimings#retryInterval()}; sessions needing more copies than
 * remain simply get no ACK. A connected link keeps its member while the member stays in the chain.
 *
 * <p>Exclusions are per user (the INIT of each session from upstream): a member stays excluded only while some user
 * names it, and the link INITs again when the list shrinks.
 *
 * <p>Life: created by {@link ChainLinks#acquire}; once no session uses it and every copy it was asked for (as far as
 * the chain has members) holds everything, it closes -- at a node that no longer heads the stream, once the next
 * member holds what this node holds. Copies count only on a member still in the chain: an unused link whose member
 * left it re-forms to this node's successor (the next member after it) and closes once that one holds everything,
 * for the member that took the departed one's place may have no other source (MembershipChangeClusterTest's rare
 * stall: a middle member's view changed between two ticks, its users ended meanwhile, and its link closed on the
 * old tail's copy). A link used only by this node's head sessions at a node that no longer heads
 * the stream disconnects once its member has everything (those sessions cannot write), so that the old head leaves
 * its member's exclusions and can join the new chain; such a link that loses its member before is {@link #stranded()}
 * (it does not connect again), and its sessions send their producers to the new head rather than wait for copies.
 * Threads: the connection state lives on one event loop; {@link #retain}, {@link #release} and {@link #appended}
 * may be called from any thread.
 */
final class ChainLink {
    private static final Logger LOG = LoggerFactory.getLogger(ChainLink.class);
    /** The most messages one REPLICATE re-read from the log carries. */
    private static final int READ_MESSAGES = 4096;

    private final ChainLinks owner;
    private final String stream;
    private final long key;
    private final EventLoop loop;
    private final MessageLog log;
    private final Set<Runnable> listeners = new CopyOnWriteArraySet<>();

    // Guarded by this.
    private int refs;
    /** The users that are this node's own head sessions (hop 1): producers, and re-replication at the head. */
    private final Set<Runnable> headUsers = new HashSet<>();
    private boolean closed;
    private int downCopies;
    private int hop;
    /** The union of {@link #exclusions}' lists: members never chosen as the next one. */
    private final Set<ByteBuffer> exclude = new LinkedHashSet<>();
    /**
     * Each user's exclude list (its INIT's: the members upstream of this node as that user's chain had them). A
     * member is excluded only while a user names it, so that a chain re-formed in another order (an old head now
     * further down) can use it again once the users of the old order are gone.
     */
    private final Map<Runnable, Set<ByteBuffer>> exclusions = new HashMap<>();

    // Event-loop state.
    private Downstream current;
    /** The member's first CHAIN_ACK came: shipping runs. */
    private boolean ready;
    /** Offsets below this were written to the current member. */
    private long sentEnd;
    private int peerMaxFrame = StreamServerConfig.MIN_MAX_FRAME_BYTES;
    private boolean flushScheduled;
    private final Map<ByteBuffer, Long> failedUntil = new HashMap<>();
    /** Why the link has no member, as last logged (DEBUG); null while it has one. */
    private String idleWhy;
    /** The member's watermarks at the previous tick and how many ticks in a row they stayed while it lacked some. */
    private Watermarks lastTickDown = Watermarks.NONE;
    private int stalledTicks;
    private final ScheduledFuture<?> tick;

    private volatile Watermarks down = Watermarks.NONE;
    /** See {@link #stranded()}: written on the event loop, read by the sessions' loops. */
    private volatile boolean stranded;

    ChainLink(ChainLinks owner, String stream, EventLoop loop) {
        this.owner = owner;
        this.stream = stream;
        this.key = StreamKeys.keyOf(stream);
        this.loop = loop;
        this.log = owner.log();
        long every = owner.timings().retryInterval().toNanos();
        this.tick = loop.scheduleWithFixedDelay(this::safeTick, every, every, TimeUnit.NANOSECONDS);
    }

    String stream() {
        return stream;
    }

    /** @return the current member's watermarks (copies after this node); {@link Watermarks#NONE} while it has none */
    Watermarks watermarks() {
        return down;
    }

    /** Registers a user; false if the link closed meanwhile (the caller makes a new one). */
    synchronized boolean retain(int copies, int hopNumber, List<byte[]> excluded, Runnable listener) {
        if (closed) {
            return false;
        }
        refs++;
        listeners.add(listener);
        if (hopNumber == 1) {
            headUsers.add(listener);
        }
        boolean grew = false;
        Set<ByteBuffer> mine = exclusions.computeIfAbsent(listener, k -> new LinkedHashSet<>());
        for (byte[] e : excluded) {
            ByteBuffer id = ByteBuffer.wrap(e.clone());
            mine.add(id);
            grew |= exclude.add(id);
        }
        hop = Math.max(hop, hopNumber);
        boolean first = downCopies == 0;
        if (copies > downCopies) {
            grew = true;
            downCopies = copies;
        }
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} stream '{}': link user {} (hop {}, {} copies, excluding {}){}", owner.self(), stream, refs,
                    hopNumber, copies, ChainLinks.ids(excluded), first ? ": connecting" : grew ? ": INIT again" : "");
        }
        if (first) {
            loop.execute(this::connect);
        } else if (grew) {
            loop.execute(this::reconnect); // the member got an INIT asking less, or naming fewer exclusions
        }
        return true;
    }

    /** A user is done (its session ended); the link closes once it is unused and the member holds everything. */
    synchronized void release(Runnable listener) {
        refs--;
        listeners.remove(listener);
        headUsers.remove(listener);
        if (exclusions.remove(listener) != null) {
            Set<ByteBuffer> still = new LinkedHashSet<>();
            exclusions.values().forEach(still::addAll);
            if (exclude.retainAll(still) && !closed && refs > 0) {
                // A member excluded until now may be the next one, and the current member's INIT names exclusions
                // that no longer hold (they would keep it from the rest of the chain): INIT again.
                if (LOG.isDebugEnabled()) {
                    LOG.debug("{} stream '{}': a user left, exclusions now {}: INIT again", owner.self(), stream,
                            ChainLinks.ids(exclude));
                }
                loop.execute(this::reconnect);
            }
        }
    }

    /** A batch was stored in this node's log (called under the stream's append lock, from any thread). */
    void appended(long firstOffset, long producerId, long firstSequence, List<byte[]> messages) {
        loop.execute(() -> onAppended(firstOffset, producerId, firstSequence, messages));
    }

    private void onAppended(long firstOffset, long producerId, long firstSequence, List<byte[]> messages) {
        if (!ready) {
            return;
        }
        Channel ch = current.channel();
        if (firstOffset == sentEnd && ch.isWritable()
                && FrameCodec.replicateFrameBytes(messages) <= peerMaxFrame) {
            ByteBuf out = ch.alloc().buffer((int) FrameCodec.replicateFrameBytes(messages));
            FrameCodec.replicate(out, firstOffset, producerId, firstSequence, messages);
            ch.write(out, ch.voidPromise());
            sentEnd += messages.size();
            owner.stats().messagesReplicated.add(messages.size());
            scheduleFlush(ch);
        } else if (firstOffset + messages.size() > sentEnd) {
            pump();
        }
    }

    private void scheduleFlush(Channel ch) {
        if (!flushScheduled) {
            flushScheduled = true;
            loop.execute(() -> {
                flushScheduled = false;
                ch.flush();
            });
        }
    }

    /** Ships from the log what the member lacks, while the connection takes it. */
    private void pump() {
        if (!ready) {
            return;
        }
        Channel ch = current.channel();
        int maxBytes = Math.max(1, peerMaxFrame - FrameCodec.REPLICATE_OVERHEAD_BYTES
                - FrameCodec.PER_MESSAGE_BYTES * READ_MESSAGES - 64);
        try {
            while (ch.isWritable() && sentEnd < log.endOffset(stream)) {
                List<StoredBatch> read = log.readBatches(stream, sentEnd, READ_MESSAGES, maxBytes);
                if (read.isEmpty()) {
                    break;
                }
                for (StoredBatch b : read) { // as stored: the producer fields keep the member's idempotence state
                    ByteBuf out = ch.alloc().buffer((int) FrameCodec.replicateFrameBytes(b.messages()));
                    FrameCodec.replicate(out, b.firstOffset(), b.producerId(), b.firstSequence(), b.messages());
                    ch.write(out, ch.voidPromise());
                    sentEnd = b.endOffset();
                    owner.stats().messagesReplicated.add(b.messages().size());
                }
            }
        } catch (Exception e) { // the log failed, closed, or no longer holds what the member lacks (retention)
            LOG.warn("stream '{}': cannot ship offset {} to {}: {}", stream, sentEnd, current.member(), e.toString());
            onFailure(current, "cannot ship: " + e, true);
            return;
        }
        ch.flush();
    }

    void onWritable(Downstream d) {
        if (d == current) {
            pump();
        }
    }

    void onInitOk(Downstream d, InitOkFrame ok) {
        if (d == current) {
            peerMaxFrame = Math.min(ok.maxFrameBytes(), FrameCodec.HARD_MAX_FRAME_BYTES);
        }
    }

    void onAck(Downstream d, ChainAckFrame ack) {
        if (d != current) {
            return;
        }
        if (!ready) {
            // The first CHAIN_ACK reports the member alone: its end is where shipping starts.
            ready = true;
            sentEnd = ack.delivered()[0];
            long end = log.endOffset(stream);
            if (sentEnd > end) {
                LOG.warn("stream '{}': {} holds up to offset {}, this node only {}; it gets offsets from {} on",
                        stream, d.member(), sentEnd, end, sentEnd);
            }
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': {} ready at offset {}, this node at {}: shipping", owner.self(), stream,
                        d.member(), sentEnd, end);
            }
            pump();
        }
        down = Watermarks.of(ack);
        owner.reported(stream, key, down);
        notifyListeners();
    }

    void onError(Downstream d, ErrorFrame e) {
        boolean gap = e.errorCode() == ErrorCode.OFFSET_GAP;
        onFailure(d, d.member() + " refused: " + e.errorCode() + " " + e.text(), !gap);
        d.close();
    }

    /**
     * The connection to the member ended or failed: forget it and connect to the next eligible member.
     *
     * @param markFailed leave the member out for the failure backoff
     */
    void onFailure(Downstream d, String why, boolean markFailed) {
        if (d != current) {
            return;
        }
        LOG.info("{} stream '{}': chain link to {} lost ({}), re-forming", owner.self(), stream, d.member(), why);
        owner.stats().linkFailures.increment();
        if (markFailed) {
            long backoff = Math.max(owner.timings().failureBackoff().toNanos(),
                    owner.timings().retryInterval().toNanos());
            failedUntil.put(ByteBuffer.wrap(d.member().id()), System.nanoTime() + backoff);
        }
        drop();
        d.close();
        loop.execute(this::connect);
    }

    private void drop() {
        current = null;
        ready = false;
        if (down != Watermarks.NONE) {
            down = Watermarks.NONE;
            notifyListeners();
        }
    }

    private void notifyListeners() {
        for (Runnable r : listeners) {
            r.run();
        }
    }

    private void reconnect() {
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} stream '{}': re-forming the link (was {})", owner.self(), stream, current == null ? "none"
                    : current.member());
        }
        if (current != null) {
            Downstream d = current;
            drop();
            d.close();
        }
        connect();
    }

    private void connect() {
        synchronized (this) {
            if (current != null || closed || downCopies == 0) {
                return;
            }
        }
        if (demoted() && !isHead()) {
            idle("only head sessions use it and this node heads the stream no more");
            return; // see tick
        }
        ChainResolver.Member target = choose();
        if (target == null) {
            idle("no eligible member");
            return; // the tick looks again
        }
        idleWhy = null;
        InitFrame init;
        synchronized (this) {
            List<byte[]> ex = new ArrayList<>();
            ex.add(owner.resolver().selfId());
            for (ByteBuffer b : exclude) {
                ex.add(b.array());
            }
            long now = System.nanoTime();
            failedUntil.forEach((id, until) -> {
                if (until - now > 0) {
                    ex.add(id.array());
                }
            });
            init = new InitFrame(0, AckMode.disk(downCopies), downCopies, Math.min(255, hop), stream,
                    ex.subList(0, Math.min(ex.size(), InitFrame.MAX_EXCLUDE)));
        }
        owner.stats().linkConnects.increment();
        if (LOG.isDebugEnabled()) {
            LOG.debug("{} stream '{}': chain link to {} (chain {}, hop {}, {} copies, excluding {})", owner.self(),
                    stream, target, owner.resolver().chain(stream, key), init.hop(), init.redundancy(),
                    ChainLinks.ids(init.exclude()));
        }
        current = new Downstream(this, target, init);
        current.connect(loop, owner.timings().connectTimeout());
    }

    /** Logs (DEBUG, once per reason) why the link has no member; event loop only. */
    private void idle(String why) {
        if (LOG.isDebugEnabled() && !why.equals(idleWhy)) {
            synchronized (this) {
                LOG.debug("{} stream '{}': no downstream: {} (chain {}, excluded {}, failed lately {}, {} users, {} "
                        + "at the head)", owner.self(), stream, why, owner.resolver().chain(stream, key),
                        ChainLinks.ids(exclude), ChainLinks.ids(failedUntil.keySet()), refs, headUsers.size());
            }
        }
        idleWhy = why;
    }

    /**
     * @return the first member of the chain that is not this node, not excluded and not failed lately -- and, while
     *         the link has no user (none names the members upstream of this node), that comes after this node in the
     *         chain: an unused link still shipping what this node holds serves its successor, never a member before
     *         it (the head); or null
     */
    private ChainResolver.Member choose() {
        byte[] self = owner.resolver().selfId();
        long now = System.nanoTime();
        boolean past;
        synchronized (this) {
            past = refs > 0;
        }
        for (ChainResolver.Member m : owner.resolver().chain(stream, key)) {
            if (m.is(self)) {
                past = true;
                continue;
            }
            ByteBuffer id = ByteBuffer.wrap(m.id());
            Long until = failedUntil.get(id);
            if (past && !excluded(id) && (until == null || until - now <= 0)) {
                return m;
            }
        }
        return null;
    }

    private synchronized boolean excluded(ByteBuffer id) {
        return exclude.contains(id);
    }

    /**
     * {@link #tick}, logging what it throws instead of throwing it: a periodic task that throws is never run again, so
     * one failure (say, of the resolver while the ring changes) left the link for good without its tick -- a middle
     * member then never re-formed its link when the chain's tail changed, and the new tail got nothing
     * (ChainLinkTickTest; MembershipChangeClusterTest's rare stall).
     */
    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            LOG.warn("stream '{}': chain link tick failed; trying again in {} ms", stream,
                    owner.timings().retryInterval().toMillis(), e);
        }
    }

    /** Every retry interval: connect if unconnected, leave a member that left the chain, close when done. */
    private void tick() {
        long now = System.nanoTime();
        failedUntil.values().removeIf(until -> until - now <= 0);
        boolean done;
        int members = owner.resolver().chain(stream, key).size();
        boolean head = isHead();
        // A member that left the chain counts for nothing: were the link to close on its copies, the member that
        // took its place would get nothing (the sessions have ended, and the head counts copies, not members).
        boolean left = current != null && !stillInChain(current.member());
        synchronized (this) {
            // Unused, and at the head every copy it was asked for (that the chain can give) holds what this node
            // holds: not only the next member, or a tail still catching up would be left behind when the sessions
            // end. A node that is not the head any more leaves the rest to the head (its re-replication): waiting
            // for copies its own exclusions may keep from forming would hold the link open for ever.
            int want = head ? Math.max(1, Math.min(downCopies, members - 1)) : 1;
            done = refs <= 0 && (current == null && (members <= 1 || !head) || ready && !left
                    && sentEnd >= log.endOffset(stream) && down.deliveredThrough(sentEnd) >= want);
            closed |= done;
        }
        if (done) {
            if (LOG.isDebugEnabled()) {
                LOG.debug("{} stream '{}': link unused and caught up (head {}, {} members): closing", owner.self(),
                        stream, head, members);
            }
            close();
            return;
        }
        reportStall();
        if (!head && demoted()) {
            // Only head sessions use it, and this node heads the stream no more: they cannot write (NOT_HEAD), and
            // keeping the member connected keeps this node in its exclusions, out of the new head's chain.
            if (current != null && ready && sentEnd >= log.endOffset(stream)
                    && down.processedThrough(sentEnd) >= Math.min(downCopies, down.copies())) {
                LOG.info("{} stream '{}': no longer the head; link to {} closed", owner.self(), stream,
                        current.member());
                Downstream d = current;
                drop();
                d.close();
            } else if (current == null) {
                strand();
            }
            return;
        }
        stranded = false;
        if (current == null) {
            connect();
        } else if (!stillInChain(current.member())) {
            LOG.info("{} stream '{}': {} left the chain {}, re-forming", owner.self(), stream, current.member(),
                    owner.resolver().chain(stream, key));
            reconnect();
        }
    }

    /**
     * Logs (DEBUG) a connected member that has reported nothing new for 10 ticks in a row while it lacks offsets
     * this node sent or holds, and then every 10 ticks: what a silent stall looks like from this side.
     */
    private void reportStall() {
        if (!LOG.isDebugEnabled()) {
            return;
        }
        Watermarks w = down;
        boolean behind = current != null && (!ready || w.processedThrough(log.endOffset(stream)) < 1);
        if (!behind || !w.equals(lastTickDown)) {
            stalledTicks = 0;
            lastTickDown = w;
            return;
        }
        if (++stalledTicks % 10 == 0) {
            synchronized (this) {
                LOG.debug("{} stream '{}': {} silent for {} ticks: ready {}, sent to offset {}, this node at {}, "
                        + "member reports {}, {} users ({} at the head), chain {}", owner.self(), stream,
                        current.member(), stalledTicks, ready, sentEnd, log.endOffset(stream), w, refs,
                        headUsers.size(), owner.resolver().chain(stream, key));
            }
        }
    }

    /**
     * The link is demoted (only head sessions use it, this node heads the stream no more) and has no member, so it
     * may not connect again: batches those sessions stored and wait copies of get none here. Marks the link
     * {@link #stranded()} and tells the sessions, so that each sends its producer to the new head, which it resends
     * what is unacknowledged to. Once suffices: a session checks the mark again whenever it adds a waiting batch, and
     * the mark is set before the sessions are told. Event loop only.
     */
    private void strand() {
        if (!stranded) {
            stranded = true;
            LOG.debug("{} stream '{}': demoted and without a member: the head sessions' producers must move",
                    owner.self(), stream);
            notifyListeners();
        }
    }

    /**
     * @return whether the link is demoted and without a member ({@link #strand}): a head session's waiting batches
     *         get no copies from it (until this node heads the stream again); any thread
     */
    boolean stranded() {
        return stranded;
    }

    /** @return whether this node heads the stream's chain in its current view */
    private boolean isHead() {
        List<ChainResolver.Member> chain = owner.resolver().chain(stream, key);
        return !chain.isEmpty() && chain.get(0).is(owner.resolver().selfId());
    }

    /** @return whether every user is a head session of this node (none replicates for an upstream) */
    private synchronized boolean demoted() {
        return refs > 0 && headUsers.size() == refs;
    }

    private boolean stillInChain(ChainResolver.Member m) {
        for (ChainResolver.Member c : owner.resolver().chain(stream, key)) {
            if (c.equals(m)) {
                return !excluded(ByteBuffer.wrap(m.id()));
            }
        }
        return false;
    }

    /** Closes the link for good (unused and caught up, or the server stops). */
    void close() {
        synchronized (this) {
            closed = true;
        }
        owner.remove(this);
        tick.cancel(false);
        loop.execute(() -> {
            if (current != null) {
                Downstream d = current;
                drop();
                d.close();
            }
        });
    }
}
