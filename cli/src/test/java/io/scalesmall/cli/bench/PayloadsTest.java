package io.scalesmall.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PayloadsTest {
    @Test
    void bodiesAreUppercaseLettersOfTheGivenSizeFromADistinctPool() {
        Payloads p = new Payloads(100, 1);
        assertThat(p.get(0)).hasSize(100);
        for (byte b : p.get(5)) {
            assertThat((char) b).isBetween('A', 'Z');
        }
        assertThat(p.get(0)).isNotEqualTo(p.get(1));
        assertThat(p.get(Payloads.MAX_POOL)).isSameAs(p.get(0));
        assertThat(new Payloads(0, 1).get(3)).isEmpty();
    }

    @Test
    void thePoolIsBoundedInBytes() {
        Payloads big = new Payloads(1 << 20, 1);
        long n = Payloads.MAX_POOL_BYTES / (1 << 20);
        assertThat(big.get(n)).isSameAs(big.get(0));
        assertThat(big.get(n - 1)).isNotSameAs(big.get(0));
    }
}
