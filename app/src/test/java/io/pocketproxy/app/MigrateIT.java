package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.TestPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocketproxy migrate} brings a database's schema up to date and exits. */
class MigrateIT {

    @TempDir
    Path dataDir;

    @Test
    void createsTheSchemaInAnExternalDatabase() throws SQLException {
        String url = TestPostgres.shared().newDatabaseUrl();

        try (PocketProxyProcess migrate = PocketProxyProcess.start(
                Map.of("POCKETPROXY_DATABASE_URL", url), "migrate", "--data-dir", dataDir.toString())) {
            assertThat(migrate.awaitExit()).as(migrate.stderr()).isZero();
            assertThat(migrate.stdout()).contains("database schema is up to date");
        }

        assertThat(tables(url))
                .contains("users", "devices", "proxy_connections", "device_status_log", "webhook_deliveries");
    }

    @Test
    void createsTheEmbeddedDatabaseAndCanRunAgain() {
        for (int run = 1; run <= 2; run++) {
            try (PocketProxyProcess migrate =
                    PocketProxyProcess.start(Map.of(), "migrate", "--data-dir", dataDir.toString())) {
                assertThat(migrate.awaitExit()).as(migrate.stderr()).isZero();
            }
        }
        assertThat(dataDir.resolve("postgres/PG_VERSION")).exists();
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    private static List<String> tables(String url) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection(url);
                ResultSet rows = connection
                        .createStatement()
                        .executeQuery(
                                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }
}
