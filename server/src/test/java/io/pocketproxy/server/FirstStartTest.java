package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.openvpn.OpenVpnMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a server's first start on a data directory that does not exist yet leaves there, with the server running: the
 * embedded database locked down, and everything for the server's own user alone. One server for the class, since each
 * start on a new directory costs a new PostgreSQL cluster; none of these tests changes it.
 */
class FirstStartTest {

    private static Path parent;
    private static Path dataDir;
    private static PocketProxyServer server;

    @BeforeAll
    static void startOnADirectoryThatDoesNotExistYet() throws IOException {
        parent = Files.createTempDirectory("pocketproxy-first-start");
        dataDir = parent.resolve("data"); // the server makes it
        server = PocketProxyServer.start(ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .admin("admin@example.com", "first-admin-password")
                .build());
    }

    @AfterAll
    static void stopAndRemoveIt() {
        if (server != null) {
            server.close();
        }
        RunningServer.deleteRecursively(parent);
    }

    @Test
    void locksDownTheEmbeddedDatabase() throws IOException {
        String fsync = server.database()
                .jdbi()
                .withHandle(handle ->
                        handle.createQuery("SHOW fsync").mapTo(String.class).one());
        String listen = server.database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("SHOW listen_addresses")
                        .mapTo(String.class)
                        .one());
        assertThat(fsync).isEqualTo("on");
        assertThat(listen).doesNotContain("*").contains("127.0.0.1");
        assertThat(Files.readString(dataDir.resolve("postgres/pg_hba.conf"))).doesNotContain("trust");
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("postgres.password")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("relay-key.pem")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void createsItsDataDirectoryAndThePostgresLogForItsOwnUserAlone() throws IOException {
        assertThat(Files.getPosixFilePermissions(dataDir))
                .containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);
        assertThat(Files.getPosixFilePermissions(dataDir.resolve("postgres.log")))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void runsPostgreSQLFromBinariesInADirectoryOnlyItsUserCanWrite() throws IOException {
        Path binaries = dataDir.resolve("postgres-binaries");
        assertThat(Files.getPosixFilePermissions(binaries))
                .containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);
        Path realBinaries = binaries.toRealPath();
        long postmaster = Long.parseLong(Files.readAllLines(dataDir.resolve("postgres/postmaster.pid"))
                .get(0)
                .strip());
        assertThat(ProcessHandle.of(postmaster)
                        .flatMap(process -> process.info().command()))
                .hasValueSatisfying(command -> assertThat(Path.of(command)).startsWith(realBinaries));
    }
}
