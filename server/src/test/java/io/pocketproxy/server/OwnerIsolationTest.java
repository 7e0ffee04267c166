package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Another operator's rows do not exist for you: every call on them answers 404 and changes nothing. */
class OwnerIsolationTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static ApiClient alice;
    static ApiClient bob;
    static String aliceDevice;
    static String aliceConnection;
    static String bobDevice;
    static String bobConnection;

    @BeforeAll
    static void twoOperatorsWithADeviceAndAConnectionEach() {
        alice = server.newOperator().api();
        bob = server.newOperator().api();
        aliceDevice = createDevice(alice, "alice's phone").get("id").asText();
        aliceConnection =
                createConnection(alice, aliceDevice, "HTTP", 1000L).get("id").asText();
        bobDevice = createDevice(bob, "bob's phone").get("id").asText();
        bobConnection =
                createConnection(bob, bobDevice, "SOCKS5", null).get("id").asText();
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "GET    | /api/devices/{device}                                | ",
                "DELETE | /api/devices/{device}                                | ",
                "GET    | /api/devices/{device}/status-log                     | ",
                "GET    | /api/devices/{device}/usage                          | ",
                "GET    | /api/connections/{connection}                        | ",
                "PATCH  | /api/connections/{connection}                        | {\"bandwidth_limit\": 5}",
                "PATCH  | /api/connections/{connection}                        | {\"active\": false}",
                "DELETE | /api/connections/{connection}                        | ",
                "POST   | /api/connections/{connection}/regenerate-password    | ",
                "POST   | /api/connections/{connection}/reset-bandwidth        | ",
                "GET    | /api/connections/{connection}/usage                  | ",
            })
    void anotherOperatorsRowsAnswerNotFound(String method, String pathTemplate, String body) {
        JsonNode connectionBefore =
                alice.get("/api/connections/" + aliceConnection).json();
        String hashBefore = passwordHash(aliceConnection);
        String path = pathTemplate.replace("{device}", aliceDevice).replace("{connection}", aliceConnection);

        ApiClient.Response response = bob.sendRaw(method, path, body);

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("not_found");
        assertThat(alice.get("/api/devices/" + aliceDevice).status()).isEqualTo(200);
        assertThat(alice.get("/api/connections/" + aliceConnection).json()).isEqualTo(connectionBefore);
        assertThat(passwordHash(aliceConnection)).isEqualTo(hashBefore);
    }

    @Test
    void listsShowOnlyOnesOwnRows() {
        assertThat(bob.get("/api/devices").json().findValuesAsText("id")).containsExactly(bobDevice);
        assertThat(bob.get("/api/connections").json().findValuesAsText("id")).containsExactly(bobConnection);
        assertThat(bob.get("/api/connections?device_id=" + aliceDevice).json()).isEmpty();
    }

    @Test
    void cannotCreateAConnectionOnAnotherOperatorsDevice() {
        ApiClient.Response response = bob.post("/api/connections", Map.of("device_id", aliceDevice, "type", "HTTP"));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo("unknown_device");
        assertThat(bob.get("/api/connections").json()).hasSize(1);
        assertThat(connectionsOnDevice(aliceDevice)).isEqualTo(1);
    }

    @Test
    void cannotMoveAConnectionOntoAnotherOperatorsDevice() {
        ApiClient.Response response = bob.patch("/api/connections/" + bobConnection, Map.of("device_id", aliceDevice));

        assertThat(response.status()).isEqualTo(422);
        assertThat(response.json().get("code").asText()).isEqualTo("unknown_device");
        assertThat(bob.get("/api/connections/" + bobConnection)
                        .json()
                        .get("device_id")
                        .asText())
                .isEqualTo(bobDevice);
    }

    @Test
    void anotherOperatorsDeviceIdAndAnUnknownOneGetTheSameAnswer() {
        ApiClient.Response foreign = bob.get("/api/devices/" + aliceDevice);
        ApiClient.Response unknown = bob.get("/api/devices/" + UUID.randomUUID());

        assertThat(foreign.status()).isEqualTo(unknown.status());
        assertThat(foreign.body()).isEqualTo(unknown.body());
    }

    private static String passwordHash(String connectionId) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT password_hash FROM proxy_connections WHERE id = :id")
                        .bind("id", UUID.fromString(connectionId))
                        .mapTo(String.class)
                        .one());
    }

    private static int connectionsOnDevice(String deviceId) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT count(*) FROM proxy_connections WHERE device_id = :id")
                        .bind("id", UUID.fromString(deviceId))
                        .mapTo(Integer.class)
                        .one());
    }
}
