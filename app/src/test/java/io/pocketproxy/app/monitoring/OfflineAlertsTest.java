package io.pocketproxy.app.monitoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.standardwebhooks.Webhook;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.devices.DeviceStatus;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.WebhookReceiver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Offline and online alerts end to end: the real server and relay, real agents that are stopped and
 * started, and a webhook receiver on loopback. Timings are scaled down: offline after 1.5 s of silence
 * (heartbeats every 0.5 s), a scan every 100 ms, an 8 s cooldown and retries 300 ms apart. What the cooldown
 * defers is tested at its real length on the server's settable clock ({@code server/DeviceMonitorTest}):
 * here it would cost seconds of waiting, and a slow machine could let the cooldown run out mid-test.
 */
class OfflineAlertsTest {

    private static final Duration OFFLINE_AFTER = Duration.ofMillis(1500);
    private static final Duration COOLDOWN = Duration.ofSeconds(8);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    static final RunningSystem system = new RunningSystem(config -> config.offlineAfter(OFFLINE_AFTER)
            .alertCooldown(COOLDOWN)
            .monitorInterval(Duration.ofMillis(100))
            .allowPrivateWebhooks(true)
            .webhookPoll(Duration.ofMillis(50))
            .webhookRetryDelays(List.of(Duration.ofMillis(300), Duration.ofMillis(300), Duration.ofMillis(300))));

    @BeforeAll
    static void operatorListens() {
        assertThat(operator()
                        .put("/api/settings/webhook", Map.of("webhook_url", receiver.url()))
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void aDeviceThatDiesRaisesOneSignedOfflineAlertAndItsReturnOneOnlineAlert() throws Exception {
        NewDevice device = newDevice("kitchen phone");
        Agent agent = startOnline(device);

        Instant died = Instant.now();
        agent.close();
        // A status request the agent answered while it was stopping is its last heartbeat: last seen may fall
        // within close(), or just after it while the relay reads that answer; but not near the time the monitor
        // noticed the silence (OFFLINE_AFTER later), which is what a wrong last_seen would be.
        Instant stopped = Instant.now();

        await().atMost(OFFLINE_AFTER.plusSeconds(15))
                .until(() -> alerts(device, "device.offline").size() == 1);
        WebhookReceiver.Request offline = alerts(device, "device.offline").getFirst();
        System.out.printf(
                "offline alert %d ms after the agent stopped (offline-after %d ms)%n",
                Duration.between(died, offline.at()).toMillis(), OFFLINE_AFTER.toMillis());
        JsonNode body = JSON.readTree(offline.body());
        assertThat(body.get("id").asText()).isEqualTo(offline.header("webhook-id"));
        assertThat(body.get("data").get("device_id").asText())
                .isEqualTo(id(device).toString());
        assertThat(body.get("data").get("device_name").asText()).isEqualTo("kitchen phone");
        assertThat(Instant.parse(body.get("data").get("last_seen").asText())).isBefore(stopped.plusMillis(500));
        new Webhook(secret()).verify(offline.body(), offline.headers());
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> alerts(device, "device.offline").size() == 1);

        Agent back = system.startAgent(device, true);
        await().atMost(Duration.ofSeconds(15))
                .until(() -> alerts(device, "device.online").size() == 1);
        JsonNode online =
                JSON.readTree(alerts(device, "device.online").getFirst().body());
        assertThat(online.get("data").get("device_name").asText()).isEqualTo("kitchen phone");
        assertThat(Instant.parse(online.get("data").get("offline_since").asText()))
                .isEqualTo(Instant.parse(body.get("data").get("last_seen").asText()));
        assertThat(Instant.parse(online.get("data").get("reconnected_at").asText()))
                .isAfter(died);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> alerts(device, "device.online").size() == 1
                        && alerts(device, "device.offline").size() == 1);
        assertThat(statuses(device)).startsWith("online", "offline", "online");
        back.close();
    }

