package io.scalesmall.stream.server;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A logback appender (logback-test.xml attaches it to Netty's {@code io.netty.util.ResourceLeakDetector}) keeping
 * every leak report ({@code LEAK: ...}), so that a test can fail on them instead of leaving them in the output.
 * Thread-safe.
 */
public final class LeakLog extends AppenderBase<ILoggingEvent> {
    private static final List<String> REPORTS = new CopyOnWriteArrayList<>();

    @Override
    protected void append(ILoggingEvent e) {
        if (e.getFormattedMessage().contains("LEAK")) {
            REPORTS.add(e.getFormattedMessage());
        }
    }

    /** @return the leak reports since the JVM started or the last {@link #clear()} */
    static List<String> reports() {
        return List.copyOf(REPORTS);
    }

    static void clear() {
        REPORTS.clear();
    }
}
