package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.metering.Meters;
import io.pocketproxy.server.directory.DatabaseDirectory;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class UsageFlushTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void flushesTenThousandConnections() {
        int count = 10_000;
        UUID owner = server.newOperator().id();
        List<ConnectionRecord> records = server.jdbi().inTransaction(handle -> {
            UUID device = handle.createQuery(
                            "INSERT INTO devices (owner_id, name, token_digest) VALUES (:owner, 'd', sha256('t'::bytea)) RETURNING id")
                    .bind("owner", owner)
                    .mapTo(UUID.class)
                    .one();
            handle.createUpdate("""
                    INSERT INTO proxy_connections (owner_id, device_id, type, username, password_hash)
                    SELECT :owner, :device, 'HTTP', 'flush-' || g, '$2a$12$x' FROM generate_series(1, :count) g""")
                    .bind("owner", owner)
                    .bind("device", device)
                    .bind("count", count)
                    .execute();
            return handle.createQuery(
                            "SELECT id, bandwidth_limit, bandwidth_used, usage_generation FROM proxy_connections WHERE owner_id = :owner")
                    .bind("owner", owner)
                    .map((rows, ctx) -> new ConnectionRecord(
                            rows.getObject("id", UUID.class),
                            "u",
                            "h",
                            true,
                            rows.getLong("bandwidth_limit"),
                            rows.getLong("bandwidth_used"),
                            rows.getLong("usage_generation"),
                            null))
                    .list();
        });
        try (DatabaseDirectory directory = new DatabaseDirectory(server.jdbi(), null);
                Meters meters = new Meters(directory, Duration.ofHours(1))) {
            for (int round = 1; round <= 5; round++) {
                records.forEach(record -> meters.meterFor(record).grant(1000));
                long start = System.nanoTime();
                meters.flush();
                long millis = (System.nanoTime() - start) / 1_000_000;
                System.out.println("FLUSH round " + round + ": " + count + " connections in " + millis + " ms");
            }
        }
        long total = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT sum(bandwidth_used) FROM proxy_connections WHERE owner_id = :owner")
                        .bind("owner", owner)
                        .mapTo(Long.class)
                        .one());
        assertThat(total).isEqualTo(5L * count * 1000);
    }
}
