package io.scalesmall.chatter.swim;

import static org.assertj.core.api.Assertions.assertThat;

import io.scalesmall.topology.NetId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class ActiveIndexTest {
    static NetId id(int i) {
        return NetId.of(new byte[] {10, 0, (byte) (i >> 8), (byte) i}, 29999);
    }

    @Test
    void drawsDistinctEligibleMembersAgainstAModelUnderRandomAddsAndRemoves() {
        long seed = 20261122L;
        Random r = new Random(seed);
        ActiveIndex index = new ActiveIndex();
        Set<NetId> model = new HashSet<>();
        for (int step = 0; step < 20_000; step++) {
            NetId m = id(r.nextInt(300));
            if (r.nextBoolean()) {
                index.add(m);
                model.add(m);
            } else {
                index.remove(m);
                model.remove(m);
            }
            assertThat(index.size()).as("seed %d step %d", seed, step).isEqualTo(model.size());
            // Eligible: all but m, or (often) only a few members, which forces the fallback scan.
            int mod = 1 + r.nextInt(10);
            Predicate<NetId> eligible = r.nextBoolean() ? id -> !id.equals(m) : id -> id.hashCode() % mod == 0;
            int k = r.nextInt(6);
            List<NetId> drawn = index.draw(k, eligible, r);
            long available = model.stream().filter(eligible).count();
            assertThat(drawn).as("seed %d step %d", seed, step).hasSize((int) Math.min(k, available))
                    .doesNotHaveDuplicates().allMatch(model::contains).allMatch(eligible);
        }
    }

    @Test
    void drawsEveryMemberAboutEquallyOften() {
        long seed = 7;
        Random r = new Random(seed);
        ActiveIndex index = new ActiveIndex();
        List<NetId> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(id(i));
            index.add(id(i));
        }
        Map<NetId, Integer> counts = new HashMap<>();
        for (int i = 0; i < 30_000; i++) {
            for (NetId m : index.draw(3, id -> !id.equals(all.get(0)), r)) {
                counts.merge(m, 1, Integer::sum);
            }
        }
        assertThat(counts).as("seed %d", seed).doesNotContainKey(all.get(0)).hasSize(99);
        // 90,000 draws over 99 members: about 909 each; a fair draw stays well within +-20 %.
        assertThat(counts.values()).as("seed %d", seed).allMatch(c -> c > 727 && c < 1091);
    }
}
