package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.server.secrets.Secrets;
import io.pocketproxy.testkit.ApiClient;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer(config -> config.sessionTtl(Duration.ofHours(1)));

    @Test
    void signsInAndTellsWhoIsSignedIn() {
        ApiClient.Response login = server.anonymous()
                .post(
                        "/api/auth/login",
                        Map.of("email", RunningServer.ADMIN_EMAIL, "password", server.adminPassword()));

        assertThat(login.status()).isEqualTo(200);
        assertThat(login.json().get("token").asText()).startsWith("pps_");
        ApiClient.Response me =
                server.anonymous().withToken(login.json().get("token").asText()).get("/api/me");
        assertThat(me.status()).isEqualTo(200);
        assertThat(me.json().get("email").asText()).isEqualTo(RunningServer.ADMIN_EMAIL);
        assertThat(me.json().get("role").asText()).isEqualTo("admin");
        assertThat(me.body()).doesNotContain("password");
    }

    @Test
    void signsInCaseInsensitivelyOnTheEmail() {
        ApiClient.Response login = server.anonymous()
                .post("/api/auth/login", Map.of("email", " Admin@Example.COM ", "password", server.adminPassword()));

        assertThat(login.status()).isEqualTo(200);
    }

    @Test
    void setsAnHttpOnlySameSiteStrictSessionCookieThatAuthenticates() throws Exception {
        ApiClient.Response login = server.anonymous()
                .post(
                        "/api/auth/login",
                        Map.of("email", RunningServer.ADMIN_EMAIL, "password", server.adminPassword()));

        String setCookie = login.header("Set-Cookie");
        assertThat(setCookie)
                .startsWith("pocketproxy_session=")
                .contains("HttpOnly")
                .contains("SameSite=Strict")
                .contains("Path=/");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create(server.baseUrl() + "/api/me"))
                .header("Cookie", cookie)
                .build();
        var response = java.net.http.HttpClient.newHttpClient()
                .send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).contains(RunningServer.ADMIN_EMAIL);
    }

    @Test
    void answersAWrongPasswordAndAnUnknownEmailAlikeAfterTheSameBcryptCheck() {
        long before = server.passwordChecks("operators");
        ApiClient.Response wrongPassword = server.anonymous()
                .post("/api/auth/login", Map.of("email", RunningServer.ADMIN_EMAIL, "password", "not-the-password"));
        long afterWrongPassword = server.passwordChecks("operators");
        ApiClient.Response unknownEmail = server.anonymous()
                .post("/api/auth/login", Map.of("email", "nobody@example.com", "password", "not-the-password"));
        long afterUnknownEmail = server.passwordChecks("operators");

        assertThat(wrongPassword.status()).isEqualTo(401);
        assertThat(unknownEmail.status()).isEqualTo(401);
        assertThat(unknownEmail.body()).isEqualTo(wrongPassword.body());
        assertThat(wrongPassword.json().get("code").asText()).isEqualTo("invalid_credentials");
        assertThat(afterWrongPassword - before).isEqualTo(1);
        assertThat(afterUnknownEmail - afterWrongPassword).isEqualTo(1);
    }

    @ParameterizedTest
    @CsvSource({
        "GET, /api/me",
        "POST, /api/users",
        "GET, /api/devices",
        "POST, /api/devices",
        "GET, /api/devices/00000000-0000-0000-0000-000000000001",
        "DELETE, /api/devices/00000000-0000-0000-0000-000000000001",
        "GET, /api/devices/00000000-0000-0000-0000-000000000001/status-log",
        "GET, /api/devices/00000000-0000-0000-0000-000000000001/usage",
        "GET, /api/usage",
        "GET, /api/connections",
        "POST, /api/connections",
        "GET, /api/connections/00000000-0000-0000-0000-000000000001",
        "PATCH, /api/connections/00000000-0000-0000-0000-000000000001",
        "DELETE, /api/connections/00000000-0000-0000-0000-000000000001",
        "POST, /api/connections/00000000-0000-0000-0000-000000000001/regenerate-password",
        "POST, /api/connections/00000000-0000-0000-0000-000000000001/reset-bandwidth",
        "GET, /api/connections/00000000-0000-0000-0000-000000000001/usage"
    })
    void refusesEveryOperatorCallWithoutASession(String method, String path) {
        ApiClient.Response response = server.anonymous().sendRaw(method, path, "{}");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.json().get("code").asText()).isEqualTo("unauthenticated");
        assertThat(response.json().get("error").asText()).isNotBlank();
    }

    @Test
    void refusesAMadeUpToken() {
        ApiClient.Response response = server.anonymous().withToken("pps_madeup").get("/api/me");

        assertThat(response.status()).isEqualTo(401);
    }

    @Test
    void signingOutEndsTheSession() {
        ApiClient session = server.anonymous().login(RunningServer.ADMIN_EMAIL, server.adminPassword());

        ApiClient.Response logout = session.post("/api/auth/logout", null);

        assertThat(logout.status()).isEqualTo(204);
        assertThat(logout.header("Set-Cookie"))
                .startsWith("pocketproxy_session=;")
                .containsAnyOf("Max-Age=0", "Expires=Thu, 01 Jan 1970");
        assertThat(session.get("/api/me").status()).isEqualTo(401);
    }

    @Test
    void sessionsExpireAfterTheirLifetime() {
        ApiClient session = server.anonymous().login(RunningServer.ADMIN_EMAIL, server.adminPassword());
        assertThat(session.get("/api/me").status()).isEqualTo(200);

        server.clock().advance(Duration.ofHours(1).plusSeconds(1));

        ApiClient.Response expired = session.get("/api/me");
        assertThat(expired.status()).isEqualTo(401);
        assertThat(expired.json().get("error").asText()).contains("sign in again");
    }

    @Test
    void keepsOnlyADigestOfSessionTokens() {
        String token = server.anonymous()
                .login(RunningServer.ADMIN_EMAIL, server.adminPassword())
                .token();

        boolean digestStored = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT EXISTS (SELECT 1 FROM sessions WHERE token_digest = :digest)")
                        .bind("digest", Secrets.digest(token))
                        .mapTo(Boolean.class)
                        .one());
        boolean tokenStored = server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT EXISTS (SELECT 1 FROM sessions WHERE position(convert_to(:token, 'UTF8') in token_digest) > 0)")
                        .bind("token", token)
                        .mapTo(Boolean.class)
                        .one());
        assertThat(digestStored).isTrue();
        assertThat(tokenStored).isFalse();
        assertThat(HexFormat.of().formatHex(Secrets.digest(token))).hasSize(64);
    }
}
