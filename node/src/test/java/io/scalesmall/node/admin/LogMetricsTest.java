package io.scalesmall.node.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scalesmall.log.FileLogConfig;
import io.scalesmall.log.FileMessageLog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The log's meters read the log when scraped. */
class LogMetricsTest {
    @TempDir
    Path dir;

    @Test
    void fsyncsDiskAndCacheAreReadFromTheLog() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        try (FileMessageLog log = FileMessageLog.open(dir, FileLogConfig.DEFAULT.withCacheBytes(1 << 20))) {
            new LogMetrics(log).bindTo(registry);
            assertThat(registry.get("scalesmall.log.fsyncs").functionCounter().count()).isZero();
            assertThat(registry.get("scalesmall.log.fsync.duration").tag("quantile", "max").gauge().value())
                    .as("no fsync yet").isZero();

            for (int i = 0; i < 3; i++) {
                log.append("s", ("message " + i).getBytes(StandardCharsets.UTF_8));
                log.flush();
            }
            log.read("s", 0, 10, 1 << 20);

            assertThat(registry.get("scalesmall.log.fsyncs").functionCounter().count()).isEqualTo(3);
            double p50 = registry.get("scalesmall.log.fsync.duration").tag("quantile", "0.5").gauge().value();
            double p99 = registry.get("scalesmall.log.fsync.duration").tag("quantile", "0.99").gauge().value();
            double max = registry.get("scalesmall.log.fsync.duration").tag("quantile", "max").gauge().value();
            assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).isLessThanOrEqualTo(max);
            assertThat(max).as("seconds, not ns").isLessThan(60);
            assertThat(registry.get("scalesmall.log.disk").gauge().value()).isEqualTo(log.diskBytes()).isPositive();
            assertThat(registry.get("scalesmall.log.segments").gauge().value()).isEqualTo(1);
            assertThat(registry.get("scalesmall.log.cache.budget").gauge().value()).isEqualTo(1 << 20);
            assertThat(registry.get("scalesmall.log.cache.held").gauge().value()).isPositive();
            assertThat(registry.get("scalesmall.log.cache.hits").functionCounter().count())
                    .isEqualTo(log.cacheStats().hits()).isPositive();
            assertThat(registry.get("scalesmall.log.cache.misses").functionCounter().count())
                    .isEqualTo(log.cacheStats().misses());
        }
    }
}
