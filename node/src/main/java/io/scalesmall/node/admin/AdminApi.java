package io.scalesmall.node.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scalesmall.chatter.GroupManager;
import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.node.admin.RequestBodies.ItemRequest;
import io.scalesmall.topology.DotSet;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The admin endpoints' logic: validated inputs in, JSON documents out. Knows nothing of HTTP. Thread-safe:
 * it holds no mutable state, and {@link GroupManager} is thread-safe. Each method reads one snapshot of a
 * group ({@link GroupManager#state}) where it can, so a response is internally consistent.
 */
final class AdminApi {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final GroupManager manager;
    private final String version;
    private final Instant startedAt;
    private final Clock clock;

    AdminApi(GroupManager manager, String version, Instant startedAt, Clock clock) {
        this.manager = manager;
        this.version = version;
        this.startedAt = startedAt;
        this.clock = clock;
    }

    /** {@code {"id", "version", "uptime_ms", "groups": [names of the groups this node is a member of]}}. */
    ObjectNode node() {
        ObjectNode o = JSON.objectNode();
        o.put("id", manager.myId().toString());
        o.put("version", version);
        o.put("uptime_ms", Math.max(0, clock.millis() - startedAt.toEpochMilli()));
        ArrayNode groups = o.putArray("groups");
        manager.myGroups().forEach(groups::add);
        return o;
    }

    /**
     * {@code {"groups": [{"name", "member", "members"}]}} for every group this node knows of, in name order:
     * {@code member} is this node in it, {@code members} how many members count (ALIVE or SUSPECT; as
     * {@link GroupManager#members}). One core call per group: the list is not a single atomic snapshot across groups.
     */
    ObjectNode groups() {
        ObjectNode o = JSON.objectNode();
        ArrayNode arr = o.putArray("groups");
        NetId self = manager.myId();
        for (String g : manager.groups()) {
            Map<NetId, MemberState> states = manager.memberStates(g);
            arr.addObject().put("name", g).put("member", states.containsKey(self)).put("members", counting(states));
        }
        return o;
    }

    /**
     * {@code {"group", "members": [member], "down": [member]}}, each list in id order, with
     * {@code member = {"id", "state", "incarnation"}}. {@code members} holds the members that count (as
     * {@link GroupManager#members}): state {@code "alive"} or {@code "suspect"}; {@code down} those the failure
     * detector holds {@code "dead"} or {@code "left"} whose items are still kept (until the TTL; invisible in
     * routes). {@code incarnation} is the incarnation of the member's current life in the topology (its world
     * clock; it rises on a restart), or null if the topology dropped the member between the two core reads this
     * makes (states, then the topology snapshot).
     */
    ObjectNode members(String group) {
        Map<NetId, MemberState> states = manager.memberStates(group);
        GroupState s = manager.state(group);
        ObjectNode o = JSON.objectNode().put("group", group);
        ArrayNode up = o.putArray("members");
        ArrayNode down = o.putArray("down");
        states.forEach((m, state) -> {
            ObjectNode e = (state.isActive() ? up : down).addObject().put("id", m.toString())
                    .put("state", state.name().toLowerCase(Locale.ROOT));
            DotSet d = s.worldClock().get(m);
            if (d == null) {
                e.putNull("incarnation");
            } else {
                e.put("incarnation", d.incarnation());
            }
        });
        return o;
    }

    private static int counting(Map<NetId, MemberState> states) {
        int n = 0;
        for (MemberState st : states.values()) {
            if (st.isActive()) {
                n++;
            }
        }
        return n;
    }

    /** {@code {"group", "digest", "items": [...]}}, all items (tombstones included) or those with {@code op}. */
    ObjectNode topology(String group, Op op) {
        GroupState s = manager.state(group);
        ObjectNode o = JSON.objectNode().put("group", group).put("digest", String.format("%016x", s.digest()));
        ArrayNode arr = o.putArray("items");
        List<TimedItem> items = op == null ? s.items() : s.items(op);
        items.forEach(t -> arr.add(item(t)));
        return o;
    }

    /** Joins (announcing to {@code seeds} too); answers {@link #membership}. */
    ObjectNode join(String group, List<NetId> seeds) {
        manager.join(group, seeds);
        return membership(group);
    }

    /** Leaves; answers {@link #membership}. */
    ObjectNode leave(String group) {
        manager.leave(group);
        return membership(group);
    }

    /** Writes an ADD item; answers the item as written, with its clock. */
    ObjectNode addItem(String group, ItemRequest r) {
        return item(manager.addItem(group, r.start(), r.end(), r.port(), r.priority()));
    }

    /** Writes the tombstone of (self, start, end); answers it. */
    ObjectNode removeItem(String group, ItemRequest r) {
        return item(manager.removeItem(group, r.start(), r.end()));
    }

    /** {@code {"group", "member": is this node a member, "members": count that counts}} after a join or leave. */
    private ObjectNode membership(String group) {
        Map<NetId, MemberState> states = manager.memberStates(group);
        return JSON.objectNode().put("group", group).put("member", states.containsKey(manager.myId()))
                .put("members", counting(states));
    }

    /**
     * {@code {"member", "op", "start", "end", "port", "priority", "clock": {"incarnation", "counter"},
     * "timestamp_ms"}}: one item as the topology and the item endpoints show it.
     */
    static ObjectNode item(TimedItem t) {
        Item it = t.item();
        ObjectNode o = JSON.objectNode().put("member", it.member().toString()).put("op", it.op().name())
                .put("start", it.start()).put("end", it.end()).put("port", it.port()).put("priority", it.priority());
        o.putObject("clock").put("incarnation", t.updatedAt().incarnation()).put("counter", t.updatedAt().counter());
        o.put("timestamp_ms", t.timestampMillis());
        return o;
    }
}
