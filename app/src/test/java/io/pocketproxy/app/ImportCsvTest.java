package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocketproxy import csv}: customers from a spreadsheet, good lines imported and bad ones reported. */
class ImportCsvTest {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    @TempDir
    Path files;

    @Test
    void importsTheGoodLinesAndReportsEachBadOneWithItsLine() throws IOException {
        Path csv = csv(
                "username,password,password_hash,type,bandwidth_limit,bandwidth_used,device",
                "csv-http,http-secret-1,,http,1 GB,512 MB,test phone",
                "csv-socks,," + LegacyDatabaseFixture.goHash("socks-secret-2") + ",SOCKS5,1.5GiB,0,test phone",
                "csv-type,type-secret,,ftp,,,test phone",
                "csv-negative,negative-secret,,http,-1 MB,,test phone",
                "csv-short,short-secret,http",
                "csv-new,new-secret-3,,http,,,\"CSV phone, spare\"",
                "csv-unclosed,\"unclosed-secret,,http,,,test phone");

        CommandRun run = importCsv(csv);

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out())
                .containsPattern("imported +3")
                .containsPattern("errors +4")
                .containsPattern("devices created +1")
                .contains("line 4: type: 'ftp' (expected: http, socks5 or openvpn)")
                .contains("line 5: bandwidth_limit: -1 MB is negative")
                .contains("line 6: 3 fields (expected: 7, as in the header)")
                .contains("line 8: a quote is not closed")
                .containsPattern("CSV phone, spare\tpocketproxy://ppd_\\S+@127\\.0\\.0\\.1:" + system.linkPort());
        assertThat(LegacyDatabaseFixture.rowsOf(
                        system.databaseUrl(),
                        "SELECT username, type, bandwidth_limit, bandwidth_used, d.name, d.status"
                                + " FROM proxy_connections c JOIN devices d ON d.id = c.device_id"
                                + " WHERE username LIKE 'csv-%' ORDER BY username"))
                .containsExactly(
                        "csv-http|HTTP|1073741824|536870912|test phone|online",
                        "csv-new|HTTP|0|0|CSV phone, spare|pending",
                        "csv-socks|SOCKS5|1610612736|0|test phone|online");
        for (String secret : List.of(
                "http-secret-1",
                "socks-secret-2",
                "type-secret",
                "negative-secret",
                "short-secret",
                "new-secret-3",
                "unclosed-secret")) {
            assertThat(run.output()).doesNotContain(secret);
        }

        // The customers sign in through the relay with the passwords the spreadsheet had.
        assertThat(system.connectStatus("csv-http", "http-secret-1")).isEqualTo(200);
        ProxyClients.SocksResult socks = ProxyClients.socks5(
                system.socksPort(),
                "csv-socks",
                "socks-secret-2",
                "127.0.0.1",
                system.echo().port());
        socks.socket().close();
        assertThat(socks.reply()).isZero();
    }

    @Test
    void strictImportsNothingFromABadFile() throws IOException {
        Path csv =
                csv("username,password,device", "strict-good,good-secret,test phone", "strict-bad,,test phone,extra");

        CommandRun run = importCsv(csv, "--strict");

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out()).contains("--strict: the source has bad rows, so nothing was imported");
        assertThat(LegacyDatabaseFixture.rowsOf(
                        system.databaseUrl(), "SELECT username FROM proxy_connections WHERE username LIKE 'strict-%'"))
                .isEmpty();
    }

    @Test
    void aDataDirectoryHeldByARunningServerIsRefusedWithAMessage() throws IOException {
        Path csv = csv("username,password,device", "held-user,held-secret,test phone");

        // Without --database-url the import wants the embedded database, whose directory the server holds.
        CommandRun run = CommandRun.of(
                "import",
                "csv",
                csv.toString(),
                "--data-dir",
                system.dataDir().toString(),
                "--owner",
                system.operator().email());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err())
                .contains("is in use by another PocketProxy server")
                .contains("stop that server first");
    }

    private Path csv(String... lines) throws IOException {
        Path file = files.resolve("customers-" + System.nanoTime() + ".csv");
        Files.write(file, List.of(lines));
        return file;
    }

    private static CommandRun importCsv(Path csv, String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "import",
                "csv",
                csv.toString(),
                "--database-url",
                system.databaseUrl(),
                "--data-dir",
                system.dataDir().toString(),
                "--owner",
                system.operator().email(),
                "--public-host",
                "127.0.0.1",
                "--link-port",
                Integer.toString(system.linkPort())));
        args.addAll(List.of(extra));
        return CommandRun.of(args.toArray(String[]::new));
    }
}
