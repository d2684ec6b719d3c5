package io.scalesmall.chatter.swim;

import io.scalesmall.wire.SwimMessage;
import io.scalesmall.wire.SwimMessage.Update;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Membership updates waiting to be piggybacked (memberlist's {@code TransmitLimitedQueue}): each is sent up to
 * a retransmit limit ({@code lambda * ceil(log10(n + 1))}) times, the least-sent first, newest first among
 * equals. A newer update about a member replaces the queued one about it (it carries a higher incarnation or
 * a stronger state), so the queue holds at most one entry per member: bounded by the group size. Nothing is
 * dropped otherwise: every accusation is sent its full share.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class UpdateQueue {
    private static final class Entry {
        final Update update;
        final long order;
        int transmits;

        Entry(Update update, long order) {
            this.update = update;
            this.order = order;
        }
    }

    private final Map<NetId, Entry> byMember = new HashMap<>();
    private final TreeSet<Entry> queue = new TreeSet<>(Comparator.<Entry>comparingInt(e -> e.transmits)
            .thenComparing(Comparator.<Entry>comparingLong(e -> e.order).reversed()));
    private long order;

    /** Queues {@code u}, replacing any queued update about the same member. */
    void add(Update u) {
        Entry old = byMember.remove(u.member());
        if (old != null) {
            queue.remove(old);
        }
        Entry e = new Entry(u, order++);
        byMember.put(u.member(), e);
        queue.add(e);
    }

    /**
     * @param max   at most this many
     * @param limit the retransmit limit: an update sent this many times leaves the queue
     * @return the updates to piggyback on one packet, each counted as sent once
     */
    List<Update> take(int max, int limit) {
        List<Entry> picked = new ArrayList<>();
        for (Entry e : queue) {
            if (picked.size() >= max) {
                break;
            }
            picked.add(e);
        }
        List<Update> out = new ArrayList<>(picked.size());
        for (Entry e : picked) {
            queue.remove(e);
            out.add(e.update);
            e.transmits++;
            if (e.transmits >= limit) {
                byMember.remove(e.update.member());
            } else {
                queue.add(e);
            }
        }
        return out;
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }
}
