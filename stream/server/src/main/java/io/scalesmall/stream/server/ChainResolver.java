package io.scalesmall.stream.server;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Where a stream's new data goes: the ordered replication chain of each stream, head first, and this node's own id
 * (chain replication, docs/wire-format.md §S10). The embedder supplies it: the node computes it from the group
 * topology (placement), tests from a fixed list of loopback servers. The server asks it on every client INIT (is
 * this node the head?) and whenever a chain link (re)connects, so an implementation must be cheap and thread-safe,
 * and may change its answers at any time (a member died, joined or tightened).
 *
 * <p>The default, {@link #single()}, makes a server a chain of one: every INIT is accepted, nothing is replicated,
 * and sessions asking for more than one copy are refused with {@code REDUNDANCY_UNAVAILABLE} (today's one-node
 * behaviour).
 */
public interface ChainResolver {
    /**
     * A member of a chain.
     *
     * @param id      the member's opaque id, 1..255 bytes, as it appears in INIT exclude lists and in
     *                {@link #selfId()} of that member (compared byte for byte)
     * @param address the member's data port
     */
    record Member(byte[] id, InetSocketAddress address) {
        public Member {
            Objects.requireNonNull(address, "address");
            id = id.clone();
            if (id.length < 1 || id.length > 255) {
                throw new IllegalArgumentException("a member id holds 1..255 bytes, got " + id.length);
            }
        }

        /** @return a copy of the id */
        @Override
        public byte[] id() {
            return id.clone();
        }

        /** @return whether this member's id is {@code other} */
        public boolean is(byte[] other) {
            return Arrays.equals(id, other);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Member m && Arrays.equals(id, m.id) && address.equals(m.address);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(id) + address.hashCode();
        }

        @Override
        public String toString() {
            return HexFormat.of().formatHex(id) + "@" + address;
        }
    }

    /** @return this node's id, 1..255 bytes; a hop adds it to the exclude list of the INIT it sends downstream */
    byte[] selfId();

    /**
     * The chain for new data of a stream.
     *
     * @param stream the stream's name
     * @param key    its routing key, {@code StreamKeys.keyOf(stream)} (0..2^32-1)
     * @return the members, head first, each at most once; empty = this node serves the stream alone (it is the
     *         head, and there is no one to replicate to). A node not in the list is not the head either.
     */
    List<Member> chain(String stream, long key);

    /**
     * Every other node that may hold the stream: the members of the route of its key whatever their priority
     * (chain members and location-only items, where old data is), without this node, each once. A head taking the
     * stream over asks them how far they hold it before it gives out offsets (docs/wire-format.md §S10, catch-up).
     * The default is {@link #chain} without this node.
     *
     * @param stream the stream's name
     * @param key    its routing key, {@code StreamKeys.keyOf(stream)}
     * @return the members, in no particular order of meaning
     */
    default List<Member> holders(String stream, long key) {
        byte[] self = selfId();
        List<Member> out = new ArrayList<>();
        for (Member m : chain(stream, key)) {
            if (!m.is(self)) {
                out.add(m);
            }
        }
        return out;
    }

    /** @return the resolver of a node that serves alone (chains are empty) */
    static ChainResolver single() {
        return new ChainResolver() {
            private final byte[] self = {0};

            @Override
            public byte[] selfId() {
                return self.clone();
            }

            @Override
            public List<Member> chain(String stream, long key) {
                return List.of();
            }
        };
    }
}
