package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy server} as a real process when its embedded PostgreSQL is killed: it starts it again and
 * carries on, or, when it cannot, says so and exits non-zero.
 */
class EmbeddedPostgresSupervisionIT {

    private static final String EMAIL = "admin@example.com";
    private static final String PASSWORD = "admin-password-from-env";
    private static final Map<String, String> ADMIN =
            Map.of("POCKETPROXY_ADMIN_EMAIL", EMAIL, "POCKETPROXY_ADMIN_PASSWORD", PASSWORD);

    @TempDir
    Path dataDir;

    @Test
    void startsAKilledPostgresAgainAndCarriesOnWithItsData() throws IOException {
        try (PocketProxyProcess server = startServer()) {
            ApiClient api = ApiClient.anonymous(server.awaitReady()).login(EMAIL, PASSWORD);
            String deviceId = expect(201, api.post("/api/devices", Map.of("name", "before the kill")))
                    .get("id")
                    .asText();
            JsonNode connection = expect(
                    201,
                    api.post(
                            "/api/connections",
                            Map.of("device_id", deviceId, "type", "HTTP", "bandwidth_limit", 123_456_789)));
            long killed = killPostmaster();

            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(server.stderr())
                            .contains("embedded PostgreSQL died: its postmaster (pid " + killed + ")")
                            .contains("embedded PostgreSQL is up again"));
            // The same server, its pool reconnected: the session from before, a new sign-in, reads and writes.
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> api.get("/api/me").status() == 200);
            ApiClient signedIn = ApiClient.anonymous(server.awaitReady()).login(EMAIL, PASSWORD);
            assertThat(expect(200, signedIn.get("/api/devices/" + deviceId))
                            .get("name")
                            .asText())
                    .isEqualTo("before the kill");
            JsonNode kept = expect(
                    200, signedIn.get("/api/connections/" + connection.get("id").asText()));
            assertThat(kept.get("bandwidth_limit").asLong()).isEqualTo(123_456_789L);
            assertThat(kept.get("bandwidth_used").asLong())
                    .isEqualTo(connection.get("bandwidth_used").asLong());
            expect(201, signedIn.post("/api/devices", Map.of("name", "after the kill")));

            assertThat(server.isAlive()).isTrue();
            assertThat(postmasterPid()).isNotEqualTo(killed);
            assertThat(server.terminate()).as(server.stderr()).isIn(0, 143);
            assertThat(server.stderr()).contains("stopped cleanly");
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
    }

    @Test
    void exitsNonZeroWhenItCannotStartPostgresAgain() throws IOException {
        try (PocketProxyProcess server = startServer()) {
            server.awaitReady();
            // Read only at the postmaster's start: the running one does not notice, the next one will not start.
            Files.writeString(
                    dataDir.resolve("postgres/postgresql.conf"),
                    "this is not = a valid 'setting\n",
                    StandardCharsets.UTF_8);
            killPostmaster();

            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> !server.isAlive());

            assertThat(server.awaitExit()).as(server.stderr()).isEqualTo(1);
            assertThat(server.stderr())
                    .contains("embedded PostgreSQL did not start again (try 3 of 3)")
                    .contains("pocketproxy server: embedded PostgreSQL died and cannot be started again")
                    .contains("FATAL:  configuration file \"" + dataDir.resolve("postgres/postgresql.conf")
                            + "\" contains errors")
                    .contains(dataDir.resolve("postgres.log").toString());
        }
    }

    private PocketProxyProcess startServer() {
        return PocketProxyProcess.start(
                ADMIN,
                "server",
                "--data-dir",
                dataDir.toString(),
                "--api-port",
                "0",
                "--http-proxy-port",
                "0",
                "--socks-port",
                "0",
                "--link-port",
                "0");
    }

    /** SIGKILL to the embedded postmaster, as the OOM killer would; returns its pid. */
    private long killPostmaster() throws IOException {
        long pid = postmasterPid();
        ProcessHandle postmaster =
                ProcessHandle.of(pid).orElseThrow(() -> new AssertionError("postmaster " + pid + " is not running"));
        assertThat(postmaster.destroyForcibly()).isTrue();
        return pid;
    }

    private long postmasterPid() throws IOException {
        return Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"), StandardCharsets.US_ASCII)
                .getFirst()
                .strip());
    }

    private static JsonNode expect(int status, ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        return response.json();
    }
}
