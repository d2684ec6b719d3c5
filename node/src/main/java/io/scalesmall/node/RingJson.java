package io.scalesmall.node;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.scalesmall.placement.Ring;
import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.util.Map;

/**
 * The JSON document of {@code GET /v1/groups/{g}/ring}: the ring a node computed for a group, independent of the CLI
 * that prints it. Thread-safe (stateless).
 *
 * <pre>
 * {"group", "replicas": R, "slices": S, "settled": bool, "weight": this node's announced weight, "tight": bool,
 *  "claims": this node's items with priority > 0, "locations": its priority-0 items, "writes": topology writes,
 *  "members": [{"id": "ip:port", "weight", "weight_share", "head_share", "share"}],
 *  "arcs": [{"start", "end", "chain": ["ip:port", ... head first]}]}
 * </pre>
 *
 * {@code weight_share} = weight / sum of weights; {@code head_share} = keys the member heads / 2^32;
 * {@code share} = keys the member is in a chain for / the sum of that over members (each in 0..1; with equal chains
 * the three agree in expectation). Before the first settled view {@code replicas} and {@code slices} are null and
 * the lists are empty. Arcs are in key order, {@code start..end} inclusive.
 */
public final class RingJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final double KEYS = Item.MAX_KEY + 1.0;

    private RingJson() {
    }

    /** @return the document for {@code group} from a driver's snapshot */
    public static ObjectNode of(String group, PlacementDriver.Snapshot s) {
        ObjectNode o = JSON.objectNode().put("group", group);
        Ring ring = s.ring();
        if (ring == null) {
            o.putNull("replicas");
            o.putNull("slices");
        } else {
            o.put("replicas", ring.replicas()).put("slices", ring.slices());
        }
        o.put("settled", s.settled()).put("weight", s.weight()).put("tight", s.tight()).put("claims", s.claims())
                .put("locations", s.locations()).put("writes", s.writes());
        ArrayNode members = o.putArray("members");
        ArrayNode arcs = o.putArray("arcs");
        if (ring == null) {
            return o;
        }
        long sumWeights = 0;
        for (int w : ring.weights().values()) {
            sumWeights += w;
        }
        double slots = 0;
        for (Ring.Arc a : ring.arcs()) {
            slots += (double) a.size() * a.chain().size();
        }
        for (Map.Entry<NetId, Integer> e : ring.weights().entrySet()) {
            NetId m = e.getKey();
            members.addObject().put("id", m.toString()).put("weight", e.getValue())
                    .put("weight_share", sumWeights == 0 ? 0 : (double) e.getValue() / sumWeights)
                    .put("head_share", ring.keysAt(m, 0) / KEYS)
                    .put("share", slots == 0 ? 0 : ring.keysAt(m, -1) / slots);
        }
        for (Ring.Arc a : ring.arcs()) {
            ArrayNode chain = arcs.addObject().put("start", a.start()).put("end", a.end()).putArray("chain");
            a.chain().forEach(m -> chain.add(m.toString()));
        }
        return o;
    }
}
