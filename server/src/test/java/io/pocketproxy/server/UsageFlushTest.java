package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.directory.UsageSink.UsageDelta;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.server.directory.DatabaseDirectory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage deltas go to the database in one statement per flush, with the generation guard of
 * docs/architecture.md section 6: a delta counts only where the usage generation still matches, and the relay learns each
 * connection's new total, other relays' bytes included.
 */
class UsageFlushTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private static UUID owner;
    private static UUID device;

    @BeforeAll
    static void anOperatorWithADevice() {
        owner = server.newOperator().id();
        device = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "INSERT INTO devices (owner_id, name, token_digest) VALUES (:owner, 'd', sha256('t'::bytea)) RETURNING id")
                        .bind("owner", owner)
                        .mapTo(UUID.class)
                        .one());
    }

    @Test
    void addsEachDeltaOnlyToTheGenerationItWasCountedIn() {
        List<ConnectionRecord> connections = newConnections("gen", 3);
        UUID current = connections.get(0).id();
        UUID resetSince = connections.get(1).id();
        UUID deletedSince = connections.get(2).id();
        server.jdbi().useHandle(handle -> {
            handle.execute("UPDATE proxy_connections SET bandwidth_used = 500 WHERE id = ?", current);
            handle.execute(
                    "UPDATE proxy_connections SET bandwidth_used = 0, usage_generation = 1 WHERE id = ?", resetSince);
            handle.execute("DELETE FROM proxy_connections WHERE id = ?", deletedSince);
        });

        Map<UUID, Long> totals;
        try (DatabaseDirectory directory = new DatabaseDirectory(server.jdbi(), null, server.clock())) {
            totals = directory
                    .addUsage(List.of(
                            new UsageDelta(current, 0, 100),
                            new UsageDelta(resetSince, 0, 100),
                            new UsageDelta(deletedSince, 0, 100)))
                    .join();
        }

        assertThat(totals).containsExactly(Map.entry(current, 600L)); // 500 counted by another relay, plus ours
        assertThat(used(resetSince)).isZero();
    }

    @Test
    void foldsOtherRelaysBytesIntoTheMeterAndDropsADeltaVoidedByAReset() {
        ConnectionRecord record = newConnections("fold", 1).get(0);
        try (DatabaseDirectory directory = new DatabaseDirectory(server.jdbi(), null, server.clock());
                Meters meters = new Meters(directory, Duration.ofHours(1))) {
            Meter meter = meters.meterFor(record);
            meter.grant(1000);
            server.jdbi()
                    .useHandle(handle -> handle.execute(
                            "UPDATE proxy_connections SET bandwidth_used = bandwidth_used + 250 WHERE id = ?",
                            record.id()));

            meters.flush();

            assertThat(used(record.id())).isEqualTo(1250);
            assertThat(meter.used()).isEqualTo(1250);

            meter.grant(300);
            server.jdbi()
                    .useHandle(handle -> handle.execute(
                            "UPDATE proxy_connections SET bandwidth_used = 0, usage_generation = usage_generation + 1"
                                    + " WHERE id = ?",
                            record.id()));
            meters.flush();

            assertThat(used(record.id())).isZero();
        }
    }

    /** Not a pass/fail figure: prints how long one flush of 10,000 active connections takes. */
    @Test
    void flushesTenThousandActiveConnectionsInOneStatement() {
        int count = 10_000;
        List<ConnectionRecord> records = newConnections("many", count);
        try (DatabaseDirectory directory = new DatabaseDirectory(server.jdbi(), null, server.clock());
                Meters meters = new Meters(directory, Duration.ofHours(1))) {
            for (int round = 1; round <= 5; round++) {
                records.forEach(record -> meters.meterFor(record).grant(1000));
                long start = System.nanoTime();
                meters.flush();
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("one flush of " + count + " connections, round " + round + ": " + millis + " ms");
            }
        }
        long total = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT sum(bandwidth_used) FROM proxy_connections WHERE username LIKE 'many-%'")
                        .mapTo(Long.class)
                        .one());
        assertThat(total).isEqualTo(5L * count * 1000);
    }

    private static List<ConnectionRecord> newConnections(String prefix, int count) {
        return server.jdbi().inTransaction(handle -> {
            handle.createUpdate("""
                    INSERT INTO proxy_connections (owner_id, device_id, type, username, password_hash)
                    SELECT :owner, :device, 'HTTP', :prefix || '-' || g, '$2a$12$x' FROM generate_series(1, :count) g""")
                    .bind("owner", owner)
                    .bind("device", device)
                    .bind("prefix", prefix)
                    .bind("count", count)
                    .execute();
            return records(handle, prefix);
        });
    }

    private static List<ConnectionRecord> records(Handle handle, String prefix) {
        return handle.createQuery("""
                        SELECT id, bandwidth_limit, bandwidth_used, usage_generation FROM proxy_connections
                         WHERE username LIKE :prefix || '-%' ORDER BY username""")
                .bind("prefix", prefix)
                .map((rows, ctx) -> new ConnectionRecord(
                        rows.getObject("id", UUID.class),
                        "u",
                        "h",
                        ConnectionType.HTTP,
                        true,
                        rows.getLong("bandwidth_limit"),
                        rows.getLong("bandwidth_used"),
                        rows.getLong("usage_generation"),
                        device))
                .list();
    }

    private static long used(UUID id) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT bandwidth_used FROM proxy_connections WHERE id = :id")
                        .bind("id", id)
                        .mapTo(Long.class)
                        .one());
    }
}
