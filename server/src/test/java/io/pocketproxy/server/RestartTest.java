package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.db.DataDirLock;
import io.pocketproxy.testkit.ApiClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded database lives in the data directory: it survives restarts and belongs to one server at a time. What a
 * first start leaves in the directory: {@link FirstStartTest}.
 */
class RestartTest {

    Path dataDir;

    @BeforeEach
    void freshDataDirectory() throws IOException {
        dataDir = Files.createTempDirectory("pocketproxy-restart");
    }

    @AfterEach
    void removeIt() {
        RunningServer.deleteRecursively(dataDir);
    }

    @Test
    void keepsUsersDevicesConnectionsAndTheRelayCertificateAcrossARestart() {
        String connectionId;
        String fingerprint;
        try (PocketProxyServer first = start("admin@example.com", "first-admin-password")) {
            ApiClient admin = api(first).login("admin@example.com", "first-admin-password");
            String device = createDevice(admin, "phone").get("id").asText();
            JsonNode connection = createConnection(admin, device, "SOCKS5", 123_456L);
            connectionId = connection.get("id").asText();
            first.database()
                    .jdbi()
                    .useHandle(handle -> handle.execute(
                            "UPDATE proxy_connections SET bandwidth_used = 777 WHERE id = ?",
                            UUID.fromString(connectionId)));
            fingerprint = PairingString.parse(
                            createDevice(admin, "second").get("pairing").asText())
                    .relayFingerprint();
        }

        // Other admin flags on restart: users exist, so they are not applied.
        try (PocketProxyServer second = start("intruder@example.com", "another-password")) {
            ApiClient admin = api(second).login("admin@example.com", "first-admin-password");
            JsonNode connection = admin.get("/api/connections/" + connectionId).json();
            assertThat(connection.get("type").asText()).isEqualTo("SOCKS5");
            assertThat(connection.get("bandwidth_limit").asLong()).isEqualTo(123_456L);
            assertThat(connection.get("bandwidth_used").asLong()).isEqualTo(777L);
            assertThat(admin.get("/api/devices").json().findValuesAsText("name"))
                    .containsExactly("phone", "second");
            assertThat(second.certificate().fingerprint()).isEqualTo(fingerprint);
            assertThat(api(second)
                            .post(
                                    "/api/auth/login",
                                    java.util.Map.of("email", "intruder@example.com", "password", "another-password"))
                            .status())
                    .isEqualTo(401);
        }
    }

    @Test
    void refusesASecondServerOnTheSameDataDirectoryAndLeavesTheFirstRunning() {
        try (PocketProxyServer first = start("admin@example.com", "first-admin-password")) {
            assertThatThrownBy(() -> start("admin@example.com", "first-admin-password"))
                    .isInstanceOf(DataDirLock.DataDirInUseException.class)
                    .hasMessageContaining("in use by another PocketProxy server")
                    .hasMessageContaining("process " + ProcessHandle.current().pid())
                    .hasMessageContaining(dataDir.toString());

            assertThat(api(first).get("/healthz").status()).isEqualTo(200);
            assertThat(api(first)
                            .login("admin@example.com", "first-admin-password")
                            .get("/api/me")
                            .status())
                    .isEqualTo(200);
        }
    }

    @Test
    void refusesToRunBinariesThatOtherUsersCouldHaveReplaced() throws IOException {
        start("admin@example.com", "first-admin-password").close();
        Path binaries = dataDir.resolve("postgres-binaries");
        Files.setPosixFilePermissions(binaries, PosixFilePermissions.fromString("rwxrwxrwx"));

        assertThatThrownBy(() -> start("admin@example.com", "first-admin-password"))
                .hasMessageContaining(binaries.toString())
                .hasMessageContaining("writable by other users");
    }

    private PocketProxyServer start(String adminEmail, String adminPassword) {
        return PocketProxyServer.start(ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin(adminEmail, adminPassword)
                .build());
    }

    private static ApiClient api(PocketProxyServer server) {
        return ApiClient.anonymous("http://127.0.0.1:" + server.apiPort());
    }
}
