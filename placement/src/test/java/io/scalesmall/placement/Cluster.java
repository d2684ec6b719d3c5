package io.scalesmall.placement;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.LocalMember;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/** A group's topology written by several members, each through its own {@link LocalMember}, as nodes would. */
final class Cluster {
    final Map<NetId, LocalMember> writers = new TreeMap<>();
    GroupState state = GroupState.empty("g");

    /** The data port of a member in these tests: its gossip port + 1. */
    static int dataPort(NetId m) {
        return m.port() % 65535 + 1;
    }

    private LocalMember writer(NetId m) {
        return writers.computeIfAbsent(m, id -> new LocalMember(id, 1, () -> 1_000L));
    }

    /** Writes the member's GET item with {@code weight}: a join, or a weight change. */
    void weigh(NetId m, int weight) {
        state = writer(m).write(state, List.of(Weights.joinItem(m, weight))).state();
    }

    List<NetId> members() {
        return new ArrayList<>(writers.keySet());
    }

    Ring ring(int replicas, int slices) {
        return Weights.ring(state, members(), replicas, slices);
    }

    /** Moves {@code m}'s ADD items to what {@link Claims#desired} asks for; returns the diff written. */
    Claims.Diff publish(NetId m, Ring ring, Predicate<Item> released) {
        List<Item> held = Claims.held(state.itemsOf(m));
        Claims.Diff d = Claims.diff(held, Claims.desired(ring, m, dataPort(m), held, released));
        if (!d.isEmpty()) {
            state = writer(m).write(state, d.writes()).state();
        }
        return d;
    }

    void publishAll(Ring ring) {
        for (NetId m : members()) {
            publish(m, ring, it -> false);
        }
    }

    List<Item> held(NetId m) {
        return Claims.held(state.itemsOf(m));
    }
}
