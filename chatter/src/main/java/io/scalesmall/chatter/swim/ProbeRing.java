package io.scalesmall.chatter.swim;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Predicate;

/**
 * The SWIM probe order: members in a shuffled list, probed round-robin, reshuffled at the end of each pass; a
 * new member is inserted at a random position. So every member is probed once per pass (bounded detection
 * time) while the order stays unpredictable.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class ProbeRing {
    private final List<NetId> order = new ArrayList<>();
    private final Random random;
    /** The position of the next member to probe in this pass. */
    private int index;

    ProbeRing(Random random) {
        this.random = random;
    }

    void add(NetId id) {
        int pos = random.nextInt(order.size() + 1);
        order.add(pos, id);
        if (pos < index) {
            index++;
        }
    }

    void remove(NetId id) {
        int pos = order.indexOf(id);
        if (pos >= 0) {
            order.remove(pos);
            if (pos < index) {
                index--;
            }
        }
    }

    /** @return the next member that passes {@code eligible}, or null if none does */
    NetId next(Predicate<NetId> eligible) {
        for (int tries = 0; tries <= 2 * order.size(); tries++) {
            if (index >= order.size()) {
                Collections.shuffle(order, random);
                index = 0;
            }
            if (order.isEmpty()) {
                return null;
            }
            NetId candidate = order.get(index++);
            if (eligible.test(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
