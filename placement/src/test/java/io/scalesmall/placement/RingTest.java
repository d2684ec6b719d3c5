package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.topology.Item;
import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Ring invariants, determinism, the hash contract and validation. */
class RingTest {
    /** Random weights, a few of them 0, for n random members. */
    static Map<NetId, Integer> randomWeights(SplittableRandom r, int n) {
        Map<NetId, Integer> w = new LinkedHashMap<>();
        for (NetId id : Ids.random(r, n)) {
            w.put(id, r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(8));
        }
        return w;
    }

    /** The oracle: the chain of slice s by sorting every member of weight > 0 by score (desc), ties by id. */
    static List<NetId> bruteChain(Map<NetId, Integer> weights, int replicas, int slice) {
        List<NetId> live = new ArrayList<>();
        Map<NetId, Double> score = new HashMap<>();
        weights.forEach((m, w) -> {
            if (w > 0) {
                live.add(m);
                score.put(m, Rendezvous.score(w, Rendezvous.hash(Rendezvous.memberHash(m), slice)));
            }
        });
        live.sort(Comparator.<NetId>comparingDouble(score::get).reversed().thenComparing(Comparator.naturalOrder()));
        return live.subList(0, Math.min(replicas, live.size()));
    }

    @Test
    void arcsCoverTheKeySpaceExactlyAndEveryKeyHasMinRDistinctLiveMembers() {
        Seeds.check("ring invariants", 60, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Map<NetId, Integer> weights = randomWeights(r, r.nextInt(13));
            int replicas = 1 + r.nextInt(5);
            int slices = 1 << r.nextInt(13);
            Ring ring = Ring.of(weights, replicas, slices);
            long live = weights.values().stream().filter(w -> w > 0).count();
            int expected = (int) Math.min(replicas, live);
            long width = (Item.MAX_KEY + 1) / slices;

            List<Ring.Arc> arcs = ring.arcs();
            assertThat(arcs.get(0).start()).isZero();
            assertThat(arcs.get(arcs.size() - 1).end()).isEqualTo(Item.MAX_KEY);
            long covered = 0;
            for (int i = 0; i < arcs.size(); i++) {
                Ring.Arc a = arcs.get(i);
                covered += a.size();
                assertThat(a.start() % width).as("arc starts on a slice boundary").isZero();
                assertThat(a.chain()).hasSize(expected).doesNotHaveDuplicates();
                assertThat(a.chain()).allMatch(m -> weights.get(m) > 0, "weight > 0");
                if (i > 0) {
                    assertThat(a.start()).isEqualTo(arcs.get(i - 1).end() + 1);
                    assertThat(a.chain()).as("adjacent arcs differ").isNotEqualTo(arcs.get(i - 1).chain());
                }
            }
            assertThat(covered).isEqualTo(Item.MAX_KEY + 1);
            assertThat(ring.members()).hasSize((int) live);

            for (int t = 0; t < 200; t++) {
                long key = t < 3 ? new long[] {0, Item.MAX_KEY, Math.min(width, Item.MAX_KEY)}[t] : r.nextLong(Item.MAX_KEY + 1);
                int slice = (int) (key / width);
                assertThat(ring.chain(key)).as("key %d", key).isEqualTo(bruteChain(weights, replicas, slice));
                assertThat(ring.arcAt(key).start()).isLessThanOrEqualTo(key);
                assertThat(ring.arcAt(key).end()).isGreaterThanOrEqualTo(key);
            }
            for (Ring.Arc a : arcs) { // both edges of every arc
                assertThat(ring.arcAt(a.start())).isSameAs(a);
                assertThat(ring.arcAt(a.end())).isSameAs(a);
            }
        });
    }

    @Test
    void sameViewInAnyOrderGivesAnEqualRing() {
        Seeds.check("ring determinism", 30, seed -> {
            SplittableRandom r = new SplittableRandom(seed);
            Map<NetId, Integer> weights = randomWeights(r, 1 + r.nextInt(10));
            List<Map.Entry<NetId, Integer>> entries = new ArrayList<>(weights.entrySet());
            Collections.shuffle(entries, new java.util.Random(seed));
            Map<NetId, Integer> shuffled = new LinkedHashMap<>();
            entries.forEach(e -> shuffled.put(e.getKey(), e.getValue()));
            Ring a = Ring.of(weights, 3, 1024);
            Ring b = Ring.of(new HashMap<>(shuffled), 3, 1024);
            Ring c = Ring.of(new TreeMap<>(shuffled), 3, 1024);
            assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
            assertThat(c.arcs()).isEqualTo(a.arcs());
        });
    }

    @Test
    void noLiveMemberGivesOneEmptyArc() {
        NetId a = Ids.local(7001);
        for (Map<NetId, Integer> w : List.of(Map.<NetId, Integer>of(), Map.of(a, 0))) {
            Ring ring = Ring.of(w);
            assertThat(ring.arcs()).containsExactly(new Ring.Arc(0, Item.MAX_KEY, List.of()));
            assertThat(ring.chain(12345)).isEmpty();
            assertThat(ring.members()).isEmpty();
        }
    }

    @Test
    void theHashIsTheSplitMix64SequenceOfTheMemberHash() {
        // SplittableRandom(seed).nextLong() is mix64(seed + k * GOLDEN_GAMMA) for k = 1, 2, ...: an independent oracle.
        long mh = Rendezvous.memberHash(Ids.local(7001));
        SplittableRandom sr = new SplittableRandom(mh);
        for (int s = 0; s < 100; s++) {
            assertThat(Rendezvous.hash(mh, s)).isEqualTo(sr.nextLong());
        }
    }

    @Test
    void theHashIsPinned() {
        // Part of the cluster's contract: a change here moves every key to other members on a mixed-version cluster.
        assertThat(Rendezvous.memberHash(NetId.parse("127.0.0.1:7001"))).isEqualTo(GOLDEN_V4);
        assertThat(Rendezvous.memberHash(NetId.parse("[fd00::1]:9000"))).isEqualTo(GOLDEN_V6);
        assertThat(Ring.of(Map.of(Ids.local(7001), 1, Ids.local(7002), 2, Ids.local(7003), 4), 3, 16).arcs())
                .extracting(a -> a.chain().get(0).port()).containsExactly(GOLDEN_HEADS);
    }

    // Computed independently, by a Python transcription of the class comment of Rendezvous (math.log, not Java's).
    static final long GOLDEN_V4 = 2155401774790637009L;
    static final long GOLDEN_V6 = -7665747808360136281L;
    static final Integer[] GOLDEN_HEADS = {7003, 7002, 7002, 7001, 7001, 7003, 7001, 7003, 7002, 7003, 7003, 7003, 7002, 7003, 7003};

    @Test
    void scoresAreOrderedByWeightForTheSameHash() {
        long h = 0x1234_5678_9ABC_DEF0L;
        assertThat(Rendezvous.score(2, h)).isEqualTo(2 * Rendezvous.score(1, h));
        assertThat(Rendezvous.score(1, 0)).isPositive().isFinite();
        assertThat(Rendezvous.score(1, -1L)).isPositive().isFinite(); // the largest u: must stay below 1
        assertThat(Rendezvous.score(1, -1L >>> 1)).isPositive().isFinite();
    }

    @Test
    void keysAtCountsEachPosition() {
        Map<NetId, Integer> w = Map.of(Ids.local(1), 1, Ids.local(2), 1, Ids.local(3), 1);
        Ring ring = Ring.of(w, 3, 256);
        for (NetId m : w.keySet()) {
            assertThat(ring.keysAt(m, -1)).isEqualTo(Item.MAX_KEY + 1);
            assertThat(ring.keysAt(m, 0) + ring.keysAt(m, 1) + ring.keysAt(m, 2)).isEqualTo(Item.MAX_KEY + 1);
        }
        assertThat(new HashSet<>(ring.members())).isEqualTo(w.keySet());
    }

    @Test
    void badInputIsRefusedWithTheParameterNamed() {
        NetId a = Ids.local(7001);
        Map<NetId, Integer> ok = Map.of(a, 1);
        assertThatThrownBy(() -> Ring.of(null, 3, 16)).hasMessage("weights: null");
        Map<NetId, Integer> nullKey = new HashMap<>();
        nullKey.put(null, 1);
        assertThatThrownBy(() -> Ring.of(nullKey, 3, 16)).hasMessage("weights: null member");
        Map<NetId, Integer> nullValue = new HashMap<>();
        nullValue.put(a, null);
        assertThatThrownBy(() -> Ring.of(nullValue, 3, 16)).hasMessage("weights[127.0.0.1:7001]: null is not a weight >= 0");
        assertThatThrownBy(() -> Ring.of(Map.of(a, -1), 3, 16)).hasMessage("weights[127.0.0.1:7001]: -1 is not a weight >= 0");
        assertThatThrownBy(() -> Ring.of(ok, 0, 16)).hasMessage("replicas: 0 is not in 1..255");
        assertThatThrownBy(() -> Ring.of(ok, 256, 16)).hasMessage("replicas: 256 is not in 1..255");
        for (int s : new int[] {0, -4, 3, 4095, 1 << 21}) {
            assertThatThrownBy(() -> Ring.of(ok, 3, s)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("slices: " + s + " is not a power of two in 1..1048576");
        }
        Ring ring = Ring.of(ok);
        assertThatThrownBy(() -> ring.chain(-1)).hasMessage("key: -1 is not in 0..4294967295");
        assertThatThrownBy(() -> ring.chain(Item.MAX_KEY + 1)).hasMessage("key: 4294967296 is not in 0..4294967295");
        assertThat(Ring.of(ok, 255, Ring.MAX_SLICES).chain(Item.MAX_KEY)).containsExactly(a);
    }
}
