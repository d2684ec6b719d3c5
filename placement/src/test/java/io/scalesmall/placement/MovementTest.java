package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Minimal movement, the rendezvous property: a joining member changes only the chains it enters, a leaving one only
 * those it was in, and the other members keep their relative order in every chain.
 */
class MovementTest {
    static final int SLICES = 4096;

    static List<List<NetId>> chains(Ring ring) {
        long width = (Item.MAX_KEY + 1) / ring.slices();
        List<List<NetId>> out = new ArrayList<>();
        for (int s = 0; s < ring.slices(); s++) {
            out.add(ring.chain(s * width));
        }
        return out;
    }

    static List<NetId> without(List<NetId> chain, NetId m) {
        List<NetId> out = new ArrayList<>(chain);
        out.remove(m);
        return out;
    }

    static boolean isPrefix(List<NetId> prefix, List<NetId> list) {
        return prefix.size() <= list.size() && list.subList(0, prefix.size()).equals(prefix);
    }

    @Test
    void aJoiningMemberMovesOnlyItsShare() {
        double[] worst = {0};
        Seeds.check("join moves only the joiner's share", 40, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<NetId> ids = Ids.random(r, 3 + r.nextInt(8));
            NetId joiner = ids.remove(ids.size() - 1);
            Map<NetId, Integer> before = new LinkedHashMap<>();
            ids.forEach(m -> before.put(m, 1 + r.nextInt(8)));
            int w = 1 + r.nextInt(8);
            Map<NetId, Integer> after = new LinkedHashMap<>(before);
            after.put(joiner, w);
            int replicas = 1 + r.nextInt(3);
            List<List<NetId>> old = chains(Ring.of(before, replicas, SLICES));
            List<List<NetId>> now = chains(Ring.of(after, replicas, SLICES));
            int headMoves = 0;
            for (int s = 0; s < SLICES; s++) {
                if (now.get(s).equals(old.get(s))) {
                    continue;
                }
                assertThat(now.get(s)).as("a changed chain holds the joiner").contains(joiner);
                List<NetId> rest = without(now.get(s), joiner);
                assertThat(isPrefix(rest, old.get(s))).as("the others keep their order: %s then %s", old.get(s), now.get(s))
                        .isTrue();
                if (!now.get(s).get(0).equals(old.get(s).get(0))) {
                    assertThat(now.get(s).get(0)).isEqualTo(joiner);
                    headMoves++;
                }
            }
            double share = w / (double) (after.values().stream().mapToInt(Integer::intValue).sum());
            double sigma = Math.sqrt(share * (1 - share) / SLICES);
            double moved = headMoves / (double) SLICES;
            worst[0] = Math.max(worst[0], (moved - share) / sigma);
            assertThat(moved).as("heads moved vs the joiner's share %.4f", share).isLessThanOrEqualTo(share + 4.5 * sigma);
        });
        System.out.printf("join: worst excess of moved heads over the joiner's share: %.2f sigma%n", worst[0]);
    }

    @Test
    void aLeavingMemberMovesOnlyItsSlices() {
        Seeds.check("leave moves only the leaver's slices", 40, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<NetId> ids = Ids.random(r, 2 + r.nextInt(9));
            Map<NetId, Integer> before = new LinkedHashMap<>();
            ids.forEach(m -> before.put(m, 1 + r.nextInt(8)));
            NetId leaver = ids.get(r.nextInt(ids.size()));
            Map<NetId, Integer> after = new LinkedHashMap<>(before);
            if (r.nextBoolean()) {
                after.remove(leaver);
            } else {
                after.put(leaver, 0); // tightening: the same as leaving, for new data
            }
            int replicas = 1 + r.nextInt(4);
            List<List<NetId>> old = chains(Ring.of(before, replicas, SLICES));
            List<List<NetId>> now = chains(Ring.of(after, replicas, SLICES));
            for (int s = 0; s < SLICES; s++) {
                if (!old.get(s).contains(leaver)) {
                    assertThat(now.get(s)).as("slice %d without the leaver", s).isEqualTo(old.get(s));
                } else {
                    assertThat(now.get(s)).doesNotContain(leaver);
                    assertThat(isPrefix(without(old.get(s), leaver), now.get(s)))
                            .as("the others keep their order: %s then %s", old.get(s), now.get(s)).isTrue();
                }
            }
        });
    }

    @Test
    void aWeightChangeOfOneMemberMovesNothingBetweenOthers() {
        Seeds.check("weight change", 20, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            List<NetId> ids = Ids.random(r, 3 + r.nextInt(6));
            Map<NetId, Integer> before = new LinkedHashMap<>();
            ids.forEach(m -> before.put(m, 1 + r.nextInt(8)));
            NetId grower = ids.get(0);
            Map<NetId, Integer> after = new LinkedHashMap<>(before);
            after.put(grower, before.get(grower) * 2);
            List<List<NetId>> old = chains(Ring.of(before, 1, SLICES));
            List<List<NetId>> now = chains(Ring.of(after, 1, SLICES));
            for (int s = 0; s < SLICES; s++) {
                if (!now.get(s).equals(old.get(s))) {
                    assertThat(now.get(s)).as("a member that grows only gains slices").containsExactly(grower);
                }
            }
        });
    }
}
