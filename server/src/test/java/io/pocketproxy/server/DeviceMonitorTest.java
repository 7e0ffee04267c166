package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.link.status.DeviceHealth;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.server.devices.DeviceRegistry;
import io.pocketproxy.testkit.WebhookReceiver;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The monitor at its default settings (offline after 2 min, one offline alert per 5 min), on the server's
 * settable clock: minutes of product time pass in a few scans. Heartbeats are written the way the relay's
 * are, through a {@link DeviceRegistry}; what the operator is told is read from the webhook outbox, which
 * the monitor writes in the transaction of each change.
 */
class DeviceMonitorTest {

    private static final Duration OFFLINE_AFTER = Duration.ofMinutes(2);
    private static final Duration COOLDOWN = Duration.ofMinutes(5);
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    static final RunningServer server = new RunningServer(config -> config.allowPrivateWebhooks(true)
            .monitorInterval(Duration.ofMillis(50))
            .webhookPoll(Duration.ofMillis(50)));

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void aDeviceDownAgainInsideTheCooldownIsAlertedOnlyWhenTheCooldownEnds() {
        RunningServer.Operator operator = server.newOperator();
        assertThat(operator.api()
                        .put("/api/settings/webhook", Map.of("webhook_url", receiver.url()))
                        .status())
                .isEqualTo(200);
        UUID device = UUID.fromString(
                createDevice(operator.api(), "flapping phone").get("id").asText());
        try (DeviceRegistry relay = new DeviceRegistry(server.jdbi(), Duration.ofHours(1), UUID.randomUUID())) {
            heartbeat(relay, device);

            server.clock().advance(OFFLINE_AFTER.plusSeconds(1));
            await().atMost(PATIENCE).until(() -> status(device).equals("offline"));
            assertThat(events(device)).containsExactly("device.offline");
            Instant firstAlert = server.clock().instant();

            server.clock().advance(Duration.ofSeconds(1));
            heartbeat(relay, device);
            assertThat(events(device)).containsExactly("device.offline", "device.online");

            // Down again inside the cooldown: marked offline, but the operator is not told yet...
            server.clock().advance(OFFLINE_AFTER.plusSeconds(1));
            await().atMost(PATIENCE).until(() -> status(device).equals("offline"));
            assertThat(events(device)).containsExactly("device.offline", "device.online");

            // ...until the cooldown has passed with the device still down: then the deferred alert goes out.
            server.clock().set(firstAlert.plus(COOLDOWN));
            await().atMost(PATIENCE).until(() -> events(device).size() == 3);
            assertThat(events(device)).containsExactly("device.offline", "device.online", "device.offline");
            assertThat(lastEventAt(device).truncatedTo(ChronoUnit.MILLIS))
                    .isEqualTo(firstAlert.plus(COOLDOWN).truncatedTo(ChronoUnit.MILLIS));
        }
        // Both offline alerts reach the receiver. A delivery in flight when the clock jumped past its lease may
        // arrive twice, with the same webhook-id, as after a crash: receivers de-duplicate on it.
        await().atMost(PATIENCE)
                .until(() -> receiver.requestsOfType("device.offline").stream()
                                .map(request -> request.header("webhook-id"))
                                .distinct()
                                .count()
                        == 2);
    }

    /** What the relay does with a device's answer to {@code GET /v1/status}, at the server's time. */
    private static void heartbeat(DeviceRegistry relay, UUID device) {
        relay.recordHeartbeat(
                device,
                "127.0.0.1",
                new StatusReport("test", null, DeviceHealth.UNKNOWN),
                server.clock().instant());
        relay.flush();
    }

    private static String status(UUID device) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT status FROM devices WHERE id = :id")
                        .bind("id", device)
                        .mapTo(String.class)
                        .one());
    }

    /** The events queued for the device's owner about it, oldest first. */
    private static List<String> events(UUID device) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        SELECT event FROM webhook_deliveries WHERE payload -> 'data' ->> 'device_id' = :id
                         ORDER BY created_at""")
                        .bind("id", device.toString())
                        .mapTo(String.class)
                        .list());
    }

    private static Instant lastEventAt(UUID device) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                        SELECT max(created_at) FROM webhook_deliveries WHERE payload -> 'data' ->> 'device_id' = :id""")
                        .bind("id", device.toString())
                        .mapTo(Timestamp.class)
                        .one()
                        .toInstant());
    }
}
