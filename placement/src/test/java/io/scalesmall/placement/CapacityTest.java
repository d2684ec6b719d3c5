package io.scalesmall.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Capacity: measured without feedback from the node's own writes, quantised, and held steady. */
class CapacityTest {
    static final long GIB = Capacity.GIB;

    @Test
    void diskCapacityIsStoredPlusUsableCappedByTheBudget(@TempDir Path dir) throws IOException {
        long usable = Files.getFileStore(dir).getUsableSpace();
        long measured = Capacity.diskBytes(dir, 0, Long.MAX_VALUE);
        assertThat(measured).isBetween(usable / 2, usable * 2); // the file store's usable space moves under others
        assertThat(Capacity.diskBytes(dir, 0, 1000)).isEqualTo(1000);
        // the node's own writes move bytes from usable to stored: the sum, and the weight, do not change
        assertThat(Capacity.diskBytes(10 * GIB, 0, Long.MAX_VALUE))
                .isEqualTo(Capacity.diskBytes(7 * GIB, 3 * GIB, Long.MAX_VALUE));
        assertThat(Capacity.diskBytes(Long.MAX_VALUE, 5, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThatThrownBy(() -> Capacity.diskBytes(dir.resolve("missing"), 0, 1)).hasMessageEndingWith("is not a directory");
        assertThatThrownBy(() -> Capacity.diskBytes(null, 0, 1)).hasMessage("dir: null");
        assertThatThrownBy(() -> Capacity.diskBytes(-1, 0, 1)).hasMessage("usableBytes: -1 is negative");
        assertThatThrownBy(() -> Capacity.diskBytes(0, -1, 1)).hasMessage("storedBytes: -1 is negative");
        assertThatThrownBy(() -> Capacity.diskBytes(0, 0, 0)).hasMessage("budgetBytes: 0 is not positive");
    }

    @Test
    void quantiseCountsWholeUnitsAndNeverRoundsANonEmptyNodeToZero() {
        assertThat(Capacity.quantise(0, GIB)).isZero();
        assertThat(Capacity.quantise(1, GIB)).isEqualTo(1);
        assertThat(Capacity.quantise(GIB - 1, GIB)).isEqualTo(1);
        assertThat(Capacity.quantise(2 * GIB - 1, GIB)).isEqualTo(1);
        assertThat(Capacity.quantise(2 * GIB, GIB)).isEqualTo(2);
        assertThat(Capacity.quantise(Long.MAX_VALUE, 1)).isEqualTo(Integer.MAX_VALUE);
        assertThat(Capacity.quantise(500 * GIB + GIB / 3, GIB)).isEqualTo(500);
        assertThatThrownBy(() -> Capacity.quantise(-1, GIB)).hasMessage("bytes: -1 is negative");
        assertThatThrownBy(() -> Capacity.quantise(1, 0)).hasMessage("unitBytes: 0 is not positive");
        assertThat(Capacity.heapBytes()).isPositive();
    }

    @Test
    void steadyKeepsTheWeightThroughSmallFluctuations() {
        double tol = Capacity.DEFAULT_TOLERANCE;
        assertThat(Capacity.steady(-1, 100, tol)).isEqualTo(100);   // first measurement
        assertThat(Capacity.steady(100, 110, tol)).isEqualTo(100);  // +10 %: kept
        assertThat(Capacity.steady(100, 90, tol)).isEqualTo(100);   // -10 %: kept
        assertThat(Capacity.steady(100, 111, tol)).isEqualTo(111);  // beyond: follows
        assertThat(Capacity.steady(100, 89, tol)).isEqualTo(89);
        assertThat(Capacity.steady(1, 2, tol)).isEqualTo(2);
        assertThat(Capacity.steady(100, 0, tol)).isZero();          // to 0 always passes
        assertThat(Capacity.steady(0, 1, tol)).isEqualTo(1);        // from 0 always passes
        // a capacity drifting around a unit boundary does not flap the weight
        int w = -1;
        for (int i = 0; i < 100; i++) {
            long bytes = 20 * GIB + (i % 2 == 0 ? -GIB / 10 : GIB / 10);
            int next = Capacity.steady(w, Capacity.quantise(bytes, GIB), tol);
            assertThat(i == 0 || next == w).isTrue();
            w = next;
        }
        assertThatThrownBy(() -> Capacity.steady(-2, 1, tol)).hasMessage("previous: -2 is not -1 (none) or a weight >= 0");
        assertThatThrownBy(() -> Capacity.steady(1, -1, tol)).hasMessage("measured: -1 is negative");
        assertThatThrownBy(() -> Capacity.steady(1, 1, 1.0)).hasMessage("tolerance: 1.0 is not in [0, 1)");
        assertThatThrownBy(() -> Capacity.steady(1, 1, Double.NaN)).hasMessage("tolerance: NaN is not in [0, 1)");
        assertThat(Capacity.configured(0)).isZero();
        assertThatThrownBy(() -> Capacity.configured(-3)).hasMessage("weight: -3 is negative (use 0 to take no new data)");
    }
}
