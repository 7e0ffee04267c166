package io.pocketproxy.app;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.pocketproxy.testkit.TestPostgres;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The earlier PocketProxy's database as its seeds describe it, built in a database of its own on the test
 * PostgreSQL: {@code devices}, and {@code proxy_connections} with {@code password_plain} NOT NULL DEFAULT ''
 * beside {@code password_hash} (the schema before its migration 010, which made the plaintext nullable).
 */
final class LegacyDatabaseFixture {

    private final String url;

    private LegacyDatabaseFixture(String url) {
        this.url = url;
    }

    static LegacyDatabaseFixture create() {
        LegacyDatabaseFixture legacy =
                new LegacyDatabaseFixture(TestPostgres.shared().newDatabaseUrl());
        legacy.execute("""
                CREATE TABLE devices (id uuid PRIMARY KEY, name text NOT NULL, status text NOT NULL DEFAULT 'offline');
                CREATE TABLE proxy_connections (
                    id              serial PRIMARY KEY,
                    device_id       uuid REFERENCES devices,
                    username        text NOT NULL UNIQUE,
                    password_plain  text NOT NULL DEFAULT '',
                    password_hash   text,
                    type            text NOT NULL DEFAULT 'socks5',
                    active          boolean NOT NULL DEFAULT true,
                    bandwidth_limit bigint NOT NULL DEFAULT 0,
                    bandwidth_used  bigint NOT NULL DEFAULT 0,
                    updated_at      timestamptz NOT NULL DEFAULT now())""");
        return legacy;
    }

    /** A bcrypt hash as the old Go system made them ($2a$), at the lowest cost so tests stay fast. */
    static String goHash(String password) {
        return BCrypt.with(BCrypt.Version.VERSION_2A).hashToString(4, password.toCharArray());
    }

    String url() {
        return url;
    }

    UUID device(String name) {
        UUID id = UUID.randomUUID();
        execute("INSERT INTO devices (id, name) VALUES (?, ?)", id, name);
        return id;
    }

    void connection(UUID device, String username, String plain, String hash, String type, long limit, long used) {
        execute(
                "INSERT INTO proxy_connections (device_id, username, password_plain, password_hash, type,"
                        + " bandwidth_limit, bandwidth_used) VALUES (?, ?, ?, ?, ?, ?, ?)",
                device,
                username,
                plain,
                hash,
                type,
                limit,
                used);
    }

    void execute(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(url);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            statement.execute();
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Each row of a query as its columns joined by '|', in the query's order: for comparing whole tables. */
    static List<String> rowsOf(String url, String sql, Object... parameters) {
        List<String> rows = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
                PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet result = statement.executeQuery()) {
                int columns = result.getMetaData().getColumnCount();
                while (result.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int column = 1; column <= columns; column++) {
                        row.append(column > 1 ? "|" : "").append(result.getString(column));
                    }
                    rows.add(row.toString());
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
        return rows;
    }

    List<String> rows(String sql, Object... parameters) {
        return rowsOf(url, sql, parameters);
    }
}
