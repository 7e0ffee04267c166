package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Bad input gets a clear error in the API's shape and changes nothing. */
class BadInputTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static ApiClient api;
    static String device;
    static String connection;
    static JsonNode connectionBefore;

    @BeforeAll
    static void anOperatorWithADeviceAndAConnection() {
        api = server.newOperator().api();
        device = createDevice(api, "phone").get("id").asText();
        connection = createConnection(api, device, "HTTP", 1000L).get("id").asText();
        connectionBefore = api.get("/api/connections/" + connection).json();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "malformed JSON            | POST  | /api/connections  | {\"device_id\": | 400 | invalid_json",
                "empty body                | POST  | /api/connections  |                 | 400 | invalid_json",
                "JSON array                | POST  | /api/connections  | []              | 400 | invalid_json",
                "JSON null                 | POST  | /api/connections  | null            | 400 | invalid_json",
                "trailing garbage          | POST  | /api/devices      | {\"name\":\"a\"} x | 400 | invalid_json",
                "limit as a string         | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"bandwidth_limit\":\"100\"} | 400 | invalid_field",
                "limit as a fraction       | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"bandwidth_limit\":1.5} | 400 | invalid_field",
                "limit too large           | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"bandwidth_limit\":99999999999999999999} | 400 | invalid_field",
                "negative limit            | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"bandwidth_limit\":-1} | 422 | invalid_field",
                "unknown type              | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"PPTP\"} | 400 | invalid_field",
                "type as a number          | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":5} | 400 | invalid_field",
                "type as an enum index     | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":0} | 400 | invalid_field",
                "duplicate key             | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"type\":\"SOCKS5\"} | 400 | invalid_json",
                "patch duplicate key       | PATCH | /api/connections/{connection} | {\"active\":true,\"active\":false} | 400 | invalid_json",
                "missing type              | POST  | /api/connections  | {\"device_id\":\"{device}\"} | 422 | invalid_field",
                "missing device            | POST  | /api/connections  | {\"type\":\"HTTP\"} | 422 | invalid_field",
                "unknown device            | POST  | /api/connections  | {\"device_id\":\"00000000-0000-0000-0000-000000000000\",\"type\":\"HTTP\"} | 422 | unknown_device",
                "device id not a UUID      | POST  | /api/connections  | {\"device_id\":\"phone-1\",\"type\":\"HTTP\"} | 400 | invalid_field",
                "unknown field             | POST  | /api/connections  | {\"device_id\":\"{device}\",\"type\":\"HTTP\",\"password\":\"mine\"} | 400 | unknown_field",
                "device name as a number   | POST  | /api/devices      | {\"name\":42} | 400 | invalid_field",
                "NUL in a device name      | POST  | /api/devices      | {\"name\":\"ph\\u0000one\"} | 400 | invalid_field",
                "line break in a device name | POST | /api/devices     | {\"name\":\"phone\\nINFO forged\"} | 400 | invalid_field",
                "tab in a webhook URL      | PUT   | /api/settings/webhook | {\"webhook_url\":\"https://example.com/\\t\"} | 400 | invalid_field",
                "patch negative limit      | PATCH | /api/connections/{connection} | {\"bandwidth_limit\":-5} | 422 | invalid_field",
                "patch active as a string  | PATCH | /api/connections/{connection} | {\"active\":\"false\"} | 400 | invalid_field",
                "patch unknown device      | PATCH | /api/connections/{connection} | {\"device_id\":\"00000000-0000-0000-0000-000000000000\"} | 422 | unknown_device",
                "patch nothing             | PATCH | /api/connections/{connection} | {} | 400 | invalid_field",
                "patch unknown field       | PATCH | /api/connections/{connection} | {\"bandwidth_used\":0} | 400 | unknown_field",
            })
    void answersWithAClearErrorAndChangesNothing(
            String description, String method, String path, String body, int status, String code) {
        List<String> devicesBefore = api.get("/api/devices").json().findValuesAsText("id");
        List<String> connectionsBefore = api.get("/api/connections").json().findValuesAsText("id");

        ApiClient.Response response = api.sendRaw(
                method,
                path.replace("{connection}", connection),
                body == null ? null : body.replace("{device}", device));

        assertThat(response.status()).as(response.body()).isEqualTo(status);
        assertThat(response.json().get("code").asText()).isEqualTo(code);
        assertThat(response.json().get("error").asText()).isNotBlank();
        assertThat(api.get("/api/devices").json().findValuesAsText("id")).isEqualTo(devicesBefore);
        assertThat(api.get("/api/connections").json().findValuesAsText("id")).isEqualTo(connectionsBefore);
        assertThat(api.get("/api/connections/" + connection).json()).isEqualTo(connectionBefore);
    }

    @Test
    void namesTheFieldAndTheExpectation() {
        ApiClient.Response response =
                api.post("/api/connections", Map.of("device_id", device, "type", "HTTP", "bandwidth_limit", "lots"));

        assertThat(response.json().get("error").asText()).isEqualTo("bandwidth_limit: expected a whole number");
    }

    @Test
    void listsTheAcceptedTypes() {
        ApiClient.Response response = api.post("/api/connections", Map.of("device_id", device, "type", "PPTP"));

        assertThat(response.json().get("error").asText()).isEqualTo("type: expected one of HTTP, SOCKS5, OPENVPN");
    }

    @Test
    void neverEchoesAValueBack() {
        ApiClient.Response response =
                api.sendRaw("POST", "/api/auth/login", "{\"email\":\"a@b.c\",\"password\":12345678901}");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.body()).doesNotContain("12345678901");
    }

    @Test
    void refusesAnOversizedBodyBeforeReadingIt() {
        String huge = "{\"name\":\"" + "x".repeat(100 * 1024) + "\"}";

        ApiClient.Response response = api.sendRaw("POST", "/api/devices", huge);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.json().get("code").asText()).isEqualTo("body_too_large");
        assertThat(api.get("/api/devices").json()).hasSize(1);
    }

    @Test
    void saysWhichKeyCameTwice() {
        ApiClient.Response response = ApiClient.anonymous(server.baseUrl()).sendRaw("POST", "/api/auth/login", """
                {"email": "someone@example.com", "email": "other@example.com", "password": "whatever"}""");

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).contains("'email'").contains("more than once");
    }

    @Test
    void answersAnOversizedRequestHeadInTheSameShape() throws IOException {
        ProxyClients.HttpHead answer = rawRequest(
                "GET /api/me HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + "x".repeat(64 * 1024) + "\r\n\r\n");

        assertThat(answer.status()).isEqualTo(431);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8))
                .contains("\"code\":\"http_431\"")
                .doesNotContain("<html");
    }

    @Test
    void answersAMalformedRequestHeadInTheSameShape() throws IOException {
        ProxyClients.HttpHead answer =
                rawRequest("GET /api/me HTTP/1.1\r\nHost: localhost\r\nno colon in this header\r\n\r\n");

        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8))
                .contains("\"code\":\"http_400\"")
                .doesNotContain("<html");
    }

    /** What Jetty itself answers, before any route sees the request. */
    private static ProxyClients.HttpHead rawRequest(String request) throws IOException {
        try (Socket socket = ProxyClients.open(server.server().apiPort())) {
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            ProxyClients.HttpHead head = ProxyClients.readHead(socket, socket.getInputStream());
            byte[] body = head.body();
            return new ProxyClients.HttpHead(
                    head.status(), head.headers(), socket, new java.io.ByteArrayInputStream(body));
        }
    }

    @Test
    void answersUnknownEndpointsInTheSameShape() {
        ApiClient.Response response = api.get("/api/nothing-here");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.json().get("code").asText()).isEqualTo("not_found");
    }
}
