package io.scalesmall.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class FileLogConfigTest {
    @Test
    void earlyWritebackIsOnByDefaultAndTakesZeroOrAtLeastAPage() {
        assertThat(FileLogConfig.DEFAULT.writebackBytes()).isEqualTo(4L << 20);
        assertThat(FileLogConfig.DEFAULT.withWritebackBytes(0).writebackBytes()).as("off").isZero();
        assertThat(FileLogConfig.DEFAULT.withWritebackBytes(4096).writebackBytes()).isEqualTo(4096);
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withWritebackBytes(4095))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writebackBytes");
        assertThatThrownBy(() -> FileLogConfig.DEFAULT.withWritebackBytes(-1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writebackBytes");
    }

    @Test
    void writeBehindIsOffOrAtLeastOneMebibyte() {
        assertThat(FileLogConfig.DEFAULT.withWriteBehindBytes(0).writeBehindBytes()).isZero();
        assertThat(FileLogConfig.DEFAULT.withWriteBehindBytes(1 << 20).writeBehindBytes()).isEqualTo(1 << 20);
        for (long bad : new long[] {-1, 1, (1 << 20) - 1, 1L << 31}) {
            assertThatThrownBy(() -> FileLogConfig.DEFAULT.withWriteBehindBytes(bad))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeBehindBytes");
        }
    }

    @Test
    void everyWitherKeepsTheOtherSettings() {
        FileLogConfig c = FileLogConfig.DEFAULT.withPreallocate(true).withWritebackBytes(1 << 20)
                .withWriteBehindBytes(3 << 20)
                .withKeepPageCache(true).withSegmentBytes(1 << 20).withCacheBytes(0).withRetentionBytes(5)
                .withRetentionMillis(6).withMaxDiskBytes(7).withProducerExpiryMillis(8).withCompressMinBytes(9);
        assertThat(c).isEqualTo(new FileLogConfig(1 << 20, 9, 5, 6, 7, 8, 0, true, 1 << 20, true, 3 << 20));
        assertThat(FileLogConfig.DEFAULT.writeBehindBytes()).isEqualTo(8 << 20);
        assertThat(FileLogConfig.DEFAULT.preallocate()).isFalse();
        assertThat(c.withPreallocate(false).preallocate()).isFalse();
    }
}
