package io.pocketproxy.server.importing;

import io.pocketproxy.server.db.DatabaseSettings;
import io.pocketproxy.server.db.DatabaseUrls;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;

/**
 * The earlier generation's PostgreSQL, opened read-only: the import reads it and, only with
 * {@code --scrub-source}, writes the one change that finishes SEC-01 there ({@link SourceScrubber}). Which of the
 * optional columns it has is read from its catalogue, so every schema version the old system went through works.
 */
public final class LegacyDatabase implements AutoCloseable {

    private final Connection connection;
    private final Map<String, Boolean> connectionColumns;
    private final Map<String, Boolean> deviceColumns;

    private LegacyDatabase(Connection connection) throws SQLException {
        this.connection = connection;
        this.connectionColumns = columnsOf("proxy_connections");
        this.deviceColumns = columnsOf("devices");
        if (!connectionColumns.containsKey("username")) {
            throw new IllegalArgumentException("--from: the database has no table proxy_connections with a column"
                    + " username (expected: the earlier PocketProxy's database)");
        }
    }

    /** Connects to {@code url} (JDBC or libpq form); the message of a failure never shows its password. */
    public static LegacyDatabase open(String url) {
        DatabaseSettings settings;
        try {
            settings = DatabaseUrls.parse(url);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--from: " + e.getMessage().replaceFirst("^database-url: ", ""));
        }
        Properties properties = new Properties();
        if (settings.user() != null) {
            properties.setProperty("user", settings.user());
        }
        if (settings.password() != null) {
            properties.setProperty("password", settings.password());
        }
        properties.setProperty("ApplicationName", "pocketproxy import");
        // As for our own database: PostgreSQL's DETAIL can quote a whole row, plaintext password and all.
        properties.setProperty("logServerErrorDetail", "false");
        try {
            Connection connection = DriverManager.getConnection(settings.jdbcUrl(), properties);
            connection.setReadOnly(true);
            return new LegacyDatabase(connection);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "--from: cannot read " + DatabaseUrls.masked(settings.jdbcUrl()) + ": " + e.getMessage(), e);
        }
    }

    /** The table's columns in the connection's schema search path, each with whether it may be NULL. */
    private Map<String, Boolean> columnsOf(String table) throws SQLException {
        Map<String, Boolean> columns = new HashMap<>();
        try (var statement = connection.prepareStatement("""
                SELECT column_name, is_nullable = 'YES'
                  FROM information_schema.columns
                 WHERE table_name = ? AND table_schema = current_schema()""")) {
            statement.setString(1, table);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    columns.put(rows.getString(1), rows.getBoolean(2));
                }
            }
        }
        return columns;
    }

    boolean hasConnectionColumn(String column) {
        return connectionColumns.containsKey(column);
    }

    /** The first of {@code candidates} that {@code proxy_connections} has, or null. */
    String connectionColumn(String... candidates) {
        for (String candidate : candidates) {
            if (connectionColumns.containsKey(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    boolean hasDeviceColumn(String column) {
        return deviceColumns.containsKey(column);
    }

    /** Whether {@code password_plain} may be NULL: not before the old system's migration 010. */
    boolean plaintextNullable() {
        return connectionColumns.getOrDefault("password_plain", true);
    }

    Connection connection() {
        return connection;
    }

    @Override
    public void close() throws SQLException {
        connection.close();
    }
}
