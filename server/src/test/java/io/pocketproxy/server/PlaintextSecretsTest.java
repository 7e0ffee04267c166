package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LogCapture;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * After real use of the product, no password or token we handed out exists anywhere we keep data: not in
 * the database files (tables, indexes, WAL), not in the logs, not in API reads.
 */
class PlaintextSecretsTest {

    @RegisterExtension
    static final LogCapture logs = new LogCapture();

    static Path dataDir;
    static final Map<String, String> secrets = new LinkedHashMap<>();
    static String username;
    static String allReads;

    @BeforeAll
    static void useTheProductThenStopIt() throws IOException {
        dataDir = Files.createTempDirectory("pocketproxy-secrets");
        String adminPassword = "admin-password-9f2c1e7b";
        secrets.put("admin password", adminPassword);
        ServerConfig config = ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin("admin@example.com", adminPassword)
                .build();
        try (PocketProxyServer server = PocketProxyServer.start(config)) {
            ApiClient anonymous = ApiClient.anonymous("http://127.0.0.1:" + server.apiPort());
            ApiClient admin = anonymous.login("admin@example.com", adminPassword);
            secrets.put("admin session token", admin.token());
            String operatorPassword = "operator-password-4d8a0b";
            secrets.put("operator password", operatorPassword);
            expect(
                    201,
                    admin.post(
                            "/api/users",
                            Map.of(
                                    "email",
                                    "op@example.com",
                                    "password",
                                    operatorPassword,
                                    "name",
                                    "Op",
                                    "role",
                                    "operator")));
            ApiClient operator = anonymous.login("op@example.com", operatorPassword);
            anonymous.post("/api/auth/login", Map.of("email", "op@example.com", "password", "a-wrong-guess-7c1d"));
            secrets.put("a wrong guess", "a-wrong-guess-7c1d");

            JsonNode device = createDevice(operator, "phone");
            secrets.put("device token", device.get("token").asText());
            JsonNode connection = createConnection(operator, device.get("id").asText(), "HTTP", 1_000_000L);
            username = connection.get("username").asText();
            secrets.put("connection password", connection.get("password").asText());
            JsonNode regenerated = expect(
                    200,
                    operator.post("/api/connections/" + connection.get("id").asText() + "/regenerate-password", null));
            secrets.put("regenerated password", regenerated.get("password").asText());

            allReads = operator.get("/api/connections").body()
                    + operator.get("/api/devices").body()
                    + operator.get("/api/connections/" + connection.get("id").asText())
                            .body()
                    + operator.get("/api/me").body()
                    + admin.get("/api/me").body();
            server.database().jdbi().useHandle(handle -> handle.execute("CHECKPOINT"));
        }
    }

    @AfterAll
    static void removeTheDataDirectory() {
        RunningServer.deleteRecursively(dataDir);
    }

    @Test
    void theDatabaseFilesIncludingTheWalHoldNoSecret() throws IOException {
        List<String> found = new ArrayList<>();
        List<Path> files = filesUnder(dataDir);
        assertThat(files).anyMatch(file -> file.toString().contains("pg_wal"));
        for (Path file : files) {
            byte[] content = Files.readAllBytes(file);
            secrets.forEach((what, secret) -> {
                if (contains(content, secret)) {
                    found.add(what + " in " + dataDir.relativize(file));
                }
            });
        }
        assertThat(found).isEmpty();
    }

    @Test
    void theSearchFindsWhatIsReallyStored() throws IOException {
        // The control: the same search does find the username, which is stored in the clear on purpose.
        boolean usernameFound = false;
        for (Path file : filesUnder(dataDir)) {
            usernameFound |= contains(Files.readAllBytes(file), username);
        }
        assertThat(usernameFound).isTrue();
    }

    @Test
    void theLogsHoldNoSecret() {
        String text = logs.text();
        assertThat(text).contains("PocketProxy server is ready"); // the capture did see the server
        secrets.forEach((what, secret) -> assertThat(text).as(what).doesNotContain(secret));
    }

    @Test
    void apiReadsHoldNoSecret() {
        secrets.forEach((what, secret) -> assertThat(allReads).as(what).doesNotContain(secret));
    }

    private static List<Path> filesUnder(Path directory) throws IOException {
        try (Stream<Path> paths = Files.walk(directory)) {
            return paths.filter(Files::isRegularFile).toList();
        }
    }

    private static boolean contains(byte[] haystack, String needle) {
        byte[] bytes = needle.getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i <= haystack.length - bytes.length; i++) {
            for (int j = 0; j < bytes.length; j++) {
                if (haystack[i + j] != bytes[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