    @Test
    void twoServersOnOneDatabaseSendOneOfflineAlertAndOneOnlineAlert() throws Exception {
        NewDevice device = newDevice("shared phone");
        Agent agent = startOnline(device);
        Path secondDir = Files.createTempDirectory("pocketproxy-second-server");
        // A second control plane on the same database, with the same settings: its monitor and its webhook
        // dispatcher run beside the first one's.
        try (PocketProxyServer second = PocketProxyServer.start(ServerConfig.builder(secondDir)
                .databaseUrl(system.databaseUrl())
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .offlineAfter(OFFLINE_AFTER)
                .alertCooldown(COOLDOWN)
                .monitorInterval(Duration.ofMillis(100))
                .allowPrivateWebhooks(true)
                .webhookPoll(Duration.ofMillis(50))
                .build())) {
            assertThat(ApiClient.anonymous(second.apiUrl())
                            .login("operator@example.com", "operator password")
                            .get("/api/devices/" + id(device))
                            .status())
                    .as("the second server's API")
                    .isEqualTo(200);

            agent.close();

            await().atMost(OFFLINE_AFTER.plusSeconds(15))
                    .until(() -> alerts(device, "device.offline").size() == 1);
            Agent back = system.startAgent(device, true);
            await().atMost(Duration.ofSeconds(15))
                    .until(() -> !alerts(device, "device.online").isEmpty());
            // Two monitors, two dispatchers: still one offline alert (a second within the cooldown would be
            // deferred, so none may come), and no event delivered twice. (A busy machine can miss the 1.5 s
            // heartbeat window once more after the return; that is a new event, not a copy, and is allowed.)
            await().during(Duration.ofSeconds(1))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> alerts(device, "device.offline").size() == 1
                            && eachDeliveredOnce(alerts(device, "device.online")));
            assertThat(statuses(device)).startsWith("online", "offline", "online");
            back.close();
        }
    }

    @Test
    void anAlertTheReceiverRefusesTwiceArrivesOnTheThirdAttemptWithTheSameId() {
        NewDevice device = newDevice("retried phone");
        Agent agent = startOnline(device);
        receiver.answerRequestsAbout(id(device).toString(), 500, 502);
        agent.close();

        await().atMost(OFFLINE_AFTER.plusSeconds(15))
                .until(() -> alerts(device, "device.offline").size() == 3);
        List<WebhookReceiver.Request> attempts = alerts(device, "device.offline");
        String id = attempts.getFirst().header("webhook-id");
        assertThat(attempts)
                .allSatisfy(attempt -> assertThat(attempt.header("webhook-id")).isEqualTo(id));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            JsonNode delivery = delivery(id);
            assertThat(delivery.get("status").asText()).isEqualTo("delivered");
            assertThat(delivery.get("attempts").asInt()).isEqualTo(3);
        });
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> alerts(device, "device.offline").size() == 3);
    }

    @Test
    void aServerRestartAfterTheAlertSendsNothingMore() {
        NewDevice device = newDevice("restart phone, alerted");
        Agent agent = startOnline(device);
        agent.close();
        await().atMost(OFFLINE_AFTER.plusSeconds(15))
                .until(() -> alerts(device, "device.offline").size() == 1);
        // Delivery is at least once: a restart between the receiver's 200 and the outbox recording it sends the
        // same alert again (same id). This test is about new alerts, so it restarts once the delivery is recorded.
        String id = alerts(device, "device.offline").getFirst().header("webhook-id");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> delivery(id).get("status").asText().equals("delivered"));

        int links = system.agent().linksEstablished();
        system.restartServer();

        RunningSystem.awaitLinked(system.agent(), links + 1);
        // Longer than offline-after plus many scans after the restart: nothing new for this device.
        await().during(OFFLINE_AFTER.multipliedBy(2))
                .atMost(OFFLINE_AFTER.multipliedBy(4))
                .until(() -> alerts(device, "device.offline").size() == 1
                        && alerts(device, "device.online").isEmpty());
        assertThat(status(device)).isEqualTo(DeviceStatus.OFFLINE);
    }

    @Test
    void aServerRestartBeforeTheAlertStillSendsItOnce() {
        NewDevice device = newDevice("restart phone, not yet alerted");
        Agent agent = startOnline(device);
        agent.close();
        int links = system.agent().linksEstablished();

        system.restartServer(); // before offline-after has passed: the alert is still to come

        await().atMost(OFFLINE_AFTER.multipliedBy(2).plusSeconds(15))
                .until(() -> alerts(device, "device.offline").size() == 1);
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(3))
                .until(() -> alerts(device, "device.offline").size() == 1);
        RunningSystem.awaitLinked(system.agent(), links + 1);
    }

    private static NewDevice newDevice(String name) {
        return system.server().devices().create(system.operator().id(), name);
    }

    private static Agent startOnline(NewDevice device) {
        Agent agent = system.startAgent(device, true);
        await().atMost(Duration.ofSeconds(15)).until(() -> status(device) == DeviceStatus.ONLINE);
        return agent;
    }

    private static DeviceStatus status(NewDevice device) {
        return system.server().devices().get(system.operator().id(), id(device)).status();
    }

    private static List<String> statuses(NewDevice device) {
        return system.server().devices().statusLog(system.operator().id(), id(device)).reversed().stream()
                .map(change -> change.status().wireName())
                .toList();
    }

    private static UUID id(NewDevice device) {
        return device.device().id();
    }

    /** The requests of event {@code type} about {@code device}, in arrival order. */
    private static boolean eachDeliveredOnce(List<WebhookReceiver.Request> requests) {
        return requests.stream()
                        .map(request -> request.header("webhook-id"))
                        .distinct()
                        .count()
                == requests.size();
    }

    private static List<WebhookReceiver.Request> alerts(NewDevice device, String type) {
        return receiver.requestsOfType(type).stream()
                .filter(request -> request.body().contains(id(device).toString()))
                .toList();
    }

    private static ApiClient operator() {
        return ApiClient.anonymous("http://127.0.0.1:" + system.server().apiPort())
                .login("operator@example.com", "operator password");
    }

    private static String secret() {
        return operator()
                .get("/api/settings/webhook")
                .json()
                .get("webhook_secret")
                .asText();
    }

    private static JsonNode delivery(String id) {
        for (JsonNode delivery : operator().get("/api/webhook-deliveries").json()) {
            if (delivery.get("id").asText().equals(id)) {
                return delivery;
            }
        }
        throw new AssertionError("no delivery " + id);
    }
}
