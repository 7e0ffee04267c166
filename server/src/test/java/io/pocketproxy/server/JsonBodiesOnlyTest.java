package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketproxy.server.api.Authentication;
import io.pocketproxy.testkit.ApiClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A body the API reads is JSON, said so by its {@code Content-Type}: a browser sends {@code text/plain} and form
 * bodies cross-site without asking first, JSON it does not.
 */
class JsonBodiesOnlyTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static RunningServer.Operator operator;

    @BeforeAll
    static void anOperator() {
        operator = server.newOperator();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "text/plain                        | {\"name\":\"phone\"}",
                "text/plain;charset=UTF-8          | {\"name\":\"phone\"}",
                "application/x-www-form-urlencoded | name=phone",
                "multipart/form-data; boundary=b   | --b--",
                "application/jsonp                 | {\"name\":\"phone\"}",
                "none                              | {\"name\":\"phone\"}",
            })
    void refusesABodyThatIsNotJsonWith415AndChangesNothing(String contentType, String body) throws Exception {
        List<String> devicesBefore = devices();

        HttpResponse<String> answer = send(post("/api/devices", contentType, body)
                .header(
                        "Cookie",
                        Authentication.SESSION_COOKIE + "=" + operator.api().token()));

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(new ObjectMapper().readTree(answer.body()).get("code").asText())
                .isEqualTo("unsupported_media_type");
        assertThat(devices()).isEqualTo(devicesBefore);
    }

    @Test
    void refusesATextPlainSignInWithoutSigningIn() throws Exception {
        String body = new ObjectMapper()
                .writeValueAsString(Map.of("email", operator.email(), "password", operator.password()));

        HttpResponse<String> answer = send(post("/api/auth/login", "text/plain", body));

        assertThat(answer.statusCode()).isEqualTo(415);
        assertThat(answer.headers().allValues("Set-Cookie")).isEmpty();
        assertThat(answer.body()).doesNotContain("pps_");
    }

    @Test
    void acceptsJsonWithACharset() throws Exception {
        HttpResponse<String> answer = send(post("/api/devices", "application/json; charset=utf-8", "{\"name\":\"a\"}")
                .header("Authorization", "Bearer " + operator.api().token()));

        assertThat(answer.statusCode()).isEqualTo(201);
    }

    @Test
    void needsNoContentTypeForAnEmptyBody() throws Exception {
        ApiClient session = server.anonymous().login(operator.email(), operator.password());
        HttpRequest.Builder logout = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/auth/logout"))
                .POST(HttpRequest.BodyPublishers.noBody())
                .header("Cookie", Authentication.SESSION_COOKIE + "=" + session.token());

        HttpResponse<String> answer = send(logout);

        assertThat(answer.statusCode()).isEqualTo(204);
        assertThat(session.get("/api/me").status()).isEqualTo(401);
    }

    private static List<String> devices() {
        return operator.api().get("/api/devices").json().findValuesAsText("id");
    }

    private static HttpRequest.Builder post(String path, String contentType, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        return contentType.equals("none") ? request : request.header("Content-Type", contentType);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
