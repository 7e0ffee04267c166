package io.pocketproxy.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * One real PostgreSQL per test JVM (zonky's binaries, nothing mocked), handing every test class a fresh,
 * empty database of its own, so classes neither see nor disturb each other's rows.
 */
public final class TestPostgres {

    private static TestPostgres instance;

    private final EmbeddedPostgres postgres;
    private final Path clusterDir;

    private TestPostgres(EmbeddedPostgres postgres, Path clusterDir) {
        this.postgres = postgres;
        this.clusterDir = clusterDir;
    }

    /** The JVM's shared server, started on first use and stopped when the JVM exits. */
    public static synchronized TestPostgres shared() {
        if (instance == null) {
            try {
                Path clusterDir = Files.createTempDirectory("pocketproxy-test-pg");
                EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                        .setDataDirectory(clusterDir)
                        .setCleanDataDirectory(true)
                        .setLocaleConfig("locale", "C")
                        .start();
                instance = new TestPostgres(postgres, clusterDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start embedded PostgreSQL for tests", e);
            }
        }
        return instance;
    }

    /** A new empty database; returns its JDBC URL, with credentials, as {@code --database-url} takes it. */
    public String newDatabaseUrl() {
        String name = "test_"
                + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
        try (Connection connection = DriverManager.getConnection(adminUrl("postgres"));
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database " + name, e);
        }
        return adminUrl(name);
    }

    public int port() {
        return postgres.getPort();
    }

    private String adminUrl(String database) {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + database + "?user=postgres";
    }
}
