package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.server.secrets.Secrets;
import io.pocketproxy.testkit.ApiClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DevicesApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer(config -> config.publicHost("relay.example.net"));

    @Test
    void createsAPendingDeviceWithATokenAndPairingStringShownOnce() {
        ApiClient api = server.newOperator().api();

        JsonNode created = createDevice(api, "  Pixel 7 (Berlin)  ");

        assertThat(created.get("name").asText()).isEqualTo("Pixel 7 (Berlin)");
        assertThat(created.get("status").asText()).isEqualTo("pending");
        String token = created.get("token").asText();
        assertThat(token).startsWith("ppd_").hasSizeGreaterThan(40);
        PairingString pairing = PairingString.parse(created.get("pairing").asText());
        assertThat(pairing.deviceToken()).isEqualTo(token);
        assertThat(pairing.relayHost()).isEqualTo("relay.example.net");
        assertThat(pairing.relayPort()).isEqualTo(server.server().relay().linkPort());
        assertThat(pairing.relayFingerprint())
                .isEqualTo(server.server().certificate().fingerprint());
        assertThat(created.get("agent_command").asText())
                .isEqualTo("POCKETPROXY_PAIR='" + pairing + "' pocketproxy agent");

        ApiClient.Response read = api.get("/api/devices/" + created.get("id").asText());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("name").asText()).isEqualTo("Pixel 7 (Berlin)");
        assertThat(read.json().get("status").asText()).isEqualTo("pending");
        assertThat(read.json().has("last_heartbeat")).isTrue();
        assertThat(read.body()).doesNotContain(token).doesNotContain("pairing").doesNotContain("token");
        assertThat(api.get("/api/devices").body()).doesNotContain(token);
    }

    @Test
    void keepsOnlyTheSha256OfTheToken() {
        ApiClient api = server.newOperator().api();
        JsonNode created = createDevice(api, "Galaxy");
        String token = created.get("token").asText();

        Map<String, Object> row = server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT * FROM devices WHERE id = :id")
                        .bind("id", UUID.fromString(created.get("id").asText()))
                        .mapToMap()
                        .one());

        assertThat((byte[]) row.get("token_digest")).isEqualTo(Secrets.digest(token));
        assertThat(row.values()).noneMatch(value -> String.valueOf(value).contains(token));
    }

    @Test
    void listsOnlyTheOperatorsDevicesInCreationOrder() {
        ApiClient api = server.newOperator().api();
        createDevice(api, "first");
        createDevice(api, "second");

        List<String> names = api.get("/api/devices").json().findValuesAsText("name");

        assertThat(names).containsExactly("first", "second");
    }

    @Test
    void deletesADevice() {
        ApiClient api = server.newOperator().api();
        String id = createDevice(api, "to delete").get("id").asText();

        ApiClient.Response deleted = api.delete("/api/devices/" + id);

        assertThat(deleted.status()).isEqualTo(204);
        assertThat(api.get("/api/devices/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/devices").json()).isEmpty();
        assertThat(api.delete("/api/devices/" + id).status()).isEqualTo(404);
    }

    @Test
    void refusesToDeleteADeviceThatConnectionsExitThrough() {
        ApiClient api = server.newOperator().api();
        String id = createDevice(api, "busy").get("id").asText();
        createConnection(api, id, "HTTP", null);

        ApiClient.Response refused = api.delete("/api/devices/" + id);

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("device_in_use");
        assertThat(refused.json().get("error").asText()).contains("1 connection");
        assertThat(api.get("/api/devices/" + id).status()).isEqualTo(200);
    }

    @Test
    void showsTheStatusHistoryNewestFirst() {
        ApiClient api = server.newOperator().api();
        String id = createDevice(api, "flaky").get("id").asText();
        assertThat(api.get("/api/devices/" + id + "/status-log").json()).isEmpty();

        server.jdbi().useHandle(handle -> handle.execute("""
                INSERT INTO device_status_log (device_id, status, previous_status, at) VALUES
                  (?, 'online', 'pending', now() - interval '2 minutes'),
                  (?, 'offline', 'online', now() - interval '1 minute')""", UUID.fromString(id), UUID.fromString(id)));

        JsonNode log = api.get("/api/devices/" + id + "/status-log").json();
        assertThat(log).hasSize(2);
        assertThat(log.get(0).get("status").asText()).isEqualTo("offline");
        assertThat(log.get(0).get("previous_status").asText()).isEqualTo("online");
        assertThat(log.get(1).get("status").asText()).isEqualTo("online");
        assertThat(log.get(0).get("at").asText()).isNotBlank();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void refusesABlankName(String name) {
        ApiClient api = server.newOperator().api();

        ApiClient.Response response = api.post("/api/devices", Map.of("name", name));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo("invalid_name");
        assertThat(api.get("/api/devices").json()).isEmpty();
    }

    @Test
    void refusesANameOverAHundredCharacters() {
        ApiClient api = server.newOperator().api();

        ApiClient.Response response = api.post("/api/devices", Map.of("name", "x".repeat(101)));

        assertThat(response.status()).isEqualTo(422);
        assertThat(api.get("/api/devices").json()).isEmpty();
    }

    @Test
    void answersNotFoundForAMalformedId() {
        ApiClient api = server.newOperator().api();

        assertThat(api.get("/api/devices/not-a-uuid").status()).isEqualTo(404);
    }
}
