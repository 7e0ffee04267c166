package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import org.junit.jupiter.api.Test;

/** The shipped log configuration ({@link LogConfiguration}): one event, one line, whatever it quotes. */
class LogFormatTest {

    @Test
    void logsALineBreakFromInputAsEscapedTextSoItCannotForgeALine() {
        LoggerContext context = new LoggerContext();
        try {
            PatternLayout layout = shippedLayout(context);
            Logger logger = context.getLogger("io.pocketproxy.test");
            LoggingEvent event = new LoggingEvent(
                    Logger.class.getName(), logger, Level.INFO, "sign-in refused for {}", null, new Object[] {
                        "eve@example.com\r\n00:00:00.000 ERROR Admin - forged"
                    });

            String written = layout.doLayout(event);

            assertThat(written.lines()).hasSize(1);
            assertThat(written).contains("eve@example.com\\r\\n00:00:00.000 ERROR Admin - forged");
        } finally {
            context.stop();
        }
    }

    @Test
    void escapesALineBreakInAnExceptionsMessageButKeepsItsStackOnLinesOfTheirOwn() {
        LoggerContext context = new LoggerContext();
        try {
            PatternLayout layout = shippedLayout(context);
            Logger logger = context.getLogger("io.pocketproxy.test");
            IllegalArgumentException failure = new IllegalArgumentException(
                    "bad name: eve\n00:00:00.000 ERROR Admin - forged",
                    new IllegalStateException("cause\r\n00:00:01.000 WARN Admin - forged too"));
            LoggingEvent event =
                    new LoggingEvent(Logger.class.getName(), logger, Level.ERROR, "request failed", failure, null);

            String written = layout.doLayout(event);

            // The event, then the exception's own first line, then only its stack.
            assertThat(written.lines().skip(1).findFirst())
                    .hasValueSatisfying(
                            line -> assertThat(line).startsWith("java.lang.IllegalArgumentException: bad name: eve"));
            assertThat(written.lines().skip(2))
                    .isNotEmpty()
                    .allSatisfy(line -> assertThat(line).matches("(\tat |\t\\.\\.\\. |Caused by: ).*"));
            assertThat(written)
                    .contains("bad name: eve\\n00:00:00.000 ERROR Admin - forged")
                    .contains(
                            "Caused by: java.lang.IllegalStateException: cause\\r\\n00:00:01.000 WARN Admin - forged too")
                    .contains("\tat io.pocketproxy.app.LogFormatTest.");
        } finally {
            context.stop();
        }
    }

    @Test
    void takesTheLevelFromTheEnvironmentAndHoldsTheLibrariesToWarnings() {
        LoggerContext context = new LoggerContext();
        try {
            LogConfiguration.apply(context, "debug");

            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
            assertThat(context.getLogger("com.zaxxer.hikari.pool.HikariPool").getEffectiveLevel())
                    .isEqualTo(Level.WARN);
            assertThat(context.getLogger("org.flywaydb.core.internal.command.DbMigrate")
                            .getEffectiveLevel())
                    .isEqualTo(Level.INFO);
        } finally {
            context.stop();
        }
    }

    @Test
    void readsAnUnknownLevelAsInfo() {
        LoggerContext context = new LoggerContext();
        try {
            LogConfiguration.apply(context, "chatty");

            assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.INFO);
        } finally {
            context.stop();
        }
    }

    /** The pattern of the shipped console appender, as a layout of its own (the appender writes to stderr). */
    @SuppressWarnings("unchecked")
    private static PatternLayout shippedLayout(LoggerContext context) {
        LogConfiguration.apply(context, null);
        OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>)
                context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("CONSOLE");
        PatternLayout layout = new PatternLayout();
        layout.setContext(context);
        layout.setPattern(((PatternLayoutEncoder) console.getEncoder()).getPattern());
        layout.start();
        return layout;
    }
}
