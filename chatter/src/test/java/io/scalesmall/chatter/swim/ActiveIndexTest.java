package io.scalesmall.chatter.swim;

import static org.assertj.core.api.Assertions.assertThat;

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
    static final class Element extends ActiveIndex.Slotted {
        final int id;

        Element(int id) {
            this.id = id;
        }

        @Override
        public String toString() {
            return "e" + id;
        }
    }

    @Test
    void drawsDistinctEligibleElementsAgainstAModelUnderRandomAddsAndRemoves() {
        long seed = 20261122L;
        Random r = new Random(seed);
        ActiveIndex<Element> index = new ActiveIndex<>();
        List<Element> universe = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            universe.add(new Element(i));
        }
        Set<Element> model = new HashSet<>();
        for (int step = 0; step < 20_000; step++) {
            Element m = universe.get(r.nextInt(universe.size()));
            if (r.nextBoolean()) {
                index.add(m);
                model.add(m);
            } else {
                index.remove(m);
                model.remove(m);
            }
            assertThat(index.size()).as("seed %d step %d", seed, step).isEqualTo(model.size());
            // Eligible: all but m, or (often) only a few elements, which forces the fallback scan.
            int mod = 1 + r.nextInt(10);
            Predicate<Element> eligible = r.nextBoolean() ? e -> e != m : e -> e.id % mod == 0;
            int k = r.nextInt(6);
            List<Element> drawn = index.draw(k, eligible, r);
            long available = model.stream().filter(eligible).count();
            assertThat(drawn).as("seed %d step %d", seed, step).hasSize((int) Math.min(k, available))
                    .doesNotHaveDuplicates().allMatch(model::contains).allMatch(eligible);
        }
    }

    @Test
    void drawsEveryElementAboutEquallyOften() {
        long seed = 7;
        Random r = new Random(seed);
        ActiveIndex<Element> index = new ActiveIndex<>();
        List<Element> all = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            all.add(new Element(i));
            index.add(all.get(i));
        }
        Map<Element, Integer> counts = new HashMap<>();
        for (int i = 0; i < 30_000; i++) {
            for (Element m : index.draw(3, e -> e != all.get(0), r)) {
                counts.merge(m, 1, Integer::sum);
            }
        }
        assertThat(counts).as("seed %d", seed).doesNotContainKey(all.get(0)).hasSize(99);
        // 90,000 draws over 99 elements: about 909 each; a fair draw stays well within +-20 %.
        assertThat(counts.values()).as("seed %d", seed).allMatch(c -> c > 727 && c < 1091);
    }
}
