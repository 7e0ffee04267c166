package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.link.PairingString;
import io.pocketproxy.link.TokenDigest;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.importing.ImportStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy import csv} into the embedded database, a process of its own as a single-machine operator runs
 * it. On a terminal, Ctrl-C goes to the whole foreground process group, so the embedded PostgreSQL and any
 * {@code pg_ctl} the import runs get it too, not only the JVM: the import must still stop with what it committed, leave
 * the data directory usable, and a re-run must import the rest exactly once. A stop of either kind never leaves a
 * line in {@code --pairing-out} for a device that was not committed.
 */
class ImportEmbeddedProcessIT {

    /** A whole import of the test's rows, on a machine that may be busy with other work. */
    private static final Duration WHOLE_IMPORT = Duration.ofMinutes(3);

    private static final int ROWS = 4000;
    /** Rows per device: enough devices that any batch being written when the import stops creates some. */
    private static final int ROWS_PER_DEVICE = 10;

    /** A stopped server's data directory, made once: each test imports into a copy of its own. */
    @TempDir
    static Path stoppedServer;

    @TempDir
    Path dataDir;

    @TempDir
    Path files;

    private Path csv;
    private String[] args;

    @BeforeAll
    static void aServerStartedAndStoppedOnce() {
        PocketProxyServer.start(ServerConfig.builder(stoppedServer)
                        .ephemeralPorts()
                        .openvpn(OpenVpnMode.OFF)
                        .admin("owner@example.com", "owner password for the test")
                        .build())
                .close();
    }

    @BeforeEach
    void stoppedServerAndASpreadsheet() throws Exception {
        // What the server left, byte for byte (modes, owners and links too): a start per test would cost a new
        // PostgreSQL cluster each time.
        Process copy = new ProcessBuilder("cp", "-a", stoppedServer + "/.", dataDir.toString())
                .inheritIO()
                .start();
        assertThat(copy.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(copy.exitValue()).isZero();
        csv = files.resolve("customers.csv");
        String hash = LegacyDatabaseFixture.goHash("bulk password");
        List<String> lines = new ArrayList<>(List.of("username,password_hash,device"));
        for (int i = 0; i < ROWS; i++) {
            lines.add("embedded-" + i + "," + hash + ",Phone " + i / ROWS_PER_DEVICE);
        }
        Files.write(csv, lines);
        args = new String[] {
            "import",
            "csv",
            csv.toString(),
            "--owner",
            "owner@example.com",
            "--data-dir",
            dataDir.toString(),
            "--pairing-out",
            files.resolve("pairings").toString(),
            "--progress-interval",
            "50ms"
        };
    }

    @Test
    void ctrlCToTheWholeProcessGroupStopsCleanlyAndARerunImportsTheRestExactlyOnce() throws Exception {
        int committed;
        // setsid makes the JVM the leader of a process group of its own, as a shell makes a foreground job; the
        // PostgreSQL it starts is in that group unless it leaves it.
        try (PocketProxyProcess first = PocketProxyProcess.start(List.of("setsid"), List.of(), Map.of(), args)) {
            awaitWriting(first);
            signalGroup("-INT", first.pid());

            assertThat(first.awaitExit()).as(first.stderr()).isEqualTo(ImportRun.INTERRUPTED);
            assertThat(first.stdout()).contains("interrupted: what is listed was committed");
            committed = connections();
            assertThat(committed).isBetween(1, ROWS - 1);
            assertThat(first.stdout()).containsPattern("imported +" + committed + "\n");
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid"))
                .as("PostgreSQL was stopped with the import")
                .doesNotExist();

        try (PocketProxyProcess rerun = PocketProxyProcess.start(Map.of(), args)) {
            assertThat(rerun.awaitExit(WHOLE_IMPORT)).as(rerun.stderr()).isEqualTo(ImportRun.OK);
            assertThat(rerun.stdout())
                    .containsPattern("imported +" + (ROWS - committed) + "\n")
                    .containsPattern("skipped +" + committed + "\n");
        }
        assertThat(connections()).isEqualTo(ROWS);
        assertThat(devices()).isEqualTo(ROWS / ROWS_PER_DEVICE);
    }

    @Test
    void ctrlCWhileTheDataDirectoryIsFirstOpenedStopsPostgreSqlWithTheImport() throws Exception {
        try (PocketProxyProcess first = PocketProxyProcess.start(List.of("setsid"), List.of(), Map.of(), args)) {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(10))
                    .until(() -> first.stderr().contains("embedded PostgreSQL is up"));
            signalGroup("-INT", first.pid());

            assertThat(first.awaitExit()).as(first.stderr()).isEqualTo(ImportRun.INTERRUPTED);
            assertThat(first.stdout()).contains("interrupted: what is listed was committed");
        }
        assertThat(dataDir.resolve("postgres/postmaster.pid"))
                .as("PostgreSQL was stopped with the import")
                .doesNotExist();
    }

    @Test
    void aKilledImportLeavesPairingLinesOnlyForCommittedDevices() throws Exception {
        try (PocketProxyProcess first = PocketProxyProcess.start(Map.of(), args)) {
            awaitWriting(first);
            first.kill();
        }
        assertEveryPairingLineIsACommittedDeviceOnce();

        try (PocketProxyProcess rerun = PocketProxyProcess.start(Map.of(), args)) {
            assertThat(rerun.awaitExit(WHOLE_IMPORT)).as(rerun.stderr()).isEqualTo(ImportRun.OK);
        }
        assertThat(devices()).isEqualTo(ROWS / ROWS_PER_DEVICE);
        assertEveryPairingLineIsACommittedDeviceOnce();
        assertThat(Files.readAllLines(files.resolve("pairings"))).hasSize(ROWS / ROWS_PER_DEVICE);
    }

    /** Each line's token is a device's here (it pairs), and no device has two lines. */
    private void assertEveryPairingLineIsACommittedDeviceOnce() throws IOException {
        List<String> lines = Files.readAllLines(files.resolve("pairings"));
        Set<String> digests = Set.copyOf(query("SELECT encode(token_digest, 'hex') FROM devices"));
        List<String> lineDigests = lines.stream()
                .map(line -> HexFormat.of()
                        .formatHex(TokenDigest.of(PairingString.parse(line.substring(line.indexOf('\t') + 1))
                                .deviceToken())))
                .toList();
        assertThat(lineDigests).doesNotHaveDuplicates().allMatch(digests::contains);
    }

    private static void awaitWriting(PocketProxyProcess process) {
        await().atMost(Duration.ofSeconds(120))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    assertThat(process.isAlive()).as(process.stderr()).isTrue();
                    return ImportProcessIT.lastWritten(process.stderr()) > 0;
                });
    }

    private static void signalGroup(String signal, long groupLeader) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, "--", "-" + groupLeader)
                .inheritIO()
                .start();
        assertThat(kill.waitFor()).isZero();
    }

    private int connections() {
        return Integer.parseInt(query("SELECT count(*) FROM proxy_connections").get(0));
    }

    private int devices() {
        return Integer.parseInt(query("SELECT count(*) FROM devices").get(0));
    }

    /** Opens the data directory as the import does, which also shows it is usable. */
    private List<String> query(String sql) {
        try (ImportStorage storage =
                ImportStorage.open(ServerConfig.builder(dataDir).build())) {
            return storage.jdbi()
                    .withHandle(handle ->
                            handle.createQuery(sql).mapTo(String.class).list());
        }
    }
}
