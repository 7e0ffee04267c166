package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The API of a server that runs without OpenVPN ({@code --openvpn off}): OPENVPN connections cannot be created,
 * and the profile call says why. (With OpenVPN on, the end-to-end tests in {@code app} download and use
 * profiles.)
 */
class OpenVpnOffApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void refusesToCreateAnOpenVpnConnectionSayingWhy() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        ApiClient.Response refused = api.post("/api/connections", Map.of("device_id", deviceId, "type", "OPENVPN"));

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("openvpn_unavailable");
        assertThat(refused.json().get("error").asText())
                .isEqualTo("OpenVPN is off on this server: it runs with --openvpn off");
        assertThat(api.get("/api/connections").json()).isEmpty();
    }

    @Test
    void answersNotOpenVpnForTheProfileOfAnotherType() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();
        String id = createConnection(api, deviceId, "SOCKS5", null).get("id").asText();

        ApiClient.Response refused = api.get("/api/connections/" + id + "/ovpn");

        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.json().get("code").asText()).isEqualTo("not_openvpn");
        assertThat(refused.json().get("error").asText()).contains("is SOCKS5", "expected: an OPENVPN connection");
    }

    @Test
    void hidesTheProfileCallOfAnotherOperatorsConnection() {
        ApiClient owner = server.newOperator().api();
        String id = createConnection(
                        owner, createDevice(owner, "phone").get("id").asText(), "HTTP", null)
                .get("id")
                .asText();

        assertThat(server.newOperator()
                        .api()
                        .get("/api/connections/" + id + "/ovpn")
                        .status())
                .isEqualTo(404);
        assertThat(owner.get("/api/connections/" + UUID.randomUUID() + "/ovpn").status())
                .isEqualTo(404);
    }

    @Test
    void keepsServingAnOpenVpnConnectionMadeWhileOpenVpnWasOnButOffersNoProfile() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();
        String id = createConnection(api, deviceId, "HTTP", null).get("id").asText();
        // As if created by an earlier run of this server that had OpenVPN on.
        server.jdbi()
                .useHandle(handle -> handle.execute(
                        "UPDATE proxy_connections SET type = 'OPENVPN' WHERE id = ?", UUID.fromString(id)));

        ApiClient.Response profile = api.get("/api/connections/" + id + "/ovpn");
        JsonNode regenerated = expect(200, api.post("/api/connections/" + id + "/regenerate-password", Map.of()));

        assertThat(profile.status()).isEqualTo(409);
        assertThat(profile.json().get("code").asText()).isEqualTo("openvpn_unavailable");
        assertThat(regenerated.get("password").asText()).hasSize(24);
        assertThat(regenerated.get("ovpn").isNull()).isTrue();
        assertThat(regenerated.get("proxy_url").isNull()).isTrue();
    }

    @Test
    void createAnswersOfOtherTypesCarryNoProfile() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        JsonNode created = createConnection(api, deviceId, "HTTP", null);

        assertThat(created.has("ovpn")).isTrue();
        assertThat(created.get("ovpn").isNull()).isTrue();
    }
}
