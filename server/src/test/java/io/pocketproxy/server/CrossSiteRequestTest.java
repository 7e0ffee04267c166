package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketproxy.server.api.Authentication;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A browser sends the session cookie along with requests another page makes, SameSite or not when that page is on a
 * sibling port or subdomain: a state change that carries the cookie, and a sign-in, come from the dashboard's own
 * origin or from no browser at all.
 */
class CrossSiteRequestTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static final ObjectMapper JSON = new ObjectMapper();

    static RunningServer.Operator operator;

    @BeforeAll
    static void anOperator() {
        operator = server.newOperator();
    }

    @ParameterizedTest(name = "Origin: {0}")
    @ValueSource(
            strings = {
                "http://127.0.0.1:{sibling}",
                "http://localhost:{port}",
                "http://evil.example",
                "https://127.0.0.1:{port}",
                "null"
            })
    void refusesAStateChangeWithTheSessionCookieFromAnotherOrigin(String origin) throws Exception {
        List<String> devicesBefore = devices();

        HttpResponse<String> answer = send(createDevice()
                .header("Cookie", sessionCookie())
                .header("Origin", origin.replace("{port}", port()).replace("{sibling}", siblingPort())));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).get("code").asText()).isEqualTo("cross_site_request");
        assertThat(devices()).isEqualTo(devicesBefore);
    }

    @ParameterizedTest(name = "Sec-Fetch-Site: {0}")
    @ValueSource(strings = {"cross-site", "same-site"})
    void refusesAStateChangeWithTheSessionCookieThatTheBrowserSaysCameFromAnotherSite(String site) throws Exception {
        List<String> devicesBefore = devices();

        HttpResponse<String> answer =
                send(createDevice().header("Cookie", sessionCookie()).header("Sec-Fetch-Site", site));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).get("code").asText()).isEqualTo("cross_site_request");
        assertThat(devices()).isEqualTo(devicesBefore);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Origin", "Sec-Fetch-Site"})
    void refusesASignInFromAnotherSite(String header) throws Exception {
        String value = header.equals("Origin") ? "http://127.0.0.1:" + siblingPort() : "cross-site";

        HttpResponse<String> answer = send(signIn().header(header, value));

        assertThat(answer.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(answer.body()).get("code").asText()).isEqualTo("cross_site_request");
        assertThat(answer.headers().allValues("Set-Cookie")).isEmpty();
    }

    @Test
    void acceptsAStateChangeFromTheDashboardsOwnOrigin() throws Exception {
        HttpResponse<String> answer = send(createDevice()
                .header("Cookie", sessionCookie())
                .header("Origin", "http://127.0.0.1:" + port())
                .header("Sec-Fetch-Site", "same-origin"));

        assertThat(answer.statusCode()).isEqualTo(201);
    }

    @Test
    void acceptsAStateChangeWithTheSessionCookieAndNeitherHeader() throws Exception {
        HttpResponse<String> answer = send(createDevice().header("Cookie", sessionCookie()));

        assertThat(answer.statusCode()).isEqualTo(201);
    }

    @Test
    void acceptsASignInFromTheDashboardsOwnOrigin() throws Exception {
        HttpResponse<String> answer =
                send(signIn().header("Origin", "http://127.0.0.1:" + port()).header("Sec-Fetch-Site", "same-origin"));

        assertThat(answer.statusCode()).isEqualTo(200);
    }

    private static HttpRequest.Builder createDevice() {
        return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/devices"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"phone\"}"));
    }

    private static HttpRequest.Builder signIn() throws Exception {
        String body = JSON.writeValueAsString(Map.of("email", operator.email(), "password", operator.password()));
        return HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static String sessionCookie() {
        return Authentication.SESSION_COOKIE + "=" + operator.api().token();
    }

    private static String port() {
        return Integer.toString(server.server().apiPort());
    }

    private static String siblingPort() {
        return Integer.toString(
                server.server().apiPort() == 65535 ? 65534 : server.server().apiPort() + 1);
    }

    private static List<String> devices() {
        return operator.api().get("/api/devices").json().findValuesAsText("id");
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
