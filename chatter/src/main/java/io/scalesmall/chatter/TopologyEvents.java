package io.scalesmall.chatter;

import io.scalesmall.chatter.swim.MemberState;
import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import io.scalesmall.topology.TimedItem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** Turns a state change into {@link TopologyEvent}s by comparing the touched members before and after. */
final class TopologyEvents {
    private final List<TopologyEvent.Listener> listeners = new CopyOnWriteArrayList<>();

    void add(TopologyEvent.Listener l) {
        listeners.add(l);
    }

    void diff(GroupState before, GroupState after, Collection<NetId> touched) {
        if (listeners.isEmpty()) {
            return;
        }
        String g = after.group();
        List<TopologyEvent> out = new ArrayList<>();
        for (NetId m : touched) {
            boolean was = before.members().contains(m);
            boolean is = after.members().contains(m);
            Map<Item, Item> oldAdds = adds(before, m);
            Map<Item, Item> newAdds = adds(after, m);
            if (!was && is) {
                out.add(new TopologyEvent.MemberJoined(g, m));
            }
            oldAdds.forEach((key, item) -> {
                if (!item.equals(newAdds.get(key))) {
                    out.add(new TopologyEvent.ItemRemoved(g, item));
                }
            });
            newAdds.forEach((key, item) -> {
                if (!item.equals(oldAdds.get(key))) {
                    out.add(new TopologyEvent.ItemAdded(g, item));
                }
            });
            if (was && !is) {
                out.add(new TopologyEvent.MemberLeft(g, m));
            }
        }
        for (TopologyEvent e : out) {
            for (TopologyEvent.Listener l : listeners) {
                l.onEvent(e);
            }
        }
    }

    private static Map<Item, Item> adds(GroupState s, NetId m) {
        Map<Item, Item> out = new HashMap<>();
        for (TimedItem t : s.itemsOf(m).items()) {
            if (t.op() == Op.ADD) {
                Item it = t.item();
                out.put(new Item(m, Op.GET, it.start(), it.end(), 0, 0), it);
            }
        }
        return out;
    }

    void stateChanged(String group, NetId member, MemberState from, MemberState to) {
        TopologyEvent e = new TopologyEvent.MemberStateChanged(group, member, from, to);
        for (TopologyEvent.Listener l : listeners) {
            l.onEvent(e);
        }
    }
}
