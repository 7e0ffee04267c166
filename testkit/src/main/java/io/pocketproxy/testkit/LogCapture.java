package io.pocketproxy.testkit;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Records everything logged at any level while a test class runs, so a test can search the logs, as
 * an operator would, for what must never be there (a password) or what must (a clear reason).
 */
public final class LogCapture implements BeforeAllCallback, AfterAllCallback {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Appender appender = new Appender();

    @Override
    public void beforeAll(ExtensionContext context) {
        Logger root = root();
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        root().detachAppender(appender);
        appender.stop();
    }

    /** Every captured line, message and stack traces included, joined by newlines. */
    public String text() {
        return String.join("\n", lines);
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    private static Logger root() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        return context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private final class Appender extends AppenderBase<ILoggingEvent> {
        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder line = new StringBuilder()
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(": ")
                    .append(event.getFormattedMessage());
            for (IThrowableProxy throwable = event.getThrowableProxy();
                    throwable != null;
                    throwable = throwable.getCause()) {
                line.append("\n").append(throwable.getClassName()).append(": ").append(throwable.getMessage());
                for (StackTraceElementProxy frame : throwable.getStackTraceElementProxyArray()) {
                    line.append("\n\t").append(frame.getSTEAsString());
                }
            }
            lines.add(line.toString());
        }
    }
}
