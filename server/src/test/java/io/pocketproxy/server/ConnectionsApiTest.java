package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionsApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer(config -> config.publicHost("proxy.example.net"));

    @ParameterizedTest
    @ValueSource(strings = {"HTTP", "SOCKS5"}) // OPENVPN: OpenVpnOffApiTest here, the OpenVPN lab's tests in app
    void createsAConnectionWithAGeneratedPasswordShownOnce(String type) {
        String endpoint = "proxy.example.net:" + advertisedPort(type);
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        JsonNode created = createConnection(api, deviceId, type, 1024L * 1024 * 1024);

        String password = created.get("password").asText();
        assertThat(password).matches("[A-Za-z0-9]{24}"); // 24 of 62 symbols: 142 bits
        assertThat(created.get("username").asText()).matches("pp[a-z0-9]{10}");
        assertThat(created.get("type").asText()).isEqualTo(type);
        assertThat(created.get("device_id").asText()).isEqualTo(deviceId);
        assertThat(created.get("endpoint").asText()).isEqualTo(endpoint);
        assertThat(created.get("bandwidth_limit").asLong()).isEqualTo(1024L * 1024 * 1024);
        assertThat(created.get("bandwidth_used").asLong()).isZero();
        assertThat(created.get("active").asBoolean()).isTrue();

        ApiClient.Response read =
                api.get("/api/connections/" + created.get("id").asText());
        assertThat(read.status()).isEqualTo(200);
        assertThat(read.json().get("username").asText())
                .isEqualTo(created.get("username").asText());
        assertThat(read.json().get("endpoint").asText()).isEqualTo(endpoint);
        assertThat(read.body())
                .doesNotContain(password)
                .doesNotContain("password")
                .doesNotContain("$2");
        assertThat(api.get("/api/connections").body()).doesNotContain(password).doesNotContain("password");
    }

    @Test
    void givesAProxyUrlReadyForCurl() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        JsonNode http = createConnection(api, deviceId, "HTTP", null);
        JsonNode socks = createConnection(api, deviceId, "SOCKS5", null);

        assertThat(http.get("proxy_url").asText())
                .isEqualTo("http://" + http.get("username").asText() + ":"
                        + http.get("password").asText() + "@proxy.example.net:"
                        + server.server().relay().httpPort());
        assertThat(socks.get("proxy_url").asText())
                .startsWith("socks5h://")
                .endsWith("@proxy.example.net:" + server.server().relay().socksPort());
    }

    @Test
    void storesOnlyABcryptHashOfCost12ThatMatchesThePassword() {
        ApiClient api = server.newOperator().api();
        JsonNode created =
                createConnection(api, createDevice(api, "phone").get("id").asText(), "SOCKS5", null);

        String hash = passwordHash(created.get("id").asText());

        assertThat(hash)
                .matches("\\$2[aby]\\$12\\$.{53}")
                .doesNotContain(created.get("password").asText());
        assertThat(verifies(created.get("password").asText(), hash)).isTrue();
    }

    @Test
    void isUnlimitedWhenTheLimitIsAbsentOrZero() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        assertThat(createConnection(api, deviceId, "HTTP", null)
                        .get("bandwidth_limit")
                        .asLong())
                .isZero();
        assertThat(createConnection(api, deviceId, "HTTP", 0L)
                        .get("bandwidth_limit")
                        .asLong())
                .isZero();
    }

    @Test
    void acceptsTheTypeInAnyCase() {
        ApiClient api = server.newOperator().api();
        String deviceId = createDevice(api, "phone").get("id").asText();

        assertThat(createConnection(api, deviceId, "socks5", null).get("type").asText())
                .isEqualTo("SOCKS5");
    }

    @Test
    void patchesLimitActiveAndDevice() {
        ApiClient api = server.newOperator().api();
        String firstDevice = createDevice(api, "first").get("id").asText();
        String secondDevice = createDevice(api, "second").get("id").asText();
        String id = createConnection(api, firstDevice, "HTTP", 100L).get("id").asText();

        JsonNode patched = expect(
                200,
                api.patch(
                        "/api/connections/" + id,
                        Map.of("bandwidth_limit", 5_000_000_000L, "active", false, "device_id", secondDevice)));

        assertThat(patched.get("bandwidth_limit").asLong()).isEqualTo(5_000_000_000L);
        assertThat(patched.get("active").asBoolean()).isFalse();
        assertThat(patched.get("device_id").asText()).isEqualTo(secondDevice);
        assertThat(patched.get("device_name").asText()).isEqualTo("second");
        JsonNode read = api.get("/api/connections/" + id).json();
        assertThat(read.get("bandwidth_limit").asLong()).isEqualTo(5_000_000_000L);
        assertThat(read.get("active").asBoolean()).isFalse();

        JsonNode onlyActive = expect(200, api.patch("/api/connections/" + id, Map.of("active", true)));
        assertThat(onlyActive.get("active").asBoolean()).isTrue();
        assertThat(onlyActive.get("bandwidth_limit").asLong()).isEqualTo(5_000_000_000L);
    }

    @Test
    void regeneratingThePasswordReplacesTheOldOne() {
        ApiClient api = server.newOperator().api();
        JsonNode created =
                createConnection(api, createDevice(api, "phone").get("id").asText(), "HTTP", null);
        String id = created.get("id").asText();
        String oldPassword = created.get("password").asText();

        JsonNode regenerated = expect(200, api.post("/api/connections/" + id + "/regenerate-password", null));

        String newPassword = regenerated.get("password").asText();
        assertThat(newPassword).matches("[A-Za-z0-9]{24}").isNotEqualTo(oldPassword);
        assertThat(regenerated.get("username").asText())
                .isEqualTo(created.get("username").asText());
        assertThat(regenerated.get("proxy_url").asText()).contains(newPassword);
        String hash = passwordHash(id);
        assertThat(verifies(newPassword, hash)).isTrue();
        assertThat(verifies(oldPassword, hash)).isFalse();
    }

    @Test
    void resettingUsageZeroesItAndStartsANewGeneration() {
        ApiClient api = server.newOperator().api();
        String id = createConnection(api, createDevice(api, "phone").get("id").asText(), "HTTP", 1000L)
                .get("id")
                .asText();
        server.jdbi()
                .useHandle(handle -> handle.execute(
                        "UPDATE proxy_connections SET bandwidth_used = 750 WHERE id = ?", UUID.fromString(id)));
        assertThat(api.get("/api/connections/" + id)
                        .json()
                        .get("bandwidth_used")
                        .asLong())
                .isEqualTo(750);
        long generationBefore = generation(id);

        JsonNode reset = expect(200, api.post("/api/connections/" + id + "/reset-bandwidth", null));

        assertThat(reset.get("bandwidth_used").asLong()).isZero();
        assertThat(reset.get("bandwidth_limit").asLong()).isEqualTo(1000);
        assertThat(generation(id)).isEqualTo(generationBefore + 1);
    }

    @Test
    void deletesAConnection() {
        ApiClient api = server.newOperator().api();
        String id = createConnection(api, createDevice(api, "phone").get("id").asText(), "HTTP", null)
                .get("id")
                .asText();

        assertThat(api.delete("/api/connections/" + id).status()).isEqualTo(204);

        assertThat(api.get("/api/connections/" + id).status()).isEqualTo(404);
        assertThat(api.get("/api/connections").json()).isEmpty();
    }

    @Test
    void filtersTheListByDevice() {
        ApiClient api = server.newOperator().api();
        String first = createDevice(api, "first").get("id").asText();
        String second = createDevice(api, "second").get("id").asText();
        createConnection(api, first, "HTTP", null);
        createConnection(api, second, "SOCKS5", null);
        createConnection(api, second, "HTTP", null);

        assertThat(api.get("/api/connections").json()).hasSize(3);
        assertThat(api.get("/api/connections?device_id=" + second).json().findValuesAsText("type"))
                .containsExactly("SOCKS5", "HTTP");
        assertThat(api.get("/api/connections?device_id=nonsense").status()).isEqualTo(400);
    }

    private static String passwordHash(String connectionId) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT password_hash FROM proxy_connections WHERE id = :id")
                        .bind("id", UUID.fromString(connectionId))
                        .mapTo(String.class)
                        .one());
    }

    private static long generation(String connectionId) {
        return server.jdbi()
                .withHandle(
                        handle -> handle.createQuery("SELECT usage_generation FROM proxy_connections WHERE id = :id")
                                .bind("id", UUID.fromString(connectionId))
                                .mapTo(Long.class)
                                .one());
    }

    private static boolean verifies(String password, String hash) {
        return BCrypt.verifyer().verify(password.toCharArray(), hash).verified;
    }

    /** The port a connection of {@code type} sends its customer to: the relay's own, chosen by the system. */
    private static int advertisedPort(String type) {
        return switch (type) {
            case "HTTP" -> server.server().relay().httpPort();
            case "SOCKS5" -> server.server().relay().socksPort();
            default -> throw new IllegalArgumentException("type: " + type + " (expected: HTTP or SOCKS5)");
        };
    }
}
