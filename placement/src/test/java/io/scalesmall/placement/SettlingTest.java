package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The settling hold-down, on a manual clock. */
class SettlingTest {
    static final long MS = 1_000_000L;
    static final Map<String, Integer> V1 = Map.of("a", 1);
    static final Map<String, Integer> V2 = Map.of("a", 1, "b", 2);

    @Test
    void aViewIsDueOnlyAfterStayingUnchangedForTheHold() {
        long t0 = Long.MAX_VALUE - 500 * MS; // near the wrap-around: only differences count
        Settling<Map<String, Integer>> s = Settling.of(Duration.ofSeconds(1));
        assertThat(s.due(t0)).isFalse();
        assertThat(s.nanosUntilDue(t0)).isEqualTo(-1);
        s = s.offer(V1, t0);
        assertThat(s.due(t0 + 999 * MS)).isFalse();
        assertThat(s.nanosUntilDue(t0 + 400 * MS)).isEqualTo(600 * MS);
        Settling<Map<String, Integer>> same = s.offer(Map.of("a", 1), t0 + 500 * MS);
        assertThat(same).as("an equal view does not restart the wait").isSameAs(s);
        assertThat(s.due(t0 + 1000 * MS)).isTrue();
        assertThat(s.view()).isEqualTo(V1);

        s = s.applied();
        assertThat(s.lastApplied()).contains(V1);
        assertThat(s.due(t0 + 5000 * MS)).as("nothing new").isFalse();
        s = s.offer(V2, t0 + 5000 * MS);
        assertThat(s.due(t0 + 5999 * MS)).isFalse();
        assertThat(s.due(t0 + 6000 * MS)).isTrue();
        s = s.offer(V1, t0 + 6000 * MS); // flapped back to what is applied before acting: nothing to do
        assertThat(s.due(t0 + 9000 * MS)).isFalse();
        assertThat(s.nanosUntilDue(t0 + 9000 * MS)).isEqualTo(-1);
    }

    @Test
    void aFlappingViewIsNeverDue() {
        Settling<Map<String, Integer>> s = Settling.of(Duration.ofSeconds(1));
        long now = 0;
        for (int i = 0; i < 100; i++) {
            s = s.offer(i % 2 == 0 ? V1 : V2, now);
            now += 900 * MS;
            assertThat(s.due(now)).isFalse();
        }
        assertThat(s.due(now + 100 * MS)).isTrue();
    }

    @Test
    void aZeroHoldIsDueAtOnce() {
        Settling<String> s = Settling.<String>of(Duration.ZERO).offer("v", 42);
        assertThat(s.due(42)).isTrue();
        assertThat(s.hold()).isEqualTo(Duration.ZERO);
    }

    @Test
    void badInputIsRefused() {
        assertThatThrownBy(() -> Settling.of(null)).hasMessage("hold: null");
        assertThatThrownBy(() -> Settling.of(Duration.ofMillis(-1))).hasMessage("hold: PT-0.001S is negative");
        assertThatThrownBy(() -> Settling.of(Duration.ofDays(365L * 300)))
                .hasMessageEndingWith("does not fit in a long of nanoseconds");
        assertThatThrownBy(() -> Settling.of(Duration.ofSeconds(1)).offer(null, 0)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> Settling.of(Duration.ofSeconds(1)).applied()).hasMessage("applied: no view has been offered");
    }
}
