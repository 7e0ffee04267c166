package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.pocketproxy.server.api.Authentication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Behind a TLS-terminating proxy the server sees plain HTTP: with {@code --trust-forwarded-proto} the proxy's
 * {@code X-Forwarded-Proto} says the browser used HTTPS, so the session cookie is {@code Secure}; without it a client's
 * own header changes nothing.
 */
class ForwardedProtoTest {

    @Nested
    class BehindATrustedProxy {

        @RegisterExtension
        static final RunningServer server = new RunningServer(config -> config.trustForwardedProto(true));

        @Test
        void marksTheSessionCookieSecureWhenTheProxySaysHttps() throws Exception {
            HttpResponse<String> login = signIn(server, "https");

            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(sessionCookie(login)).contains("Secure");
        }

        @Test
        void leavesTheSessionCookieNotSecureWhenTheProxySaysHttp() throws Exception {
            HttpResponse<String> login = signIn(server, "http");

            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(sessionCookie(login)).doesNotContain("Secure");
        }

        @Test
        void takesTheDashboardsOriginToBeHttpsWhenTheProxySaysSo() throws Exception {
            String token = server.admin().token();
            String port = Integer.toString(server.server().apiPort());

            int fromHttps = createDevice(server, token, "https://127.0.0.1:" + port);
            int fromHttp = createDevice(server, token, "http://127.0.0.1:" + port);

            assertThat(fromHttps).isEqualTo(201);
            assertThat(fromHttp).isEqualTo(403);
        }
    }

    @Nested
    class WithoutTheOption {

        @RegisterExtension
        static final RunningServer server = new RunningServer();

        @Test
        void ignoresAForwardedProtoTheClientSentItself() throws Exception {
            HttpResponse<String> login = signIn(server, "https");

            assertThat(login.statusCode()).isEqualTo(200);
            assertThat(sessionCookie(login)).doesNotContain("Secure");
        }
    }

    static HttpResponse<String> signIn(RunningServer server, String forwardedProto) throws Exception {
        String body = new ObjectMapper()
                .writeValueAsString(Map.of("email", RunningServer.ADMIN_EMAIL, "password", server.adminPassword()));
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/auth/login"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", forwardedProto)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
    }

    static int createDevice(RunningServer server, String token, String origin) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.baseUrl() + "/api/devices"))
                .header("Content-Type", "application/json")
                .header("X-Forwarded-Proto", "https")
                .header("Cookie", Authentication.SESSION_COOKIE + "=" + token)
                .header("Origin", origin)
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"phone\"}"))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    static String sessionCookie(HttpResponse<String> login) {
        return login.headers().allValues("Set-Cookie").stream()
                .filter(cookie -> cookie.startsWith(Authentication.SESSION_COOKIE + "="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no session cookie in " + login.headers()));
    }
}
