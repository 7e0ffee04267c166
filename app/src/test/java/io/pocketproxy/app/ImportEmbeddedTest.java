package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy import} into the embedded database of a stopped server, as a single-machine operator runs it:
 * it takes the data directory only while writing, and what it wrote is there when the server starts again.
 */
class ImportEmbeddedTest {

    @TempDir
    Path dataDir;

    @TempDir
    Path files;

    @Test
    void importsIntoTheDataDirectoryOfAStoppedServer() throws IOException {
        ServerConfig config = ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin("admin@example.com", "admin password for the test")
                .build();
        PocketProxyServer.start(config).close();
        Path csv = files.resolve("customers.csv");
        Files.write(csv, List.of("username,password,device", "embedded-user,embedded-secret,Spare phone"));

        CommandRun run = CommandRun.of(
                "import",
                "csv",
                csv.toString(),
                "--data-dir",
                dataDir.toString(),
                "--owner",
                "admin@example.com",
                "--progress-interval",
                "10ms");

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.OK);
        assertThat(run.out()).containsPattern("imported +1").containsPattern("with plaintext hashed +1");
        assertThat(run.err()).contains("hashing 1/1").contains("writing 1/1");
        try (PocketProxyServer server = PocketProxyServer.start(config)) {
            var admin = server.users().findByEmail("admin@example.com").orElseThrow();
            assertThat(server.connections().list(admin.id(), null))
                    .singleElement()
                    .satisfies(connection -> {
                        assertThat(connection.username()).isEqualTo("embedded-user");
                        assertThat(connection.deviceName()).isEqualTo("Spare phone");
                    });
        }
    }
}
