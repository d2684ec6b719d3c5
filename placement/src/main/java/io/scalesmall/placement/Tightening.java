package io.scalesmall.placement;

/**
 * When a member stops taking new data: a hysteresis on its disk use (seed 001: "nodes to be able to tighten their
 * range(s) when they are getting full"). A member becomes <em>tight</em> when {@code used / budget >= high} and
 * stays tight until {@code used / budget <= low}; between the two watermarks it keeps its state, so use hovering
 * around one threshold does not flap the ring. A tight member publishes weight 0 ({@link #weight}): it leaves every
 * chain for new data and keeps its old ranges as priority-0 locations ({@link Claims}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param high the fraction of the budget at or above which a member tightens, {@code low < high <= 1}
 * @param low  the fraction at or below which a tight member takes new data again, {@code 0 <= low < high}
 */
public record Tightening(double high, double low) {
    /** Default high watermark: 0.90 of the budget. */
    public static final double DEFAULT_HIGH = 0.90;
    /** Default low watermark: 0.80 of the budget; the gap of 10 % of the budget is what must drain before un-tightening. */
    public static final double DEFAULT_LOW = 0.80;
    /** The default policy: tight at 90 %, un-tight at 80 %. */
    public static final Tightening DEFAULT = new Tightening(DEFAULT_HIGH, DEFAULT_LOW);

    /** @throws IllegalArgumentException naming the watermark and value unless {@code 0 <= low < high <= 1} */
    public Tightening {
        if (!(high > 0 && high <= 1)) {
            throw new IllegalArgumentException("high watermark: " + high + " is not in (0, 1]");
        }
        if (!(low >= 0 && low < 1)) {
            throw new IllegalArgumentException("low watermark: " + low + " is not in [0, 1)");
        }
        if (low >= high) {
            throw new IllegalArgumentException("low watermark: " + low + " is not below the high watermark " + high);
        }
    }

    /**
     * The next state.
     *
     * @param wasTight    the current state
     * @param usedBytes   bytes stored, {@code >= 0} (may exceed the budget)
     * @param budgetBytes the disk budget, {@code > 0}
     * @return true if the member is (now) tight
     * @throws IllegalArgumentException naming the parameter if a byte count is out of range
     */
    public boolean tight(boolean wasTight, long usedBytes, long budgetBytes) {
        if (usedBytes < 0) {
            throw new IllegalArgumentException("usedBytes: " + usedBytes + " is negative");
        }
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException("budgetBytes: " + budgetBytes + " is not positive");
        }
        double use = (double) usedBytes / budgetBytes;
        return wasTight ? use > low : use >= high;
    }

    /**
     * @param capacityWeight the weight the member's capacity gives it, {@code >= 0}
     * @return the weight to publish: 0 when tight, else {@code capacityWeight}
     */
    public static int weight(boolean tight, int capacityWeight) {
        if (capacityWeight < 0) {
            throw new IllegalArgumentException("capacityWeight: " + capacityWeight + " is negative");
        }
        return tight ? 0 : capacityWeight;
    }
}
