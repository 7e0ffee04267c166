package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole schema (docs/architecture.md, section 5) exists from the first migration, with no place for a plaintext secret. */
class SchemaTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void createsEveryTable() {
        List<String> tables = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")
                        .mapTo(String.class)
                        .list());

        assertThat(tables)
                .contains(
                        "users", "sessions", "devices", "device_status_log", "proxy_connections", "webhook_deliveries");
    }

    @Test
    void hasNoColumnThatCouldHoldAPlaintextPasswordOrToken() {
        List<String> columns = server.jdbi()
                .withHandle(
                        handle -> handle.createQuery("""
                        SELECT table_name || '.' || column_name FROM information_schema.columns
                         WHERE table_schema = 'public'
                           AND (column_name LIKE '%password%' OR column_name LIKE '%token%' OR column_name LIKE '%plain%')""").mapTo(String.class).list());

        assertThat(columns).allMatch(column -> column.endsWith("_hash") || column.endsWith("_digest"));
        assertThat(columns)
                .contains(
                        "users.password_hash",
                        "proxy_connections.password_hash",
                        "devices.token_digest",
                        "sessions.token_digest");
    }

    @Test
    void refusesAConnectionOnAnotherOwnersDeviceEvenBehindTheApplicationsBack() {
        RunningServer.Operator alice = server.newOperator();
        RunningServer.Operator bob = server.newOperator();
        String aliceDevice =
                Fixtures.createDevice(alice.api(), "phone").get("id").asText();

        Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> server.jdbi()
                .useHandle(handle -> handle.execute(
                        "INSERT INTO proxy_connections (owner_id, device_id, type, username, password_hash) VALUES (?, ?::uuid, 'HTTP', 'x1', '$2a$12$x')",
                        bob.id(),
                        aliceDevice)));

        assertThat(refused).hasMessageContaining("foreign key");
    }
}
