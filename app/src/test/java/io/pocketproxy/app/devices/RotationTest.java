package io.pocketproxy.app.devices;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.command.DeviceCommand;
import io.pocketproxy.agent.egress.EgressProbe;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.rotation.RotationSettings;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.WebhookReceiver;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * IP rotation (README "Rotating a device's IP") through the real agent and its rotate command, the relay, the
 * database and the REST API.
 */
class RotationTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(8);

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    static final RunningSystem system =
            new RunningSystem(config -> config.rotation(new RotationSettings(Duration.ofSeconds(60), TIMEOUT))
                    .offlineAfter(Duration.ofSeconds(3))
                    .monitorInterval(Duration.ofMillis(200))
                    .allowPrivateWebhooks(true)
                    .webhookPoll(Duration.ofMillis(50)));

    @BeforeAll
    static void operatorListens() {
        assertThat(system.operatorApi()
                        .put("/api/settings/webhook", Map.of("webhook_url", receiver.url()))
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    private static final Duration SEEN = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path directory;

    private HttpServer whatIsMyIp;

    @AfterEach
    void stopTheIpService() {
        if (whatIsMyIp != null) {
            whatIsMyIp.stop(0);
        }
    }

    @Test
    void rotatesWithTheDevicesCommandReportsTheNewIpAndTellsTheWebhook() throws IOException {
        Path ip = directory.resolve("ip");
        Files.writeString(ip, "203.0.113.10\n");
        String service = ipService(ip);
        NewDevice phone = linkedDevice(
                "rotating phone",
                config -> config.withEgressIpUrl(EgressProbe.Service.ofUrl(service))
                        .withRotateCommand(command("printf '203.0.113.20\\n' > '" + ip + "'")));
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();
        awaitDevice(
                api,
                id,
                device -> "203.0.113.10".equals(device.path("egress_ip").asText()));

        ApiClient.Response started = api.post("/api/devices/" + id + "/rotate-ip", Map.of());
        JsonNode done = awaitRotation(api, id, started);

        assertThat(started.status()).isEqualTo(202);
        assertThat(started.json().path("status").asText()).isEqualTo("running");
        assertThat(started.json().path("old_ip").asText()).isEqualTo("203.0.113.10");
        assertThat(started.json().path("started_at").isTextual()).isTrue();
        assertThat(done.path("status").asText()).isEqualTo("done");
        assertThat(done.path("new_ip").asText()).isEqualTo("203.0.113.20");
        assertThat(done.path("changed").asBoolean()).isTrue();
        assertThat(done.path("took_ms").asLong()).isNotNegative();
        assertThat(api.get("/api/devices/" + id).json().path("egress_ip").asText())
                .isEqualTo("203.0.113.20");
        JsonNode event = await().atMost(SEEN)
                .until(() -> ipChanges(phone), found -> !found.isEmpty())
                .get(0);
        assertThat(event.path("type").asText()).isEqualTo("device.ip_changed");
        assertThat(event.path("data").path("device_name").asText()).isEqualTo("rotating phone");
        assertThat(event.path("data").path("old_ip").asText()).isEqualTo("203.0.113.10");
        assertThat(event.path("data").path("new_ip").asText()).isEqualTo("203.0.113.20");
    }

    @Test
    void aCommandThatChangesNothingEndsDoneButUnchanged() {
        NewDevice phone = linkedDevice("steady phone", config -> config.withRotateCommand(command("true")));
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();
        awaitDevice(api, id, device -> !device.path("egress_ip").isNull());

        JsonNode done = awaitRotation(api, id, api.post("/api/devices/" + id + "/rotate-ip", Map.of()));

        assertThat(done.path("status").asText()).isEqualTo("done");
        assertThat(done.path("old_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(done.path("new_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(done.path("changed").asBoolean()).isFalse();
    }

    @Test
    void aFailingCommandFailsWithItsReasonAndADeviceWithoutOneFailsAtOnce() {
        NewDevice broken = linkedDevice(
                "broken modem", config -> config.withRotateCommand(command("echo 'modem busy' >&2; exit 3")));
        NewDevice plain = linkedDevice("phone without a command", config -> config);
        ApiClient api = system.operatorApi();

        JsonNode failed = awaitRotation(
                api,
                broken.device().id().toString(),
                api.post("/api/devices/" + broken.device().id() + "/rotate-ip", Map.of()));
        JsonNode none = awaitRotation(
                api,
                plain.device().id().toString(),
                api.post("/api/devices/" + plain.device().id() + "/rotate-ip", Map.of()));

        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).isEqualTo("the rotate command exited with 3: modem busy");
        assertThat(failed.path("new_ip").isNull()).isTrue();
        assertThat(none.path("status").asText()).isEqualTo("failed");
        assertThat(none.path("error").asText()).isEqualTo("this device has no rotate command");
    }

    @Test
    void aSecondCallDuringARotationAnswersThatRotationAndOneTooSoonAfterIsRefused() throws IOException {
        Path go = directory.resolve("go");
        NewDevice phone = linkedDevice("slow modem", config -> config.withRotateCommand(command(waitFor(go))));
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();

        ApiClient.Response first = api.post("/api/devices/" + id + "/rotate-ip", Map.of());
        ApiClient.Response again = api.post("/api/devices/" + id + "/rotate-ip", Map.of());
        Files.writeString(go, "go");
        awaitRotation(api, id, first);
        ApiClient.Response tooSoon = api.post("/api/devices/" + id + "/rotate-ip", Map.of());

        assertThat(first.status()).isEqualTo(202);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().path("id").asText())
                .isEqualTo(first.json().path("id").asText());
        assertThat(tooSoon.status()).isEqualTo(429);
        assertThat(tooSoon.json().path("code").asText()).isEqualTo("rotation_too_soon");
        assertThat(Long.parseLong(tooSoon.header("Retry-After"))).isBetween(1L, 60L);
        assertThat(api.get("/api/devices/" + id + "/rotations").json()).hasSize(1);
    }

    @Test
    void aRotationWhoseLinkDropsEndsWithTheDevicesReportAndTheDeviceIsNotMarkedOfflineMeanwhile() throws IOException {
        Path go = directory.resolve("go");
        NewDevice phone = linkedDevice("airplane phone", config -> config.withRotateCommand(command(waitFor(go))));
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();

        ApiClient.Response started = api.post("/api/devices/" + id + "/rotate-ip", Map.of());
        // The link drops, as airplane mode drops it; the agent links again by itself.
        system.server().relay().links().close(phone.device().id());
        await().atMost(SEEN)
                .until(() -> system.server()
                        .relay()
                        .links()
                        .find(phone.device().id())
                        .isPresent());
        Files.writeString(go, "go");
        JsonNode done = awaitRotation(api, id, started);

        assertThat(done.path("status").asText()).isEqualTo("done");
        assertThat(system.server()
                        .devices()
                        .statusLog(system.operator().id(), phone.device().id()))
                .noneMatch(change -> change.status().wireName().equals("offline"));
    }

    @Test
    void aDeviceSilentDuringItsRotationIsNotOfflineUntilTheRotationTimesOut() throws IOException {
        Path go = directory.resolve("never");
        NewDevice phone = system.server().devices().create(system.operator().id(), "vanishing phone");
        Agent agent = system.startAgent(
                phone.pairing(),
                true,
                config -> config.withRotateCommand(command(waitFor(go))),
                HealthSource.unknown());
        RunningSystem.awaitLinked(agent, 1);
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();
        awaitDevice(api, id, device -> "online".equals(device.path("status").asText()));

        ApiClient.Response started = api.post("/api/devices/" + id + "/rotate-ip", Map.of());
        agent.close(); // the phone vanishes mid-rotation
        JsonNode failed = awaitRotation(api, id, started);
        JsonNode offline = awaitDevice(
                api, id, device -> "offline".equals(device.path("status").asText()));

        assertThat(failed.path("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").asText()).isEqualTo("no result from the device within 8 s");
        assertThat(failed.path("took_ms").asLong()).isGreaterThanOrEqualTo(TIMEOUT.toMillis());
        // Offline only once the rotation ended: until then a silent device in a rotation is not offline.
        assertThat(java.time.Instant.parse(offline.path("last_heartbeat").asText()))
                .isBefore(java.time.Instant.parse(failed.path("finished_at").asText()));
        assertThat(system.server()
                        .devices()
                        .statusLog(system.operator().id(), phone.device().id())
                        .get(0)
                        .at())
                .isAfterOrEqualTo(
                        java.time.Instant.parse(failed.path("finished_at").asText()));
    }

    @Test
    void aServerRestartEndsARunningRotationAsFailedRatherThanLeavingItRunning() throws IOException {
        Path go = directory.resolve("go");
        NewDevice phone =
                linkedDevice("phone of a restarting farm", config -> config.withRotateCommand(command(waitFor(go))));
        String id = phone.device().id().toString();
        ApiClient.Response started = system.operatorApi().post("/api/devices/" + id + "/rotate-ip", Map.of());

        system.restartServer();
        Files.writeString(go, "go"); // the device finishes, but its report names a rotation that has ended
        ApiClient api = system.operatorApi();
        JsonNode ended = awaitRotation(api, id, started);

        assertThat(ended.path("status").asText()).isEqualTo("failed");
        assertThat(ended.path("error").asText()).isEqualTo("server restarted");
        // The next rotation works as usual once the minimum interval allows it: here, the answer says when.
        assertThat(api.post("/api/devices/" + id + "/rotate-ip", Map.of()).status())
                .isEqualTo(429);
    }

    @Test
    void aCustomersRotationLinkRotatesWithoutALoginAndANewLinkReplacesIt() throws Exception {
        NewDevice phone = linkedDevice("customer's phone", config -> config.withRotateCommand(command("true")));
        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.HTTP, null);
        ApiClient api = system.operatorApi();
        awaitDevice(
                api,
                phone.device().id().toString(),
                device -> !device.path("egress_ip").isNull());
        String path = "/api/connections/" + http.connection().id() + "/rotation-link";

        ApiClient.Response issued = api.post(path, Map.of());
        String url = issued.json().path("url").asText();
        ApiClient.Response rotated = ApiClient.anonymous(system.apiUrl()).sendRaw("GET", relative(url), null);
        String replacement = api.post(path, Map.of()).json().path("url").asText();
        ApiClient.Response old = ApiClient.anonymous(system.apiUrl()).sendRaw("POST", relative(url), null);

        assertThat(issued.status()).isEqualTo(201);
        assertThat(url).startsWith(system.apiUrl().replaceAll("/$", "") + "/rotate/ppr_");
        assertThat(rotated.status()).as(rotated.toString()).isEqualTo(200);
        assertThat(rotated.json().path("status").asText()).isEqualTo("done");
        assertThat(rotated.json().path("new_ip").asText()).isEqualTo("127.0.0.1");
        assertThat(rotated.json().path("changed").asBoolean()).isFalse();
        assertThat(rotated.json().has("device_id")).isFalse();
        assertThat(replacement).isNotEqualTo(url);
        assertThat(old.status()).isEqualTo(404);
        // Another rotation so soon is refused for the customer as for the operator.
        ApiClient.Response tooSoon = ApiClient.anonymous(system.apiUrl()).sendRaw("POST", relative(replacement), null);
        assertThat(tooSoon.status()).isEqualTo(429);
        assertThat(tooSoon.header("Retry-After")).isNotNull();
        // No one can see the secret again: the connection's reads do not carry it.
        assertThat(api.get("/api/connections/" + http.connection().id()).body()).doesNotContain("ppr_");
    }

    @Test
    void unknownLinksAreNotFoundAndGuessingIsThrottled() {
        ApiClient guesser = ApiClient.anonymous(system.apiUrl());
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int guess = 0; guess < 12; guess++) {
            statuses.add(
                    guesser.sendRaw("GET", "/rotate/ppr_guess" + guess, null).status());
        }

        // Ten wrong links per address, fewer if other tests here already used some; then 429 until a minute passes.
        int firstRefused = statuses.indexOf(429);
        assertThat(firstRefused).isBetween(1, 10);
        assertThat(statuses.subList(0, firstRefused)).containsOnly(404);
        assertThat(statuses.subList(firstRefused, statuses.size())).containsOnly(429);
    }

    @Test
    void automaticRotationRotatesOnItsIntervalAndRefusesOneShorterThanTheMinimum() {
        NewDevice phone = linkedDevice("rotating on its own", config -> config.withRotateCommand(command("true")));
        ApiClient api = system.operatorApi();
        String id = phone.device().id().toString();

        ApiClient.Response tooShort = api.patch("/api/devices/" + id, Map.of("rotation_interval", 5));
        ApiClient.Response every = api.patch("/api/devices/" + id, Map.of("rotation_interval", 60));
        JsonNode rotation = await().atMost(SEEN)
                .until(() -> api.get("/api/devices/" + id + "/rotations").json(), rotations -> rotations.size() == 1)
                .get(0);
        java.util.Map<String, Object> off = new java.util.HashMap<>();
        off.put("rotation_interval", null);
        ApiClient.Response stopped = api.patch("/api/devices/" + id, off);

        assertThat(tooShort.status()).isEqualTo(422);
        assertThat(tooShort.json().path("code").asText()).isEqualTo("invalid_rotation_interval");
        assertThat(every.status()).isEqualTo(200);
        assertThat(every.json().path("rotation_interval").asInt()).isEqualTo(60);
        assertThat(rotation.path("status").asText()).isIn("running", "done");
        assertThat(stopped.json().path("rotation_interval").isNull()).isTrue();
    }

    /** The path of a link URL, for a client of this server. */
    private static String relative(String url) {
        return java.net.URI.create(url).getRawPath();
    }

    @Test
    void anotherOperatorsDeviceIsNotFound() {
        NewDevice phone = linkedDevice("private phone", config -> config.withRotateCommand(command("true")));
        system.server().users().create("other@example.com", "other password!", "Other", Role.OPERATOR);
        ApiClient other = ApiClient.anonymous(system.apiUrl()).login("other@example.com", "other password!");

        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.HTTP, null);

        ApiClient.Response rotate = other.post("/api/devices/" + phone.device().id() + "/rotate-ip", Map.of());
        ApiClient.Response list = other.get("/api/devices/" + phone.device().id() + "/rotations");
        ApiClient.Response interval =
                other.patch("/api/devices/" + phone.device().id(), Map.of("rotation_interval", 3600));
        ApiClient.Response link =
                other.post("/api/connections/" + http.connection().id() + "/rotation-link", Map.of());

        assertThat(rotate.status()).isEqualTo(404);
        assertThat(list.status()).isEqualTo(404);
        assertThat(interval.status()).isEqualTo(404);
        assertThat(link.status()).isEqualTo(404);
        assertThat(system.operatorApi()
                        .get("/api/devices/" + phone.device().id() + "/rotations")
                        .json())
                .isEmpty();
    }

    /** The signed {@code device.ip_changed} events the operator's webhook received about {@code device}. */
    private static List<JsonNode> ipChanges(NewDevice device) throws IOException {
        List<JsonNode> events = new java.util.ArrayList<>();
        for (WebhookReceiver.Request request : receiver.requestsOfType("device.ip_changed")) {
            JsonNode event = JSON.readTree(request.body());
            if (event.path("data")
                    .path("device_id")
                    .asText()
                    .equals(device.device().id().toString())) {
                events.add(event);
            }
        }
        return events;
    }

    private static NewDevice linkedDevice(String name, UnaryOperator<io.pocketproxy.agent.AgentConfig> adjust) {
        return system.linkedDevice(name, adjust, HealthSource.unknown()).device();
    }

    private static DeviceCommand command(String command) {
        return new DeviceCommand("--rotate-command", command, Duration.ofSeconds(30));
    }

    /** A command that waits (at most 30 s) until the test creates {@code file}: a rotation the test ends. */
    private static String waitFor(Path file) {
        return "i=0; while [ ! -e '" + file + "' ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done";
    }

    /** A "what is my IP" service that answers what {@code file} says: the egress IP the rotate command sets. */
    private String ipService(Path file) throws IOException {
        whatIsMyIp = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        whatIsMyIp.createContext("/", exchange -> {
            byte[] answer = Files.readString(file).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        whatIsMyIp.start();
        return "http://127.0.0.1:" + whatIsMyIp.getAddress().getPort() + "/";
    }

    private static JsonNode awaitRotation(ApiClient api, String deviceId, ApiClient.Response started) {
        assertThat(started.status()).as(started.toString()).isIn(200, 202);
        String rotationId = started.json().path("id").asText();
        return await().atMost(SEEN)
                .until(
                        () -> {
                            for (JsonNode rotation : api.get("/api/devices/" + deviceId + "/rotations")
                                    .json()) {
                                if (rotation.path("id").asText().equals(rotationId)) {
                                    return rotation;
                                }
                            }
                            return null;
                        },
                        rotation -> rotation != null
                                && !"running".equals(rotation.path("status").asText()));
    }

    private static JsonNode awaitDevice(ApiClient api, String id, java.util.function.Predicate<JsonNode> until) {
        return await().atMost(SEEN).until(() -> api.get("/api/devices/" + id).json(), until::test);
    }
}
