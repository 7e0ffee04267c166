package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.ApiClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the browser gets before any script runs; the dashboard's behaviour is tested in Chromium (app module). */
class DashboardServingTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void servesTheDashboardAtTheRootUnderAStrictContentSecurityPolicy() {
        ApiClient.Response page = server.anonymous().get("/");

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("Content-Type")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/app.js\"");
        assertThat(page.header("Content-Security-Policy"))
                .contains("default-src 'self'")
                .contains("frame-ancestors 'none'")
                .doesNotContain("unsafe-inline");
        assertThat(page.header("X-Content-Type-Options")).isEqualTo("nosniff");
    }

    @Test
    void servesItsScriptsAndStyles() {
        for (String file : List.of("/app.js", "/api.js", "/app.css", "/views/connections.js")) {
            ApiClient.Response response = server.anonymous().get(file);
            assertThat(response.status()).as(file).isEqualTo(200);
            assertThat(response.body()).as(file).isNotBlank();
        }
    }

    @Test
    void signingInSetsAMarkerCookieTheScriptCanReadWithoutAnySecretInIt() {
        ApiClient.Response login = server.anonymous()
                .post(
                        "/api/auth/login",
                        Map.of("email", RunningServer.ADMIN_EMAIL, "password", server.adminPassword()));
        String token = login.json().get("token").asText();

        List<String> cookies = login.raw().headers().allValues("Set-Cookie");
        assertThat(cookies)
                .anySatisfy(cookie -> assertThat(cookie)
                        .startsWith("pocketproxy_signed_in=1;")
                        .contains("SameSite=Strict")
                        .doesNotContain("HttpOnly")
                        .doesNotContain(token));

        ApiClient.Response logout = server.anonymous().withToken(token).post("/api/auth/logout", null);
        assertThat(logout.raw().headers().allValues("Set-Cookie"))
                .anySatisfy(cookie -> assertThat(cookie).startsWith("pocketproxy_signed_in=;"));
    }
}
