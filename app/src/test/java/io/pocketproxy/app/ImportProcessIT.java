package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy import legacy} as an operator runs it, a process of its own: Ctrl-C (SIGINT) in the middle of
 * writing stops it cleanly with what it committed, a re-run imports the rest, and every row ends up imported exactly
 * once. Neither the process's arguments nor anything it prints holds a password, the source's included.
 */
class ImportProcessIT {

    /** A whole import of the test's rows, on a machine that may be busy with other work. */
    private static final Duration WHOLE_IMPORT = Duration.ofMinutes(3);

    private static final int HASHED_ROWS = 5000;
    private static final List<String> PLAINTEXTS =
            List.of("proc-plain-1", "proc-plain-2", "proc-plain-3", "proc-plain-4", "proc-plain-5", "proc-plain-6");
    private static final String SOURCE_PASSWORD = "source-db-secret";
    private static final Pattern WRITING = Pattern.compile("writing (\\d+)/");

    @TempDir
    Path dataDir;

    @TempDir
    Path files;

    @Test
    void ctrlCMidImportThenARerunImportsEveryRowExactlyOnce() throws Exception {
        String ours = io.pocketproxy.testkit.TestPostgres.shared().newDatabaseUrl();
        PocketProxyServer.migrateOnly(
                ServerConfig.builder(dataDir).databaseUrl(ours).build());
        LegacyDatabaseFixture.rowsOf(
                ours,
                "INSERT INTO users (email, password_hash, name, role, webhook_secret)"
                        + " VALUES ('owner@example.com', '" + LegacyDatabaseFixture.goHash("owner password")
                        + "', 'Owner', 'operator', 'whsec_test') RETURNING id");
        LegacyDatabaseFixture legacy = LegacyDatabaseFixture.create();
        UUID phone = legacy.device("Old phone");
        for (int i = 0; i < PLAINTEXTS.size(); i++) {
            legacy.connection(phone, "proc-plain-user-" + i, PLAINTEXTS.get(i), null, "http", 0, 0);
        }
        legacy.execute(
                "INSERT INTO proxy_connections (device_id, username, password_hash, type)"
                        + " SELECT ?, 'proc-bulk-' || g, ?, 'socks5' FROM generate_series(1, " + HASHED_ROWS + ") g",
                phone,
                LegacyDatabaseFixture.goHash("bulk password"));
        int total = HASHED_ROWS + PLAINTEXTS.size();
        // The source's password comes from the environment, as it should: never on the command line.
        Map<String, String> environment = Map.of(
                "POCKETPROXY_FROM", legacy.url() + "&password=" + SOURCE_PASSWORD, "POCKETPROXY_DATABASE_URL", ours);
        String[] args = {
            "import",
            "legacy",
            "--owner",
            "owner@example.com",
            "--data-dir",
            dataDir.toString(),
            "--pairing-out",
            files.resolve("pairings").toString(),
            "--progress-interval",
            "50ms"
        };
        List<String> seen = new ArrayList<>();

        int committedBeforeCtrlC;
        try (PocketProxyProcess first = PocketProxyProcess.start(environment, args)) {
            await().atMost(Duration.ofSeconds(120))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> {
                        assertThat(first.isAlive()).as(first.stderr()).isTrue();
                        return lastWritten(first.stderr()) > 0;
                    });
            seen.add(commandLineOf(first.pid()));
            new ProcessBuilder("kill", "-INT", Long.toString(first.pid()))
                    .start()
                    .waitFor();

            assertThat(first.awaitExit()).as(first.stderr()).isEqualTo(ImportRun.INTERRUPTED);
            assertThat(first.stdout()).contains("interrupted: what is listed was committed");
            seen.add(first.stdout() + first.stderr());
            committedBeforeCtrlC = count(ours, "SELECT count(*) FROM proxy_connections");
            assertThat(committedBeforeCtrlC).isBetween(1, total - 1);
        }

        try (PocketProxyProcess rerun = PocketProxyProcess.start(environment, args)) {
            seen.add(commandLineOf(rerun.pid()));
            assertThat(rerun.awaitExit(WHOLE_IMPORT)).as(rerun.stderr()).isEqualTo(ImportRun.OK);
            assertThat(rerun.stdout())
                    .containsPattern("imported +" + (total - committedBeforeCtrlC) + "\n")
                    .containsPattern("skipped +" + committedBeforeCtrlC + "\n");
            // What the first run committed is not hashed again, only skipped.
            assertThat(rerun.stderr()).contains("(" + committedBeforeCtrlC + " already here, not hashed again)");
            seen.add(rerun.stdout() + rerun.stderr());
        }

        assertThat(count(ours, "SELECT count(DISTINCT username) FROM proxy_connections"))
                .isEqualTo(total);
        assertThat(count(ours, "SELECT count(*) FROM proxy_connections")).isEqualTo(total);
        assertThat(count(ours, "SELECT count(*) FROM devices")).isOne();
        assertThat(Files.readAllLines(files.resolve("pairings"))).hasSize(1);
        String everything = String.join("\n", seen)
                + String.join("\n", LegacyDatabaseFixture.rowsOf(ours, "SELECT * FROM proxy_connections"));
        assertThat(everything).doesNotContain(SOURCE_PASSWORD);
        PLAINTEXTS.forEach(plain -> assertThat(everything).doesNotContain(plain));
    }

    /** The highest count a "writing N/M" progress line has shown so far. */
    static int lastWritten(String stderr) {
        int last = 0;
        Matcher matcher = WRITING.matcher(stderr);
        while (matcher.find()) {
            last = Math.max(last, Integer.parseInt(matcher.group(1)));
        }
        return last;
    }

    /** What {@code ps} shows every local user: the process's whole command line. */
    private static String commandLineOf(long pid) throws IOException {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline")), StandardCharsets.UTF_8)
                .replace('\0', ' ');
    }

    private static int count(String url, String sql) {
        return Integer.parseInt(LegacyDatabaseFixture.rowsOf(url, sql).get(0));
    }
}
