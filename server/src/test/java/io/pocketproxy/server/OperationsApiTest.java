package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.ApiClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class OperationsApiTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void reportsHealthWithoutASession() {
        ApiClient.Response health = server.anonymous().get("/healthz");

        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("ok");
    }

    @Test
    void exposesJvmHttpAndDatabasePoolMetricsForPrometheus() {
        server.admin().get("/api/devices");

        ApiClient.Response metrics = server.anonymous().get("/metrics");

        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body())
                .contains("jvm_memory_used_bytes")
                .contains("jvm_threads_live_threads")
                .contains("hikaricp_connections_active")
                .contains("pocketproxy_password_checks_total")
                .containsPattern("http_server_requests_seconds_count\\{[^}]*route=\"/api/devices\"[^}]*status=\"200\"");
    }

    @Test
    void tagsRequestsByRouteTemplateNotByRawPath() {
        server.admin().get("/api/devices/6a7c4e2e-4a41-4c6b-8b1e-4b0d1c3f2a10");

        String metrics = server.anonymous().get("/metrics").body();

        assertThat(metrics)
                .contains("route=\"/api/devices/{id}\"")
                .doesNotContain("6a7c4e2e-4a41-4c6b-8b1e-4b0d1c3f2a10");
    }

    @Test
    void forbidsCachingOfApiAnswers() {
        assertThat(server.admin().get("/api/me").header("Cache-Control")).isEqualTo("no-store");
    }
}
