package io.scalesmall.log;

/**
 * Whether a batch body is worth an LZ4 attempt: after {@value #MISSES_TO_BACK_OFF} attempts in a row that did not
 * make a body worth storing compressed ({@link BatchRecord#worthCompressing}: at least an eighth smaller; random,
 * encrypted or already compressed payloads, and random text, which LZ4 shrinks by a few percent), only every
 * {@value #PROBE_EVERY}th
 * batch is tried, until one attempt succeeds again. LZ4 gives up fast on such data, but on a small-message node
 * that attempt is still about a tenth of an append's CPU. One gate per log; bodies it lets pass uncompressed are
 * stored raw, which the format allows for any body.
 *
 * <p>Threads: called by concurrent encoders without locks; races only blur the counts (an extra or a skipped
 * attempt), never the records.
 */
final class CompressionGate {
    static final int MISSES_TO_BACK_OFF = 8;
    static final int PROBE_EVERY = 32;

    /** A gate that lets every batch try (tests, and callers that want the plain rule). */
    static CompressionGate always() {
        return new CompressionGate(false);
    }

    private final boolean adaptive;
    /** Attempts in a row that did not shrink the body, capped at {@link #MISSES_TO_BACK_OFF}. */
    private volatile int misses;
    /** Batches seen while backed off. */
    private volatile int seen;

    CompressionGate() {
        this(true);
    }

    private CompressionGate(boolean adaptive) {
        this.adaptive = adaptive;
    }

    /** Whether to try LZ4 on the next body. */
    boolean shouldTry() {
        if (!adaptive || misses < MISSES_TO_BACK_OFF) {
            return true;
        }
        int n = seen + 1;
        seen = n;
        return n % PROBE_EVERY == 0;
    }

    /** Records an attempt's outcome: {@code shrank} = the compressed body was kept. */
    void record(boolean shrank) {
        if (shrank) {
            misses = 0;
        } else if (misses < MISSES_TO_BACK_OFF) {
            misses = misses + 1;
        }
    }
}
