package io.scalesmall.chatter;

import io.scalesmall.topology.GroupState;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.WorldClock;
import io.scalesmall.wire.WireMessage.DigestMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

/**
 * A {@link GroupNode}'s anti-entropy round (seed 002; Demers et al. 1987, push-pull): per group this node is in, a
 * digest probe (the state's hash alone, by datagram) to one random member not held down, or to a seed while it knows
 * no member; a peer whose state differs answers with its clock, and the two exchange deltas by TCP
 * ({@link GroupNode} handles the replies).
 *
 * <p>Not thread-safe: owned by the {@link GroupNode}'s thread.
 */
final class AntiEntropy {
    private final NetId self;
    private final Membership membership;
    private final Dissemination dissemination;
    private final Map<String, Set<NetId>> seeds;
    private final Random random;
    private final GroupNodeStats stats;
    /** A group's members not held down ({@link GroupNode#members}), self included. */
    private final Function<String, ? extends Collection<NetId>> upMembers;
    private final Map<String, MemberArray> memberArrays = new HashMap<>();

    /**
     * @param seeds     the node's seeds per group, read at each round (the node adds to it)
     * @param upMembers a group's members not held DEAD or LEFT, self included ({@link GroupNode#members})
     */
    AntiEntropy(NetId self, Membership membership, Dissemination dissemination, Map<String, Set<NetId>> seeds,
            Random random, GroupNodeStats stats, Function<String, ? extends Collection<NetId>> upMembers) {
        this.upMembers = upMembers;
        this.self = self;
        this.membership = membership;
        this.dissemination = dissemination;
        this.seeds = seeds;
        this.random = random;
        this.stats = stats;
    }

    /** Runs one round over {@code myStates}: the states of the groups this node is a member of. */
    void round(List<GroupState> myStates) {
        for (GroupState s : myStates) {
            String group = s.group();
            NetId peer = randomMember(s);
            if (peer == null) {
                List<NetId> seedList = new ArrayList<>(seeds.getOrDefault(group, Set.of()));
                if (seedList.isEmpty()) {
                    continue;
                }
                peer = seedList.get(random.nextInt(seedList.size()));
            }
            stats.antiEntropyRounds++;
            // A probe: the digest alone, by datagram. The clock (O(members) bytes) travels, by TCP, only when states
            // differ.
            dissemination.sendPacket(peer, new DigestMessage(group, s.digest(), WorldClock.empty()));
        }
    }

    /**
     * @return a random member of {@code s} other than this node and not DEAD or LEFT, or null if there is none; in
     *         O(1) per call while the state is unchanged (the member array is cached per state)
     */
    private NetId randomMember(GroupState s) {
        MemberArray a = memberArrays.get(s.group());
        if (a == null || a.state() != s) {
            a = new MemberArray(s, s.members().toArray(new NetId[0]));
            memberArrays.put(s.group(), a);
        }
        NetId[] ids = a.ids();
        for (int attempt = 0; attempt < 8 && ids.length > 0; attempt++) {
            NetId m = ids[random.nextInt(ids.length)];
            if (!m.equals(self) && !membership.isDown(m)) {
                return m;
            }
        }
        List<NetId> up = new ArrayList<>(upMembers.apply(s.group()));
        up.remove(self);
        return up.isEmpty() ? null : up.get(random.nextInt(up.size()));
    }

    private record MemberArray(GroupState state, NetId[] ids) {
    }
}
