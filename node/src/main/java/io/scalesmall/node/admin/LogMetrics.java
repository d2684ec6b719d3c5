package io.scalesmall.node.admin;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalesmall.log.FileMessageLog;
import java.util.function.ToDoubleFunction;

/**
 * The message log's state as Prometheus metrics ({@code scalesmall_log_*}): fsyncs made and how long they took (p50,
 * p99 and max since the log opened, in seconds: a disk ack waits for one group commit's fsync, so this is the floor
 * of disk-ack latency), the bytes and segments on disk, and the read cache's budget, use, hits and misses. Reads the
 * log when scraped; nothing is copied, the fsync quantiles included.
 * Thread-safe.
 */
public final class LogMetrics implements MeterBinder {
    private final FileMessageLog log;

    public LogMetrics(FileMessageLog log) {
        this.log = log;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder("scalesmall.log.fsyncs", log, FileMessageLog::fsyncCount)
                .description("fsync calls (group commits and rolls)").register(registry);
        for (double q : new double[] {0.5, 0.99, 1.0}) {
            Gauge.builder("scalesmall.log.fsync.duration", log,
                            l -> l.fsyncLatencyNanosAt(q * 100) / 1e9)
                    .tag("quantile", q == 1.0 ? "max" : String.valueOf(q)).baseUnit("seconds")
                    .description("How long fsyncs took since the log opened, at this quantile")
                    .strongReference(true).register(registry);
        }
        gauge(registry, "scalesmall.log.disk", FileMessageLog::diskBytes, BaseUnits.BYTES,
                "Bytes of the segment files held (what the disk budget counts)");
        gauge(registry, "scalesmall.log.segments", FileMessageLog::segmentCount, null, "Segment files held");
        gauge(registry, "scalesmall.log.cache.budget", l -> l.cacheStats().budgetBytes(), BaseUnits.BYTES,
                "The read cache's memory budget");
        gauge(registry, "scalesmall.log.cache.held", l -> l.cacheStats().heldBytes(), BaseUnits.BYTES,
                "Memory the read cache holds now");
        FunctionCounter.builder("scalesmall.log.cache.hits", log, l -> l.cacheStats().hits())
                .description("Batches reads took from the read cache").register(registry);
        FunctionCounter.builder("scalesmall.log.cache.misses", log, l -> l.cacheStats().misses())
                .description("Batches reads took from disk").register(registry);
    }

    private void gauge(MeterRegistry registry, String name, ToDoubleFunction<FileMessageLog> f, String unit,
            String description) {
        Gauge.builder(name, log, f).baseUnit(unit).description(description).strongReference(true).register(registry);
    }
}
