package io.pocketproxy.server.directory;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.server.db.DatabaseSettings;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.function.Consumer;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LISTEN pocketproxy_changes} on a connection of its own, handing each change to the relay. When
 * the database connection breaks it reconnects; notices sent meanwhile are lost, and the relay's
 * periodic re-read heals what they would have said.
 */
final class ChangeListener implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ChangeListener.class);
    private static final int POLL_MILLIS = 250;

    private final DatabaseSettings settings;
    private final Consumer<Change> listener;
    private final Thread thread;
    private volatile boolean running = true;

    private ChangeListener(DatabaseSettings settings, Consumer<Change> listener) {
        this.settings = settings;
        this.listener = listener;
        this.thread = Thread.ofPlatform().daemon().name("change-listener").unstarted(this::run);
    }

    static ChangeListener start(DatabaseSettings settings, Consumer<Change> listener) {
        ChangeListener changes = new ChangeListener(settings, listener);
        changes.thread.start();
        return changes;
    }

    private void run() {
        long backoffMillis = 500;
        while (running) {
            try (Connection connection = connect()) {
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + Change.CHANNEL);
                }
                backoffMillis = 500;
                PGConnection pg = connection.unwrap(PGConnection.class);
                while (running) {
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
                log.warn("listening for changes failed ({}); reconnecting in {} ms", e.getMessage(), backoffMillis);
                sleep(backoffMillis);
                backoffMillis = Math.min(backoffMillis * 2, 30_000);
            }
        }
    }

    private void deliver(String payload) {
        try {
            listener.accept(Change.parse(payload));
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
