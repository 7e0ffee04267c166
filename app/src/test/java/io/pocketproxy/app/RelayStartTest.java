package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.testkit.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy relay} starts only beside a server's current schema (StandaloneRelayTest runs one there), and
 * takes only the data plane's options.
 */
@Timeout(60) // a relay that wrongly starts waits until stopped: fail instead of hanging
class RelayStartTest {

    @TempDir
    Path dataDir;

    @Test
    void refusesADatabaseWithoutTheSchemaAndLeavesItEmpty() throws SQLException {
        String wrongDatabase = TestPostgres.shared().newDatabaseUrl();

        CommandRun run = relay(wrongDatabase);

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.err())
                .startsWith("pocketproxy relay: ")
                .contains("holds no PocketProxy schema")
                .contains("run `pocketproxy migrate` on it or start a server first");
        assertThat(tablesOf(wrongDatabase))
                .as("what the relay left in the database")
                .isEmpty();
    }

    @Test
    void refusesASchemaOlderThanItsOwn() throws SQLException {
        String database = TestPostgres.shared().newDatabaseUrl();
        PocketProxyServer.migrateOnly(
                ServerConfig.builder(dataDir).databaseUrl(database).build());
        try (Connection connection = DriverManager.getConnection(database)) {
            // as a server one version behind left it
            connection
                    .createStatement()
                    .execute("DELETE FROM flyway_schema_history WHERE version = "
                            + "(SELECT max(version::int)::text FROM flyway_schema_history)");
        }

        CommandRun run = relay(database);

        assertThat(run.exit()).as(run.output()).isEqualTo(1);
        assertThat(run.err()).containsPattern("holds schema version \\d+ and this relay needs version \\d+");
    }

    @Test
    void helpListsOnlyTheDataPlanesOptions() {
        CommandRun run = CommandRun.of("relay", "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("--database-url", "--link-port", "--socks-port", "--http-proxy-port", "--usage-flush")
                .contains("--openvpn", "--openvpn-port", "--openvpn-network")
                .doesNotContain("--api-port", "--admin-email", "--webhook", "--offline-after");
    }

    private CommandRun relay(String databaseUrl) {
        return CommandRun.of(
                "relay",
                "--data-dir",
                dataDir.toString(),
                "--database-url",
                databaseUrl,
                "--bind",
                "127.0.0.1",
                "--http-proxy-port",
                "0",
                "--socks-port",
                "0",
                "--link-port",
                "0");
    }

    private static List<String> tablesOf(String databaseUrl) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(databaseUrl);
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }
}
