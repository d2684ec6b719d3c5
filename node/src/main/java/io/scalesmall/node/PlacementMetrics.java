package io.scalesmall.node;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.scalesmall.placement.Ring;
import io.scalesmall.topology.Item;
import java.util.Collection;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Placement as Prometheus metrics, tagged {@code group}: {@code scalesmall_placement_claims} (this node's ADD items
 * with priority > 0), {@code _locations} (priority-0 items), {@code _weight} (announced weight),
 * {@code _tight} (1 while tightened), {@code _head_share} (keys this node heads / 2^32, 0..1) and
 * {@code _writes_total} (topology writes). Reads each driver's {@link PlacementDriver#snapshot}. Thread-safe.
 */
final class PlacementMetrics implements MeterBinder {
    private final List<PlacementDriver> drivers;

    PlacementMetrics(Collection<PlacementDriver> drivers) {
        this.drivers = List.copyOf(drivers);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (PlacementDriver d : drivers) {
            gauge(registry, d, "scalesmall.placement.claims", "ADD items with priority > 0 this node holds",
                    s -> s.claims());
            gauge(registry, d, "scalesmall.placement.locations", "Priority-0 location items this node holds",
                    s -> s.locations());
            gauge(registry, d, "scalesmall.placement.weight", "The weight this node announces", s -> s.weight());
            gauge(registry, d, "scalesmall.placement.tight", "1 while the node is tightened (disk)",
                    s -> s.tight() ? 1 : 0);
            gauge(registry, d, "scalesmall.placement.head.share", "Share of the key space this node heads (0..1)",
                    s -> headShare(s.ring(), d));
            FunctionCounter.builder("scalesmall.placement.writes", d, x -> x.snapshot().writes()).tag("group", d.group())
                    .description("Topology writes of claims").register(registry);
        }
    }

    private static double headShare(Ring ring, PlacementDriver d) {
        return ring == null ? 0 : ring.keysAt(d.self(), 0) / (Item.MAX_KEY + 1.0);
    }

    private static void gauge(MeterRegistry registry, PlacementDriver d, String name, String description,
            ToDoubleFunction<PlacementDriver.Snapshot> f) {
        Gauge.builder(name, d, x -> f.applyAsDouble(x.snapshot())).tag("group", d.group()).description(description)
                .strongReference(true).register(registry);
    }
}
