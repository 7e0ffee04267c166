package io.pocketproxy.app;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import java.util.Map;

/**
 * The log every {@code pocketproxy} command writes: one event per line on standard error, level from
 * {@code POCKETPROXY_LOG_LEVEL} (INFO by default), the libraries' chatter held to warnings.
 *
 * <p>Set in code rather than in a {@code logback.xml}: reading XML loads logback's configuration model and the JDK's
 * XML parser, some 650 classes and several MiB of the agent's memory on a small device. A file of one's own still
 * wins: {@code -Dlogback.configurationFile=FILE}, or a {@code logback.xml} / {@code logback-test.xml} on the class
 * path (tests, the bench). Logback finds this class through {@code META-INF/services}.
 */
public final class LogConfiguration extends ContextAwareBase implements Configurator {

    /**
     * A line break in a message (from anything a client sent) is written as \r or \n: one event, one line. An
     * exception keeps its stack on lines of their own, but a line break inside its message is escaped too, so no line
     * an exception writes can begin like an event of its own (only "\tat ...", "Caused by: ...").
     */
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %logger{0} - "
            + "%replace(%replace(%msg){'\\r', '\\\\r'}){'\\n', '\\\\n'}%n"
            + "%replace(%replace(%ex){'\\r', '\\\\r'}){'\\n(?!\\t|Caused by: |$)', '\\\\n'}%nopex";

    private static final Map<String, Level> QUIETER_LIBRARIES = Map.of(
            "io.zonky", Level.WARN,
            "org.eclipse.jetty", Level.WARN,
            "io.javalin", Level.WARN,
            "com.zaxxer.hikari", Level.WARN,
            "org.flywaydb", Level.WARN,
            // which migrations ran is worth a line at start
            "org.flywaydb.core.internal.command.DbMigrate", Level.INFO);

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null
                || resource("logback-test.xml")
                || resource("logback.xml")) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        apply(context, System.getenv("POCKETPROXY_LOG_LEVEL"));
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** Configures {@code context}: the console appender, the libraries' levels and the root at {@code level}. */
    static void apply(LoggerContext context, String level) {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("CONSOLE");
        console.setTarget("System.err");
        console.setEncoder(encoder);
        console.start();

        QUIETER_LIBRARIES.forEach((name, quieter) -> context.getLogger(name).setLevel(quieter));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(level, Level.INFO));
        root.addAppender(console);
    }

    private static boolean resource(String name) {
        return LogConfiguration.class.getClassLoader().getResource(name) != null;
    }
}
