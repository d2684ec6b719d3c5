package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import io.scalesmall.topology.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Claims published into a GroupState route every key to its chain, in order; tightening keeps locations only. */
class ClaimsTest {
    static List<NetId> chainOfRoute(List<Item> route) {
        List<NetId> out = new ArrayList<>();
        for (Item it : route) {
            if (it.priority() > 0) {
                out.add(it.member());
            }
        }
        return out;
    }

    static List<Long> probeKeys(SplittableRandom r, Ring ring) {
        List<Long> keys = new ArrayList<>();
        for (Ring.Arc a : ring.arcs()) {
            if (keys.size() < 400) {
                keys.add(a.start());
                keys.add(a.end());
            }
        }
        for (int i = 0; i < 300; i++) {
            keys.add(r.nextLong(Item.MAX_KEY + 1));
        }
        return keys;
    }

    @Test
    void publishedClaimsRouteEveryKeyToItsChainInOrder() {
        Seeds.check("claims route to the chain", 40, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Cluster c = new Cluster();
            for (NetId m : Ids.random(r, 1 + r.nextInt(8))) {
                c.weigh(m, r.nextInt(6) == 0 ? 0 : 1 + r.nextInt(6));
            }
            int replicas = 1 + r.nextInt(4);
            Ring ring = c.ring(replicas, 1 << (4 + r.nextInt(9)));
            c.publishAll(ring);
            for (long key : probeKeys(r, ring)) {
                List<Item> route = c.state.route(key);
                assertThat(route).extracting(Item::member).as("key %d", key).isEqualTo(ring.chain(key));
                for (int p = 0; p < route.size(); p++) {
                    assertThat(route.get(p).priority()).isEqualTo(replicas - p);
                    assertThat(route.get(p).port()).isEqualTo(Cluster.dataPort(route.get(p).member()));
                }
            }
            for (NetId m : c.members()) { // publishing is idempotent, and the weights survive the claims
                assertThat(Claims.diff(c.held(m), Claims.desired(ring, m, Cluster.dataPort(m), c.held(m), it -> false))
                        .isEmpty()).isTrue();
            }
            assertThat(c.ring(replicas, ring.slices())).isEqualTo(ring);
        });
    }

    @Test
    void claimsMergeAdjacentArcsOfTheSamePositionAndCoverExactlyTheMembersKeys() {
        Map<NetId, Integer> w = BalanceTest.local(1, 2, 4, 3, 2);
        Ring ring = Ring.of(w, 3, Ring.DEFAULT_SLICES);
        StringBuilder counts = new StringBuilder();
        for (NetId m : w.keySet()) {
            List<Item> claims = Claims.of(ring, m, 9000);
            long keys = 0;
            for (int i = 0; i < claims.size(); i++) {
                keys += claims.get(i).end() - claims.get(i).start() + 1;
                if (i > 0 && claims.get(i).start() == claims.get(i - 1).end() + 1) {
                    assertThat(claims.get(i).priority()).isNotEqualTo(claims.get(i - 1).priority());
                }
            }
            assertThat(keys).isEqualTo(ring.keysAt(m, -1));
            counts.append(' ').append(claims.size());
        }
        System.out.println("5 members (weights 1,2,4,3,2), R=3, S=" + ring.slices() + ": " + ring.arcs().size()
                + " arcs; ADD items per member:" + counts);
    }

    @Test
    void aWholeKeySpaceClaimIsSplitSoTheJoinItemSurvives() {
        Cluster c = new Cluster();
        NetId a = Ids.local(7001);
        c.weigh(a, 5);
        Ring ring = c.ring(1, 64);
        assertThat(Claims.of(ring, a, 9000)).containsExactly(
                Item.add(a, 0, Claims.HALF - 1, 9000, 1), Item.add(a, Claims.HALF, Item.MAX_KEY, 9000, 1));
        c.publishAll(ring);
        assertThat(Weights.of(c.state, List.of(a))).containsExactly(Map.entry(a, 5));
        assertThat(c.state.route(0)).extracting(Item::member).containsExactly(a);
        assertThat(c.state.route(Item.MAX_KEY)).extracting(Item::member).containsExactly(a);
    }

    @Test
    void aTightenedMemberKeepsOnlyPriorityZeroLocationsAndLeavesEveryChain() {
        Seeds.check("tightening", 15, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Cluster c = new Cluster();
            List<NetId> ids = Ids.random(r, 5);
            ids.subList(0, 4).forEach(m -> c.weigh(m, 1 + r.nextInt(4)));
            NetId tight = ids.get(0);
            Ring before = c.ring(3, 256);
            c.publishAll(before);
            List<Item> heldBefore = c.held(tight);

            c.weigh(tight, 0);
            Ring during = c.ring(3, 256);
            assertThat(during.members()).doesNotContain(tight);
            c.publishAll(during);
            assertThat(c.held(tight)).as("same ranges, priority 0, nothing new")
                    .containsExactlyElementsOf(heldBefore.stream().map(it -> Item.add(tight, it.start(), it.end(),
                            it.port(), 0)).toList());
            for (long key : probeKeys(r, during)) {
                List<Item> route = c.state.route(key);
                assertThat(chainOfRoute(route)).as("key %d", key).isEqualTo(during.chain(key));
                boolean heldKey = heldBefore.stream().anyMatch(it -> it.contains(key));
                assertThat(route.stream().filter(it -> it.member().equals(tight)).toList())
                        .as("the tight member locates exactly what it held").hasSize(heldKey ? 1 : 0)
                        .allMatch(it -> it.priority() == 0);
            }

            c.weigh(ids.get(4), 1 + r.nextInt(4)); // the ring moves while the member is tight
            c.weigh(tight, 2);
            Ring after = c.ring(3, 256);
            c.publishAll(after);
            List<Item> claims = Claims.of(after, tight, Cluster.dataPort(tight));
            List<Item> locations = c.held(tight).stream().filter(it -> it.priority() == 0).toList();
            assertThat(c.held(tight)).containsAll(claims).hasSize(claims.size() + locations.size());
            assertThat(locations).allMatch(it -> !Claims.covered(claims, it.start(), it.end()), "not covered by claims");
            for (long key : probeKeys(r, after)) {
                assertThat(chainOfRoute(c.state.route(key))).isEqualTo(after.chain(key));
            }
            Claims.Diff dropped = c.publish(tight, after, it -> true); // the caller says the old data is gone
            assertThat(dropped.remove()).containsExactlyInAnyOrderElementsOf(locations);
            assertThat(dropped.add()).isEmpty();
            assertThat(c.held(tight)).containsExactlyInAnyOrderElementsOf(claims);
        });
    }

    @Test
    void diffAddsNewAndChangedKeysAndRemovesTheRest() {
        NetId a = Ids.local(7001);
        Item keep = Item.add(a, 0, 9, 9000, 3);
        Item demoted = Item.add(a, 10, 19, 9000, 2);
        Item gone = Item.add(a, 20, 29, 9000, 1);
        Item fresh = Item.add(a, 30, 39, 9000, 1);
        Claims.Diff d = Claims.diff(List.of(keep, demoted, gone), List.of(keep, Item.add(a, 10, 19, 9000, 0), fresh));
        assertThat(d.add()).containsExactly(Item.add(a, 10, 19, 9000, 0), fresh);
        assertThat(d.remove()).containsExactly(gone);
        assertThat(d.writes()).containsExactly(Item.add(a, 10, 19, 9000, 0), fresh, gone.withOp(Op.RMV));
        assertThat(Claims.diff(List.of(keep), List.of(keep)).isEmpty()).isTrue();
    }

    @Test
    void badInputIsRefusedWithTheParameterNamed() {
        NetId a = Ids.local(7001);
        NetId b = Ids.local(7002);
        Ring ring = Ring.of(Map.of(a, 1), 1, 16);
        assertThatThrownBy(() -> Claims.of(null, a, 1)).hasMessage("ring: null");
        assertThatThrownBy(() -> Claims.of(ring, null, 1)).hasMessage("self: null");
        assertThatThrownBy(() -> Claims.of(ring, a, 0)).hasMessage("port: 0 is not in 1..65535");
        assertThatThrownBy(() -> Claims.of(ring, a, 65536)).hasMessage("port: 65536 is not in 1..65535");
        assertThatThrownBy(() -> Claims.desired(ring, a, 1, List.of(Item.add(b, 0, 1, 1, 1)), it -> false))
                .hasMessage("held: 127.0.0.1:7002 ADD 0..1 port 1 prio 1 is not an ADD item of 127.0.0.1:7001");
        assertThatThrownBy(() -> Claims.desired(ring, a, 1, List.of(Item.get(a)), it -> false))
                .hasMessageContaining("is not an ADD item of");
        assertThatThrownBy(() -> Claims.desired(ring, a, 1, null, it -> false)).hasMessage("held: null");
        assertThatThrownBy(() -> Claims.desired(ring, a, 1, List.of(), null)).hasMessage("released: null");
        Item x = Item.add(a, 0, 1, 1, 1);
        assertThatThrownBy(() -> Claims.diff(List.of(x, x.withOp(Op.ADD)), List.of()))
                .hasMessage("held: key 127.0.0.1:7001 0..1 appears twice");
        assertThatThrownBy(() -> Claims.diff(List.of(), List.of(Item.get(a))))
                .hasMessageStartingWith("desired: ").hasMessageEndingWith("is not an ADD item");
        assertThatThrownBy(() -> Claims.diff(null, List.of())).hasMessage("held: null");
        assertThatThrownBy(() -> Claims.priority(3, 3)).hasMessage("position: 3 is not in 0..2");
        assertThat(Claims.priority(3, 0)).isEqualTo(3);
        assertThat(Claims.priority(3, 2)).isEqualTo(1);
    }
}
