package io.scalesmall.node;

import io.scalesmall.placement.Ring;
import io.scalesmall.placement.Settling;
import io.scalesmall.placement.Tightening;
import io.scalesmall.topology.GroupState;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a node places data (issue 6): its capacity weight, the chain length and slice count of the ring it computes
 * for each joined group, which group's ring serves its data port, and the timing of its {@link PlacementDriver}.
 * Immutable; checked when built ({@link IllegalArgumentException} naming the key and value). Keys, as in the config
 * file (see {@link NodeConfigLoader}):
 *
 * <pre>
 * placement   on|off   on (default): place data in every joined group; off: publish no claims (the GET item
 *                      still carries the weight) and serve every stream alone
 * weight      N|auto   capacity weight, 0..1000000, announced as the priority of the node's GET item; 0 = takes no
 *                      new data. auto (default): measured, one unit per GiB of disk the log could hold
 *                      (placement.Capacity: min(log-max-disk, stored + usable bytes), at least 1), kept within
 *                      10 % hysteresis so that a drifting disk does not move data
 * replicas    N        chain length R of every joined group, 1..255; default 3
 * slices      N        key-space slices S of the ring, a power of two in 1..1048576; default 4096
 * data-group  NAME     the group whose ring chooses the chains of the streams served on data-port; default: the
 *                      first configured group (none: the node serves every stream alone)
 * </pre>
 *
 * @param enabled    whether the node places data (key {@code placement})
 * @param weight     the configured weight {@code >= 0}, or {@link #MEASURED}
 * @param replicas   R, {@code 1..}{@value Ring#MAX_REPLICAS}
 * @param slices     S, a power of two in {@code 1..}{@value Ring#MAX_SLICES}
 * @param dataGroup  the group serving the data port, or null for the first configured group
 * @param settle     hold-down before a changed view is acted on ({@link Settling}); default 1 s
 * @param tick       how often the driver re-reads the topology and the disk even without events; default 250 ms
 * @param tightening the disk-use watermarks at which the node goes to weight 0 and back; default 0.90 / 0.80
 */
public record PlacementConfig(boolean enabled, int weight, int replicas, int slices, String dataGroup, Duration settle, Duration tick,
        Tightening tightening) {
    /** {@link #weight} meaning "measure the capacity". */
    public static final int MEASURED = -1;
    /** Largest configured weight: 10^6 (weights are relative; this keeps sums far from overflow). */
    public static final int MAX_WEIGHT = 1_000_000;

    public PlacementConfig {
        if (weight != MEASURED && (weight < 0 || weight > MAX_WEIGHT)) {
            throw new IllegalArgumentException("weight: " + weight + " is not auto or in 0.." + MAX_WEIGHT);
        }
        if (replicas < 1 || replicas > Ring.MAX_REPLICAS) {
            throw new IllegalArgumentException("replicas: " + replicas + " is not in 1.." + Ring.MAX_REPLICAS);
        }
        if (slices < 1 || slices > Ring.MAX_SLICES || Integer.bitCount(slices) != 1) {
            throw new IllegalArgumentException("slices: " + slices + " is not a power of two in 1.." + Ring.MAX_SLICES);
        }
        if (dataGroup != null) {
            try {
                GroupState.checkGroupName(dataGroup);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("data-group: " + e.getMessage(), e);
            }
        }
        Objects.requireNonNull(settle, "settle");
        Objects.requireNonNull(tick, "tick");
        Objects.requireNonNull(tightening, "tightening");
        if (settle.isNegative() || settle.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new IllegalArgumentException("settle: " + settle + " is not in 0..10 min");
        }
        if (tick.toMillis() < 10 || tick.compareTo(Duration.ofMinutes(1)) > 0) {
            throw new IllegalArgumentException("tick: " + tick + " is not in 10 ms..1 min");
        }
    }

    /** The defaults: on, measured weight, R = 3, S = 4096, the first group, settle 1 s, tick 250 ms, 0.90 / 0.80. */
    public static PlacementConfig defaults() {
        return new PlacementConfig(true, MEASURED, Ring.DEFAULT_REPLICAS, Ring.DEFAULT_SLICES, null, Settling.DEFAULT_HOLD,
                Duration.ofMillis(250), Tightening.DEFAULT);
    }

    /** @return this config with another weight ({@link #MEASURED} to measure) */
    public PlacementConfig withWeight(int w) {
        return new PlacementConfig(enabled, w, replicas, slices, dataGroup, settle, tick, tightening);
    }

    /** @return this config switched on or off */
    public PlacementConfig withEnabled(boolean on) {
        return new PlacementConfig(on, weight, replicas, slices, dataGroup, settle, tick, tightening);
    }

    /** @return this config with another chain length */
    public PlacementConfig withReplicas(int r) {
        return new PlacementConfig(enabled, weight, r, slices, dataGroup, settle, tick, tightening);
    }

    /** @return this config with another slice count */
    public PlacementConfig withSlices(int s) {
        return new PlacementConfig(enabled, weight, replicas, s, dataGroup, settle, tick, tightening);
    }

    /** @return this config with another data group (null: the first configured group) */
    public PlacementConfig withDataGroup(String g) {
        return new PlacementConfig(enabled, weight, replicas, slices, g, settle, tick, tightening);
    }

    /** @return this config with other timings */
    public PlacementConfig withTimings(Duration settleHold, Duration tickPeriod) {
        return new PlacementConfig(enabled, weight, replicas, slices, dataGroup, settleHold, tickPeriod, tightening);
    }

    /** @return this config with other tightening watermarks */
    public PlacementConfig withTightening(Tightening t) {
        return new PlacementConfig(enabled, weight, replicas, slices, dataGroup, settle, tick, t);
    }

    /**
     * Builds from the config keys above (absent keys take their defaults).
     *
     * @throws IllegalArgumentException naming the key and value on any error
     */
    static PlacementConfig parse(Map<String, String> v) {
        PlacementConfig d = defaults();
        int w = d.weight;
        if (v.containsKey("weight") && !v.get("weight").strip().equalsIgnoreCase("auto")) {
            w = integer("weight", v.get("weight"));
        }
        int r = v.containsKey("replicas") ? integer("replicas", v.get("replicas")) : d.replicas;
        int s = v.containsKey("slices") ? integer("slices", v.get("slices")) : d.slices;
        String g = v.containsKey("data-group") ? v.get("data-group").strip() : null;
        boolean on = d.enabled;
        if (v.containsKey("placement")) {
            String p = v.get("placement").strip().toLowerCase(java.util.Locale.ROOT);
            if (!p.equals("on") && !p.equals("off")) {
                throw new IllegalArgumentException("placement: '" + v.get("placement") + "' is not on or off");
            }
            on = p.equals("on");
        }
        return new PlacementConfig(on, w, r, s, g, d.settle, d.tick, d.tightening);
    }

    private static int integer(String key, String value) {
        try {
            return Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a number", e);
        }
    }
}
