package io.scalesmall.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.scalesmall.log.FileLogConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The data path's keys: defaults, layers, parsing, and one-line errors naming the key. */
class DataConfigTest {
    @Test
    void defaults() {
        NodeConfig c = NodeConfigLoader.load(null, Map.of(), Map.of("data-dir", "/tmp/n1"));
        assertThat(c.data().port()).isEqualTo(29998);
        assertThat(c.data().logDir()).isEqualTo(Path.of("/tmp/n1/log"));
        assertThat(c.data().maxDiskBytes()).isEqualTo(FileLogConfig.UNLIMITED);
        assertThat(c.data().retention()).isEqualTo(Duration.ofDays(7));
        assertThat(c.data().logConfig().retentionMillis()).isEqualTo(FileLogConfig.DEFAULT_RETENTION_MILLIS);
    }

    @Test
    void flagsAndEnvironmentSetEveryKey() {
        NodeConfig c = NodeConfigLoader.load(null, Map.of("SCALESMALL_LOG_MAX_DISK", "2g"), Map.of("data-port", "31000",
                "log-dir", "/var/ss", "log-retention", "12h", "log-retention-bytes", "512m"));
        assertThat(c.data()).isEqualTo(new DataConfig(31000, Path.of("/var/ss"), 2L << 30, 512L << 20,
                Duration.ofHours(12), FileLogConfig.AUTO_CACHE_BYTES, false, false,
                FileLogConfig.DEFAULT.writeBehindBytes(), 300));
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("data-io-slice-us", "150")).data().ioSliceMicros())
                .isEqualTo(150);
        assertThat(NodeConfigLoader.load(null, Map.of("SCALESMALL_DATA_IO_SLICE_US", "OFF"), Map.of()).data()
                .ioSliceMicros()).isZero();
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("data-io-slice-us", "0")).data().ioSliceMicros())
                .isZero();
        assertThat(c.data().logConfig().keepPageCache()).as("default: drop").isFalse();
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("log-page-cache", "keep")).data().logConfig()
                .keepPageCache()).isTrue();
        assertThat(NodeConfigLoader.load(null, Map.of("SCALESMALL_LOG_PAGE_CACHE", "Drop"), Map.of()).data()
                .logConfig().keepPageCache()).isFalse();
        assertThat(c.data().logConfig().preallocate()).as("default: off").isFalse();
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("log-preallocate", "off")).data().logConfig()
                .preallocate()).isFalse();
        assertThat(NodeConfigLoader.load(null, Map.of("SCALESMALL_LOG_PREALLOCATE", "On"), Map.of()).data()
                .logConfig().preallocate()).isTrue();
        assertThat(c.data().logConfig().writeBehindBytes()).as("default").isEqualTo(8L << 20);
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("log-write-behind", "off")).data().logConfig()
                .writeBehindBytes()).isZero();
        assertThat(NodeConfigLoader.load(null, Map.of("SCALESMALL_LOG_WRITE_BEHIND", "2m"), Map.of()).data()
                .logConfig().writeBehindBytes()).isEqualTo(2L << 20);
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("log-memory", "256m")).data().logConfig().cacheBytes())
                .isEqualTo(256L << 20);
        assertThat(NodeConfigLoader.load(null, Map.of(), Map.of("log-memory", "off")).data().logConfig().cacheBytes())
                .isZero();
        NodeConfig off = NodeConfigLoader.load(null, Map.of(), Map.of("log-retention", "off", "log-max-disk", "off"));
        assertThat(off.data().retention()).isNull();
        assertThat(off.data().logConfig().retentionMillis()).isEqualTo(FileLogConfig.UNLIMITED);
        assertThat(DataConfig.size("k", "100")).isEqualTo(100);
        assertThat(DataConfig.size("k", "3K")).isEqualTo(3072);
        assertThat(DataConfig.duration("k", "250ms")).isEqualTo(Duration.ofMillis(250));
        assertThat(DataConfig.duration("k", "30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DataConfig.duration("k", "5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(DataConfig.duration("k", "2d")).isEqualTo(Duration.ofDays(2));
    }

    @Test
    void badValuesFailWithOneLineNamingTheKey() {
        for (List<String> bad : List.of(List.of("data-port", "0", "data-port: 0 is not in 1..65535"),
                List.of("data-port", "x", "data-port: 'x' is not a number"),
                List.of("data-port", "29999", "data-port: 29999 is the gossip port"),
                List.of("data-port", "29980", "data-port: 29980 is the admin HTTP port"),
                List.of("log-max-disk", "lots", "log-max-disk: 'lots' is not a size"),
                List.of("data-io-slice-us", "50", "data-io-slice-us: 50 is not in 100..100000"),
                List.of("data-io-slice-us", "100001", "data-io-slice-us: 100001 is not in 100..100000 (or off, 0)"),
                List.of("data-io-slice-us", "fast", "data-io-slice-us: 'fast' is neither a number"),
                List.of("log-max-disk", "0", "log-max-disk: '0' is not a size from 1 byte"),
                List.of("log-max-disk", "99999999999t", "log-max-disk"),
                List.of("log-retention-bytes", "-5m", "log-retention-bytes"),
                List.of("log-retention", "7", "log-retention: '7' is not a duration"),
                List.of("log-retention", "0d", "log-retention: '0d' is not a duration"),
                List.of("log-memory", "lots", "log-memory: 'lots' is not a size"),
                List.of("log-page-cache", "off", "log-page-cache: 'off' is neither drop nor keep"),
                List.of("log-preallocate", "yes", "log-preallocate: 'yes' is neither on nor off"),
                List.of("log-write-behind", "100k", "log-write-behind: 102400 bytes: writeBehindBytes must be 0 (off) or in 1048576.."),
                List.of("log-write-behind", "fast", "log-write-behind: 'fast' is not a size"))) {
            assertThatThrownBy(() -> NodeConfigLoader.load(null, Map.of(), Map.of(bad.get(0), bad.get(1))))
                    .as("%s = %s", bad.get(0), bad.get(1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith(bad.get(0)).hasMessageContaining(bad.get(2))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }
}
