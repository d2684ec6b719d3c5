package io.scalesmall.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress bar for a run of a known number of steps (messages acknowledged by {@code bench}, phase steps of
 * {@code simulate}), drawn on one line: on a terminal
 * redrawn in place with a carriage return, elsewhere (a file, a CI log) printed as a new line at most once a second.
 * Reads progress from a counter; {@link #draw} is called by one thread (the bench's ticker) only.
 *
 * <pre>[##########..........]  50%    500,000 / 1,000,000 msgs   812,345 msgs/s</pre>
 */
public final class ProgressBar {
    static final int WIDTH = 30;

    private final PrintWriter out;
    private final long total;
    private final LongSupplier done;
    private final boolean terminal;
    private final String unit;
    private final long startNanos;
    private long lastLineNanos;
    private long lastDone;
    private long lastNanos;

    /**
     * @param out      where to draw (standard error, so that results on standard output stay clean)
     * @param total    the steps of the whole run, at least 1
     * @param done     the steps done so far; never above {@code total}
     * @param terminal true to redraw in place, false for a new line per update
     * @param nowNanos the start time, {@link System#nanoTime()} scale
     */
    public ProgressBar(PrintWriter out, long total, LongSupplier done, boolean terminal, long nowNanos) {
        this(out, total, done, terminal, nowNanos, "msgs");
    }

    /** As the other constructor, naming the steps {@code unit} (e.g. "steps") instead of "msgs". */
    public ProgressBar(PrintWriter out, long total, LongSupplier done, boolean terminal, long nowNanos, String unit) {
        this.unit = unit;
        this.out = out;
        this.total = Math.max(1, total);
        this.done = done;
        this.terminal = terminal;
        this.startNanos = nowNanos;
        this.lastNanos = nowNanos;
        this.lastLineNanos = nowNanos;
    }

    /** Draws the current state at {@code nowNanos}; off a terminal, only if a second passed since the last line. */
    public void draw(long nowNanos) {
        if (!terminal && nowNanos - lastLineNanos < 1_000_000_000L) {
            return;
        }
        long d = done.getAsLong();
        double seconds = (nowNanos - lastNanos) / 1e9;
        long rate = seconds > 0 ? Math.round((d - lastDone) / seconds) : 0;
        lastDone = d;
        lastNanos = nowNanos;
        lastLineNanos = nowNanos;
        String line = render(d, total, rate, (nowNanos - startNanos) / 1e9, unit);
        out.print(terminal ? "\r" + line : line + System.lineSeparator());
        out.flush();
    }

    /** Ends the bar (a newline on a terminal, so later output starts on its own line). */
    public void finish(long nowNanos) {
        if (terminal) {
            draw(nowNanos);
            out.println();
            out.flush();
        }
    }

    /** One line: bar, percent, counts, the rate since the previous line and the elapsed seconds. */
    static String render(long done, long total, long ratePerSecond, double elapsedSeconds) {
        return render(done, total, ratePerSecond, elapsedSeconds, "msgs");
    }

    static String render(long done, long total, long ratePerSecond, double elapsedSeconds, String unit) {
        int filled = (int) (WIDTH * Math.min(done, total) / total);
        return String.format(Locale.ROOT, "[%s%s] %3d%% %,12d / %,d %s %,11d %s/s %6.1f s", "#".repeat(filled),
                ".".repeat(WIDTH - filled), 100 * Math.min(done, total) / total, done, total, unit, ratePerSecond,
                unit, elapsedSeconds);
    }
}
