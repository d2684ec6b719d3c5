package io.scalesmall.chatter.swim;

/**
 * Lifeguard's local health multiplier (memberlist {@code awareness.go}): a score {@code 0..max} that rises when
 * this node shows signs of being the slow one (missed nacks, failed probes, having to refute) and falls with each
 * successful probe. Timeouts of this node's own verdicts are scaled by {@code score + 1}.
 *
 * <p>Not thread-safe: owned by the detector's thread.
 */
final class LocalHealth {
    private final int max;
    private int score;

    LocalHealth(int max) {
        this.max = max;
    }

    void apply(int delta) {
        score = Math.max(0, Math.min(max, score + delta));
    }

    int score() {
        return score;
    }

    /** @return {@code nanos * (score + 1)} */
    long scale(long nanos) {
        return nanos * (score + 1);
    }
}
