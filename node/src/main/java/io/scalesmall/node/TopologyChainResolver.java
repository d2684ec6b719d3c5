package io.scalesmall.node;

import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.stream.server.ChainResolver;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A stream's chain from the data group's topology: the route of its key ({@code GroupState.route}: ADD items
 * containing the key, priority descending) without members the failure detector holds DEAD or LEFT (exactly what
 * {@link GroupManager#route} returns), keeping only items with {@code priority > 0} (claims; priority 0 marks where
 * old data is, not where new data goes), each member once, at most R of them, mapped to
 * {@code (member id bytes, member address : item port)}.
 *
 * <p>{@link #chain} is called on every client INIT and chain-link check, on the stream server's I/O threads, so it
 * must not wait for the GroupManager's core thread: it reads a snapshot (topology + failure-detector verdicts) that
 * {@link PlacementDriver} refreshes on every topology event and every tick ({@link #update}). Answers therefore lag
 * the core by at most one tick. Before the first update every chain is empty (the node serves alone).
 *
 * <p>Ids: a member's id is its {@link NetId} (gossip address and port) as bytes: the address (4 or 16 bytes) then
 * the port (2 bytes, big-endian); {@link #selfId()} is this node's. Thread-safe: the snapshot is one volatile
 * reference to immutable data.
 */
public final class TopologyChainResolver implements ChainResolver {
    /** The topology and the members held down, taken together. */
    private record View(GroupState state, Set<NetId> down) {
    }

    private final NetId self;
    private final byte[] selfId;
    private final int replicas;
    private volatile View view;
    /** Raised whenever {@link #update} changes the topology or the members held down. */
    private final AtomicLong version = new AtomicLong();

    /**
     * @param self     this node's id
     * @param group    the data group (the name the snapshot must belong to)
     * @param replicas R: the longest chain returned, 1..255
     */
    public TopologyChainResolver(NetId self, String group, int replicas) {
        this.self = Objects.requireNonNull(self, "self");
        if (replicas < 1 || replicas > 255) {
            throw new IllegalArgumentException("replicas: " + replicas + " is not in 1..255");
        }
        this.selfId = idOf(self);
        this.replicas = replicas;
        this.view = new View(GroupState.empty(Objects.requireNonNull(group, "group")), Set.of());
    }

    /** @return {@code member}'s chain id: address bytes then the port, 2 bytes big-endian */
    public static byte[] idOf(NetId member) {
        byte[] a = member.addressBytes();
        return ByteBuffer.allocate(a.length + 2).put(a).putShort((short) member.port()).array();
    }

    /**
     * Replaces the snapshot.
     *
     * @param state  the data group's topology
     * @param states the failure detector's verdicts on its members ({@link GroupManager#memberStates}); members
     *               held DEAD or LEFT are left out of chains
     * @throws IllegalArgumentException if {@code state} is of another group
     */
    public void update(GroupState state, Map<NetId, MemberState> states) {
        if (!state.group().equals(view.state().group())) {
            throw new IllegalArgumentException("state: group " + state.group() + " is not " + view.state().group());
        }
        Set<NetId> down = new HashSet<>();
        states.forEach((m, s) -> {
            if (!s.isActive()) {
                down.add(m);
            }
        });
        View before = view;
        Set<NetId> d = Set.copyOf(down);
        if (before.state().digest() != state.digest() || !before.down().equals(d)) {
            version.incrementAndGet();
        }
        view = new View(state, d);
    }

    /** @return a number that changes whenever the chains may have (the topology or the members held down did) */
    public long version() {
        return version.get();
    }

    @Override
    public byte[] selfId() {
        return selfId.clone();
    }

    @Override
    public List<Member> chain(String stream, long key) {
        View v = view;
        List<Member> out = new ArrayList<>(replicas);
        Set<NetId> seen = new HashSet<>();
        for (Item it : v.state().route(key)) {
            if (out.size() == replicas) {
                break;
            }
            if (it.priority() <= 0 || v.down().contains(it.member()) || !seen.add(it.member())) {
                continue;
            }
            out.add(new Member(idOf(it.member()), new InetSocketAddress(it.member().address(), it.port())));
        }
        return List.copyOf(out);
    }

    /**
     * Every live member with an ADD item containing the key, whatever its priority (claims and priority-0
     * location items: where the stream's older data may be), except this node, each once.
     */
    @Override
    public List<Member> holders(String stream, long key) {
        View v = view;
        List<Member> out = new ArrayList<>();
        Set<NetId> seen = new HashSet<>();
        for (Item it : v.state().route(key)) {
            if (it.member().equals(self) || v.down().contains(it.member()) || !seen.add(it.member())) {
                continue;
            }
            out.add(new Member(idOf(it.member()), new InetSocketAddress(it.member().address(), it.port())));
        }
        return List.copyOf(out);
    }

    /** @return this node's id */
    public NetId self() {
        return self;
    }
}
