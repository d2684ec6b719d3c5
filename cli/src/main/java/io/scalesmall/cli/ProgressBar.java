package io.scalesmall.cli;

import java.io.PrintWriter;

/**
 * A one-line progress bar on a terminal stream (standard error, so standard output stays clean for pipes): redrawn
 * in place with a carriage return, at most once per whole percent. Not thread-safe: one thread updates it.
 */
final class ProgressBar {
    private static final int WIDTH = 30;
    private final PrintWriter out;
    private final String label;
    private int lastPercent = -1;

    ProgressBar(PrintWriter out, String label) {
        this.out = out;
        this.label = label;
    }

    /** @param fraction 0..1 (clamped) */
    void update(double fraction) {
        int percent = (int) Math.round(Math.max(0, Math.min(1, fraction)) * 100);
        if (percent == lastPercent) {
            return;
        }
        lastPercent = percent;
        int filled = percent * WIDTH / 100;
        out.print("\r" + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + percent + " %");
        out.flush();
    }

    /** Ends the bar's line. */
    void done() {
        update(1);
        out.println();
        out.flush();
    }
}
