package io.scalesmall.placement;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import java.util.Collection;
import java.util.Collections;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Member weights as the group topology carries them: a member's capacity weight is the {@code priority} of its
 * GET (join) item, the item with key (member, 0, {@link Item#MAX_KEY}) and op {@link Op#GET} (issue 6 contract).
 * Weight 0 means "tightened": the member takes no new data. Thread-safe (stateless).
 */
public final class Weights {
    private Weights() {
    }

    /**
     * The weights of the active members of a group.
     *
     * @param state  the group's topology
     * @param active the members the caller's failure detector holds alive (failure detection is not placement's
     *               concern); a member not in this set is left out whatever the state says
     * @return member -> weight for every active member whose GET item the state holds live (a member that has
     *         left, i.e. whose GET item is a tombstone, or that never joined, is left out), in {@link NetId}
     *         order; unmodifiable
     * @throws IllegalArgumentException if {@code state} or {@code active} is null or {@code active} holds null
     */
    public static SortedMap<NetId, Integer> of(GroupState state, Collection<NetId> active) {
        if (state == null) {
            throw new IllegalArgumentException("state: null");
        }
        if (active == null) {
            throw new IllegalArgumentException("active: null");
        }
        SortedMap<NetId, Integer> out = new TreeMap<>();
        for (NetId m : active) {
            if (m == null) {
                throw new IllegalArgumentException("active: null member");
            }
            TimedItem join = state.itemsOf(m).get(Item.get(m));
            if (join != null && join.op() == Op.GET) {
                out.put(m, join.item().priority());
            }
        }
        return Collections.unmodifiableSortedMap(out);
    }

    /**
     * The ring of a group's active members: {@link Ring#of(java.util.Map, int, int)} over {@link #of}.
     *
     * @throws IllegalArgumentException as {@link #of} and {@link Ring#of(java.util.Map, int, int)} do
     */
    public static Ring ring(GroupState state, Collection<NetId> active, int replicas, int slices) {
        return Ring.of(of(state, active), replicas, slices);
    }

    /**
     * The join item that announces a weight: GET over the whole key space, port 0, priority {@code weight}.
     *
     * @param weight {@code >= 0}; 0 announces a tightened member
     * @throws IllegalArgumentException if {@code member} is null or {@code weight} is negative
     */
    public static Item joinItem(NetId member, int weight) {
        if (member == null) {
            throw new IllegalArgumentException("member: null");
        }
        if (weight < 0) {
            throw new IllegalArgumentException("weight: " + weight + " is negative");
        }
        return new Item(member, Op.GET, 0, Item.MAX_KEY, 0, weight);
    }
}
