package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.link.status.DeviceHealth;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.server.devices.DeviceRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats are written in one transaction per round, with the same outcome per device as one at a
 * time: online stays online, pending and offline come online with a status log row, and offline also
 * queues its {@code device.online} event.
 */
class HeartbeatBatchTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void writesARoundOfHeartbeatsWithEachDevicesTransition() {
        RunningServer.Operator operator = server.newOperator();
        server.jdbi()
                .useHandle(handle -> handle.execute(
                        "UPDATE users SET webhook_url = 'https://hooks.example.com/' WHERE id = ?", operator.id()));
        UUID online = device(operator.id(), "online", "online");
        UUID pending = device(operator.id(), "pending", "pending");
        UUID offline = device(operator.id(), "offline", "offline");
        UUID deleted = UUID.randomUUID();
        Instant at = Instant.now().truncatedTo(ChronoUnit.MICROS);
        StatusReport report =
                new StatusReport("1.2.3", "203.0.113.7", new DeviceHealth(81, false, -97, "LTE", "Vodafone"));

        try (DeviceRegistry registry = new DeviceRegistry(server.jdbi(), Duration.ofHours(1), UUID.randomUUID())) {
            for (UUID id : List.of(online, pending, offline, deleted)) {
                registry.recordHeartbeat(id, "198.51.100.4", report, at);
            }
            registry.flush();
        }

        List<Map<String, Object>> rows = server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT name, status, last_heartbeat, egress_ip, battery::int AS battery, signal::int AS signal, network_type, agent_version,
                                       link_address, charging, carrier, status_updated_at, last_alert
                                  FROM devices WHERE owner_id = :owner ORDER BY name""")
                        .bind("owner", operator.id())
                        .mapToMap()
                        .list());
        assertThat(rows).hasSize(3).allSatisfy(row -> {
            assertThat(row.get("status")).isEqualTo("online");
            assertThat(((java.sql.Timestamp) row.get("last_heartbeat")).toInstant())
                    .isEqualTo(at);
            assertThat(row)
                    .containsEntry("egress_ip", "203.0.113.7")
                    .containsEntry("battery", 81)
                    .containsEntry("signal", -97)
                    .containsEntry("network_type", "LTE")
                    .containsEntry("agent_version", "1.2.3")
                    .containsEntry("link_address", "198.51.100.4")
                    .containsEntry("charging", false)
                    .containsEntry("carrier", "Vodafone");
            assertThat(((java.sql.Timestamp) row.get("status_updated_at")).toInstant())
                    .isEqualTo(at);
        });
        assertThat(rows).extracting(row -> row.get("last_alert")).containsExactly("device.online", null, null);
        List<String> log = server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT d.name || ':' || l.previous_status || '->' || l.status
                                  FROM device_status_log l JOIN devices d ON d.id = l.device_id
                                 WHERE d.owner_id = :owner ORDER BY d.name""")
                        .bind("owner", operator.id())
                        .mapTo(String.class)
                        .list());
        assertThat(log).containsExactly("offline:offline->online", "pending:pending->online");
        List<String> events = server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT event || ':' || (payload -> 'data' ->> 'device_name')
                                  FROM webhook_deliveries WHERE owner_id = :owner""")
                        .bind("owner", operator.id())
                        .mapTo(String.class)
                        .list());
        assertThat(events).containsExactly("device.online:offline");
    }

    @Test
    void aHeartbeatFromBeforeTheOfflineMarkWrittenLateDoesNotBringTheDeviceBack() {
        RunningServer.Operator operator = server.newOperator();
        UUID device = device(operator.id(), "dying", "offline");
        Instant markedOffline = Instant.now().truncatedTo(ChronoUnit.MICROS);
        server.jdbi()
                .useHandle(handle -> handle.createUpdate("INSERT INTO device_status_log (device_id, status,"
                                + " previous_status, at) VALUES (:id, 'offline', 'online', :at)")
                        .bind("id", device)
                        .bind("at", markedOffline)
                        .execute());
        StatusReport report = new StatusReport("1.2.3", "203.0.113.7", DeviceHealth.UNKNOWN);

        try (DeviceRegistry registry = new DeviceRegistry(server.jdbi(), Duration.ofHours(1), UUID.randomUUID())) {
            // Answered before the mark, written after it (the batch lags): old news.
            registry.recordHeartbeat(device, "198.51.100.4", report, markedOffline.minusMillis(500));
            registry.flush();
            assertThat(statusOf(device)).isEqualTo("offline");

            // Answered after it: the device is back.
            registry.recordHeartbeat(device, "198.51.100.4", report, markedOffline.plusMillis(500));
            registry.flush();
            assertThat(statusOf(device)).isEqualTo("online");
        }
    }

    @Test
    void anEgressIpFromBeforeARotationFinishedWrittenLateDoesNotUndoIt() {
        RunningServer.Operator operator = server.newOperator();
        UUID device = device(operator.id(), "rotated", "online");
        Instant rotated = Instant.now().truncatedTo(ChronoUnit.MICROS);
        server.jdbi().useHandle(handle -> {
            handle.createUpdate("INSERT INTO device_rotations (device_id, owner_id, status, old_ip, new_ip, changed,"
                            + " started_at, finished_at) VALUES (:id, :owner, 'done', '203.0.113.7', '203.0.113.99',"
                            + " true, :started, :at)")
                    .bind("id", device)
                    .bind("owner", operator.id())
                    .bind("started", rotated.minusSeconds(3))
                    .bind("at", rotated)
                    .execute();
            handle.execute("UPDATE devices SET egress_ip = '203.0.113.99' WHERE id = ?", device);
        });

        try (DeviceRegistry registry = new DeviceRegistry(server.jdbi(), Duration.ofHours(1), UUID.randomUUID())) {
            // Answered before the rotation finished, written after it (the batch lags): old news.
            registry.recordHeartbeat(
                    device,
                    "198.51.100.4",
                    new StatusReport("1.2.3", "203.0.113.7", DeviceHealth.UNKNOWN),
                    rotated.minusMillis(500));
            registry.flush();
            assertThat(egressIpOf(device)).isEqualTo("203.0.113.99");

            // Answered after it: the device's word.
            registry.recordHeartbeat(
                    device,
                    "198.51.100.4",
                    new StatusReport("1.2.3", "203.0.113.100", DeviceHealth.UNKNOWN),
                    rotated.plusMillis(500));
            registry.flush();
            assertThat(egressIpOf(device)).isEqualTo("203.0.113.100");
        }
    }

    private static String egressIpOf(UUID device) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT egress_ip FROM devices WHERE id = :id")
                        .bind("id", device)
                        .mapTo(String.class)
                        .one());
    }

    private static String statusOf(UUID device) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT status FROM devices WHERE id = :id")
                        .bind("id", device)
                        .mapTo(String.class)
                        .one());
    }

    private static UUID device(UUID owner, String name, String status) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                INSERT INTO devices (owner_id, name, token_digest, status, last_heartbeat)
                                VALUES (:owner, :name, sha256(CAST(:name || :owner AS bytea)), :status, now() - interval '1 hour')
                                RETURNING id""")
                        .bind("owner", owner)
                        .bind("name", name)
                        .bind("status", status)
                        .mapTo(UUID.class)
                        .one());
    }
}
