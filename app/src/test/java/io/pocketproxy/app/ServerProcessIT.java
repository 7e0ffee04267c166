package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.testkit.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocketproxy server} as a real process: started, stopped, killed, started again. */
class ServerProcessIT {

    private static final Map<String, String> ADMIN = Map.of(
            "POCKETPROXY_ADMIN_EMAIL", "admin@example.com", "POCKETPROXY_ADMIN_PASSWORD", "admin-password-from-env");

    @TempDir
    Path dataDir;

    @Test
    void stopsCleanlyOnSigterm() {
        try (PocketProxyProcess server = PocketProxyProcess.start(
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
                "0")) {
            ApiClient api = ApiClient.anonymous(server.awaitReady());
            assertThat(api.login("admin@example.com", "admin-password-from-env")
                            .get("/api/me")
                            .status())
                    .isEqualTo(200);

            int exit = server.terminate();

            assertThat(exit).as(server.stderr()).isIn(0, 143); // 143 = 128 + SIGTERM, the JVM's exit on a signal
            assertThat(server.stderr()).contains("stopped cleanly");
            assertThat(dataDir.resolve("postgres/postmaster.pid")).doesNotExist();
            assertThat(server.stderr()).doesNotContain("admin-password-from-env");
        }
    }

    @Test
    void startsAgainAfterBeingKilledWithNothingLost() throws IOException {
        String deviceId;
        try (PocketProxyProcess first = PocketProxyProcess.start(
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
                "0")) {
            ApiClient api =
                    ApiClient.anonymous(first.awaitReady()).login("admin@example.com", "admin-password-from-env");
            ApiClient.Response created = api.post("/api/devices", Map.of("name", "survivor"));
            assertThat(created.status()).isEqualTo(201);
            deviceId = created.json().get("id").asText();

            first.kill();
        }
        // Its PostgreSQL outlived it: the next start must cope.
        assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

        try (PocketProxyProcess second = PocketProxyProcess.start(
                Map.of(),
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
                "0")) {
            ApiClient api =
                    ApiClient.anonymous(second.awaitReady()).login("admin@example.com", "admin-password-from-env");

            assertThat(api.get("/api/devices/" + deviceId).json().get("name").asText())
                    .isEqualTo("survivor");
            assertThat(second.stderr()).contains("left running by a server that did not shut down");
        }
        assertThat(Files.readString(dataDir.resolve("postgres.log"))).isNotBlank();
    }

    @Test
    void refusesASecondServerOnTheSameDataDirectory() {
        try (PocketProxyProcess first = PocketProxyProcess.start(
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
                "0")) {
            String url = first.awaitReady();

            try (PocketProxyProcess second = PocketProxyProcess.start(
                    Map.of(),
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
                    "0")) {
                assertThat(second.awaitExit()).isEqualTo(1);
                assertThat(second.stderr())
                        .contains("pocketproxy server: data directory " + dataDir.toAbsolutePath())
                        .contains("is in use by another PocketProxy server");
            }
            assertThat(ApiClient.anonymous(url).get("/healthz").status()).isEqualTo(200);
        }
    }

    @Test
    void explainsHowToCreateTheFirstAdmin() {
        try (PocketProxyProcess server = PocketProxyProcess.start(
                Map.of(),
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
                "0")) {
            server.awaitReady();

            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(server.stderr())
                            .contains("no user exists yet: restart with --admin-email and --admin-password"));
        }
    }
}
