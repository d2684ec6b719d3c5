package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The tightening hysteresis and its validation. */
class TighteningTest {
    static final long BUDGET = 1000;

    @ParameterizedTest(name = "was tight {0}, used {1} of 1000 -> tight {2}")
    @CsvSource({
        "false, 0, false", "false, 799, false", "false, 800, false", "false, 899, false",
        "false, 900, true", "false, 1000, true", "false, 5000, true",
        "true, 5000, true", "true, 900, true", "true, 801, true",
        "true, 800, false", "true, 0, false",
    })
    void tightensAtTheHighWatermarkAndUntightensAtTheLow(boolean was, long used, boolean expected) {
        assertThat(Tightening.DEFAULT.tight(was, used, BUDGET)).isEqualTo(expected);
    }

    @Test
    void useHoveringBetweenTheWatermarksNeverFlaps() {
        boolean tight = false;
        int changes = 0;
        long[] trace = {850, 899, 900, 880, 899, 820, 850, 899, 810, 801, 800, 850, 899, 860};
        boolean[] expected = {false, false, true, true, true, true, true, true, true, true, false, false, false, false};
        for (int i = 0; i < trace.length; i++) {
            boolean next = Tightening.DEFAULT.tight(tight, trace[i], BUDGET);
            changes += next != tight ? 1 : 0;
            tight = next;
            assertThat(tight).as("step %d, used %d", i, trace[i]).isEqualTo(expected[i]);
        }
        assertThat(changes).isEqualTo(2);
    }

    @Test
    void aTightMemberPublishesWeightZero() {
        assertThat(Tightening.weight(true, 7)).isZero();
        assertThat(Tightening.weight(false, 7)).isEqualTo(7);
        assertThatThrownBy(() -> Tightening.weight(false, -1)).hasMessage("capacityWeight: -1 is negative");
    }

    @Test
    void configIsValidated() {
        assertThat(new Tightening(1.0, 0.0)).isNotNull();
        assertThatThrownBy(() -> new Tightening(0.8, 0.9)).hasMessage("low watermark: 0.9 is not below the high watermark 0.8");
        assertThatThrownBy(() -> new Tightening(0.8, 0.8)).hasMessage("low watermark: 0.8 is not below the high watermark 0.8");
        assertThatThrownBy(() -> new Tightening(1.1, 0.5)).hasMessage("high watermark: 1.1 is not in (0, 1]");
        assertThatThrownBy(() -> new Tightening(0, 0)).hasMessage("high watermark: 0.0 is not in (0, 1]");
        assertThatThrownBy(() -> new Tightening(Double.NaN, 0.5)).hasMessage("high watermark: NaN is not in (0, 1]");
        assertThatThrownBy(() -> new Tightening(0.9, -0.1)).hasMessage("low watermark: -0.1 is not in [0, 1)");
        assertThatThrownBy(() -> Tightening.DEFAULT.tight(false, -1, 1)).hasMessage("usedBytes: -1 is negative");
        assertThatThrownBy(() -> Tightening.DEFAULT.tight(false, 0, 0)).hasMessage("budgetBytes: 0 is not positive");
    }
}
