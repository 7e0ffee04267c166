package io.pocketproxy.server.directory;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ChangeHandler;
import io.pocketproxy.server.db.Database;
import io.pocketproxy.server.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN pocketproxy_changes} on a connection of its own, handing each change to the relay. When the
 * database connection breaks it reconnects, retrying at most every {@link #MAX_BACKOFF_MILLIS}; notices sent
 * meanwhile are lost, so once it listens again it tells the relay to {@link ChangeHandler#resync resync}, which
 * re-reads everything the relay holds: no change is missed, however long the database was away.
 */
final class ChangeListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
    private static final int POLL_MILLIS = 250;
    private static final long FIRST_BACKOFF_MILLIS = 250;
    private static final long MAX_BACKOFF_MILLIS = 5_000;
    private static final Duration CONNECT_WAIT = Duration.ofSeconds(2);
    private static final Duration PING_INTERVAL = Duration.ofSeconds(10);

    private final DatabaseSettings settings;
    private final ChangeHandler handler;
    private final Thread thread;
    private volatile boolean running = true;

    private ChangeListener(DatabaseSettings settings, ChangeHandler handler) {
        this.settings = settings;
        this.handler = handler;
        this.thread = Thread.ofPlatform().daemon().name("change-listener").unstarted(this::run);
    }

    static ChangeListener start(DatabaseSettings settings, ChangeHandler handler) {
        ChangeListener changes = new ChangeListener(settings, handler);
        changes.thread.start();
        return changes;
    }

    private void run() {
        long backoffMillis = FIRST_BACKOFF_MILLIS;
        Instant brokenSince = null;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + Change.CHANNEL);
                }
                if (brokenSince != null) {
                    log.info(
                            "listening for changes again after {} s without; re-reading what the relay holds",
                            Duration.between(brokenSince, Instant.now()).toSeconds());
                    brokenSince = null;
                    resync();
                }
                backoffMillis = FIRST_BACKOFF_MILLIS;
                PGConnection pg = connection.unwrap(PGConnection.class);
                long pingDue = System.nanoTime() + PING_INTERVAL.toNanos();
                while (running) {
                    if (System.nanoTime() - pingDue >= 0) {
                        // A listener only reads, and a connection whose peer went silent (a network that drops
                        // everything) reads nothing forever without an error: a query notices it.
                        ping(connection);
                        pingDue = System.nanoTime() + PING_INTERVAL.toNanos();
                    }
                    PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
                    if (notifications != null) {
                        for (PGNotification notification : notifications) {
                            deliver(notification.getParameter());
                        }
                    }
                }
            } catch (SQLException e) {
                if (!running) {
                    return;
                }
                if (brokenSince == null) {
                    brokenSince = Instant.now();
                    log.warn("listening for changes failed ({}); retrying until the database answers", e.getMessage());
                } else {
                    log.debug("listening for changes failed again ({})", e.getMessage());
                }
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, MAX_BACKOFF_MILLIS);
            }
        }
    }

    private static void ping(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute("SELECT 1");
        }
    }

    private void resync() {
        try {
            handler.resync();
        } catch (RuntimeException e) {
            log.warn("cannot re-read what changed while not listening", e);
        }
    }

    private void deliver(String payload) {
        try {
            handler.apply(Change.parse(payload));
        } catch (RuntimeException e) {
            log.warn("cannot apply change notice '{}'", payload, e);
        }
    }

    private Connection connect() throws SQLException {
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("ApplicationName", "pocketproxy-changes");
        properties.setProperty("connectTimeout", Long.toString(CONNECT_WAIT.toSeconds()));
        properties.setProperty("loginTimeout", Long.toString(CONNECT_WAIT.toSeconds()));
        properties.setProperty("socketTimeout", Long.toString(Database.STATEMENT_WAIT.toSeconds()));
        return DriverManager.getConnection(settings.jdbcUrl(), properties);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(5_000);
    }
}
