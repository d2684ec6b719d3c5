package io.scalesmall.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void aLineShowsBarPercentCountsAndRate() {
        assertThat(ProgressBar.render(500_000, 1_000_000, 812_345, 1.25)).isEqualTo(
                "[###############...............]  50%      500,000 / 1,000,000 msgs     812,345 msgs/s    1.3 s");
        assertThat(ProgressBar.render(0, 3, 0, 0)).startsWith("[" + ".".repeat(30) + "]   0%");
        assertThat(ProgressBar.render(3, 3, 7, 2)).startsWith("[" + "#".repeat(30) + "] 100%");
    }

    @Test
    void offATerminalItPrintsAtMostALineASecondWithTheRateSinceTheLastOne() {
        StringWriter text = new StringWriter();
        AtomicLong done = new AtomicLong();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 100, done::get, false, 0);
        done.set(10);
        bar.draw(500_000_000L); // too soon
        assertThat(text.toString()).isEmpty();
        bar.draw(1_000_000_000L);
        done.set(40);
        bar.draw(1_500_000_000L); // too soon
        bar.draw(3_000_000_000L);
        bar.finish(3_000_000_000L); // nothing more off a terminal
        String[] lines = text.toString().split(System.lineSeparator());
        assertThat(lines).hasSize(2);
        assertThat(lines[0]).contains(" 10% ").contains("10 msgs/s");
        assertThat(lines[1]).contains(" 40% ").contains("15 msgs/s");
    }

    @Test
    void onATerminalItRedrawsInPlaceAndEndsTheLine() {
        StringWriter text = new StringWriter();
        ProgressBar bar = new ProgressBar(new PrintWriter(text), 10, () -> 10, true, 0);
        bar.draw(100_000_000L);
        bar.finish(200_000_000L);
        assertThat(text.toString()).startsWith("\r[").contains("\r[" + "#".repeat(30) + "] 100%")
                .endsWith(System.lineSeparator());
    }
}
