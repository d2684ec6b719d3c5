package io.scalesmall.log;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * The log's lines (logger {@code FileMessageLog}, where recovery, the sync thread and the spare report) from a level up,
 * captured for each test: {@code @RegisterExtension final CapturedLog logged = new CapturedLog(Level.WARN);}. The
 * logger's level is set for the test and restored after it.
 */
final class CapturedLog implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger = (Logger) LoggerFactory.getLogger(FileMessageLog.class);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level level;
    private Level before;
    /** The lines captured in the current test, oldest first. */
    final List<ILoggingEvent> list = appender.list;

    CapturedLog(Level level) {
        this.level = level;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        before = logger.getLevel();
        logger.setLevel(level);
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        logger.setLevel(before);
    }
}
