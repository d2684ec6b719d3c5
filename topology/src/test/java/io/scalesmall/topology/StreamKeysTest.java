package io.scalesmall.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class StreamKeysTest {
    @Test
    void goldenValues() {
        // Pinned once: XXH32 (seed 0) of the UTF-8 bytes, unsigned. Changing any of these changes the key of every
        // stream, and so moves every stream to other members of a running cluster. Do not "fix" them.
        assertThat(StreamKeys.keyOf("abc")).isEqualTo(0x32D153FFL); // the published XXH32 test vector
        // The rest were cross-checked once against an independent implementation written from the XXH32 spec.
        assertThat(StreamKeys.keyOf("orders")).isEqualTo(0xE7B1855BL); // above 2^31: read as unsigned
        assertThat(StreamKeys.keyOf("stream-0")).isEqualTo(0xA6E9106EL);
        assertThat(StreamKeys.keyOf("stream-1")).isEqualTo(0x212867F8L);
        assertThat(StreamKeys.keyOf("\u6d41")).isEqualTo(0xAD465090L); // 3 UTF-8 bytes: the name is hashed as UTF-8
        assertThat(StreamKeys.keyOf("x".repeat(255))).isEqualTo(0x9D0AB366L); // the longest name; 16-byte stripes
    }

    @Test
    void keysAreUnsigned32Bit() {
        SplittableRandom rnd = new SplittableRandom(1);
        boolean high = false;
        for (int i = 0; i < 10_000; i++) {
            long k = StreamKeys.keyOf("k" + rnd.nextLong());
            assertThat(k).isBetween(0L, Item.MAX_KEY);
            high |= k > Integer.MAX_VALUE;
        }
        assertThat(high).as("keys above 2^31 (the hash is read as unsigned)").isTrue();
    }

    /** Consecutive names, as operators tend to choose them, spread evenly over 16 equal ranges of the key space. */
    @Test
    void similarNamesSpreadEvenlyOverTheKeySpace() {
        int[] buckets = new int[16];
        int n = 100_000;
        for (int i = 0; i < n; i++) {
            buckets[(int) (StreamKeys.keyOf("stream-" + i) >>> 28)]++;
        }
        assertEven(buckets, n);
    }

    @Test
    void randomNamesSpreadEvenlyOverTheKeySpace() {
        Seeds.check("random names spread evenly", 3, seed -> {
            SplittableRandom rnd = new SplittableRandom(seed);
            int[] buckets = new int[16];
            int n = 100_000;
            for (int i = 0; i < n; i++) {
                StringBuilder name = new StringBuilder();
                for (int c = rnd.nextInt(1, 40); c > 0; c--) {
                    name.append((char) rnd.nextInt('!', '~' + 1));
                }
                buckets[(int) (StreamKeys.keyOf(name.toString()) >>> 28)]++;
            }
            assertEven(buckets, n);
        });
    }

    /** Each bucket within ±5 % of the mean (the binomial standard deviation is ~1.2 %, so this is ~4σ). */
    private static void assertEven(int[] buckets, int n) {
        double mean = (double) n / buckets.length;
        for (int b = 0; b < buckets.length; b++) {
            assertThat((double) buckets[b]).as("bucket %d of %d", b, buckets.length)
                    .isBetween(mean * 0.95, mean * 1.05);
        }
    }

    @Test
    void badNamesAreRefusedNamingTheValue() {
        assertThatThrownBy(() -> StreamKeys.keyOf("")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("''").hasMessageContaining("got 0");
        assertThatThrownBy(() -> StreamKeys.keyOf("y".repeat(256))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + "y".repeat(64) + "...'").hasMessageContaining("got 256");
        assertThatThrownBy(() -> StreamKeys.keyOf("\u6d41".repeat(86))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got 258");
        assertThatThrownBy(() -> StreamKeys.keyOf("bad\uD800")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'bad").hasMessageContaining("unpaired surrogate");
        assertThatThrownBy(() -> StreamKeys.keyOf(null)).isInstanceOf(NullPointerException.class);
        assertThat(StreamKeys.keyOf("\u6d41".repeat(85))).isBetween(0L, Item.MAX_KEY); // 255 bytes: the longest
    }
}
