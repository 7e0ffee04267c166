package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.app.dataplane.RunningSystem;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TakesEffect;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code pocketproxy import legacy} from a database built with the earlier generation's schema, into a running
 * server on an external database: the import announces what the relays must know, and customers sign in through the
 * relay with the passwords they always had. The tests run in order, each on what the ones before left.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImportLegacyTest {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    @TempDir
    static Path files;

    static LegacyDatabaseFixture legacy;
    static UUID phoneA;
    static UUID phoneB;
    static IssuedPassword othersConnection;

    /** Every password of the source: none may reach our database, the report or the pairing file. */
    static final Map<String, String> PLAINTEXTS = Map.of(
            "plain", "plain-pass-1",
            "both", "both-pass-3",
            "mismatch", "stale-plain-4",
            "garbage", "garbage-pass-8",
            "vpn", "vpn-pass-9",
            "taken", "taken-pass-10");

    @BeforeAll
    static void legacyDatabase() {
        User other = system.server().users().create("other@example.com", "other password", "Other", Role.OPERATOR);
        NewDevice othersDevice = system.server().devices().create(other.id(), "other phone");
        othersConnection = system.server()
                .connections()
                .create(other.id(), othersDevice.device().id(), ConnectionType.HTTP, 0L);

        legacy = LegacyDatabaseFixture.create();
        legacy.execute("ALTER TABLE proxy_connections ALTER COLUMN type DROP NOT NULL");
        phoneA = legacy.device("Pixel A");
        phoneB = legacy.device("Pixel B");
        legacy.connection(phoneA, "plain", "plain-pass-1", null, "http", 1L << 30, 1000);
        legacy.connection(phoneA, "hashonly", "", LegacyDatabaseFixture.goHash("hash-pass-2"), "SOCKS5", 0, 0);
        legacy.connection(phoneA, "both", "both-pass-3", LegacyDatabaseFixture.goHash("both-pass-3"), "socks5", 0, 0);
        legacy.connection(
                phoneA, "mismatch", "stale-plain-4", LegacyDatabaseFixture.goHash("right-pass-4"), "Http", 0, 0);
        legacy.connection(phoneA, "nopass", "", null, "http", 0, 0);
        legacy.connection(phoneB, "badtype", "x-pass-6", null, "ftp", 0, 0);
        legacy.connection(phoneB, "neglimit", "x-pass-7", null, "http", -5, 0);
        legacy.connection(phoneB, "garbage", "garbage-pass-8", "not-a-bcrypt-hash", null, 0, 0);
        legacy.connection(phoneB, "vpn", "vpn-pass-9", null, "OpenVPN", 0, 0);
        legacy.connection(phoneB, othersConnection.connection().username(), "taken-pass-10", null, "http", 0, 0);
    }

    @Test
    @Order(1)
    void aDryRunReportsAndChangesNothing() throws IOException {
        List<String> oursBefore = ourTables();
        List<String> sourceBefore = sourceTable();

        CommandRun run = importLegacy("--dry-run", "--scrub-source");

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out()).contains("dry run: nothing was changed").containsPattern("would be imported +7");
        assertThat(ourTables()).isEqualTo(oursBefore);
        assertThat(sourceTable()).isEqualTo(sourceBefore);
        assertThat(files.resolve("pairings")).doesNotExist();
    }

    @Test
    @Order(2)
    void importsEveryUsableRowAndReportsTheRest() throws IOException {
        CommandRun run = importLegacy();

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out())
                .containsPattern("imported +7")
                .containsPattern("with their hash kept +3") // hashonly, both, mismatch
                .containsPattern("with plaintext hashed +3") // plain, garbage, vpn
                .containsPattern("needing a new password +1")
                .containsPattern("errors +3")
                .containsPattern("devices created +2")
                .contains("id 6: type: 'ftp' (expected: http, socks5 or openvpn)")
                .contains("id 7: bandwidth_limit: -5 is negative")
                .contains("id 10: " + othersConnection.connection().username() + ": the username belongs to another")
                .contains("id 4: mismatch: password_plain does not match password_hash")
                .contains("id 5: nopass: no password");
        assertThat(ours(
                        "SELECT username, type, active, bandwidth_limit, bandwidth_used, d.name, d.legacy_id, d.status"
                                + " FROM proxy_connections c JOIN devices d ON d.id = c.device_id"
                                + " WHERE c.owner_id = ? ORDER BY username",
                        system.operator().id()))
                .containsExactly(
                        "both|SOCKS5|t|0|0|Pixel A|" + phoneA + "|pending",
                        "garbage|SOCKS5|t|0|0|Pixel B|" + phoneB + "|pending",
                        "hashonly|SOCKS5|t|0|0|Pixel A|" + phoneA + "|pending",
                        "mismatch|HTTP|t|0|0|Pixel A|" + phoneA + "|pending",
                        "nopass|HTTP|f|0|0|Pixel A|" + phoneA + "|pending",
                        "plain|HTTP|t|1073741824|1000|Pixel A|" + phoneA + "|pending",
                        "vpn|OPENVPN|t|0|0|Pixel B|" + phoneB + "|pending");

        Path pairings = files.resolve("pairings");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pairings)))
                .isEqualTo("rw-------");
        assertThat(Files.readAllLines(pairings))
                .hasSize(2)
                .allMatch(line -> line.matches("Pixel [AB]\tpocketproxy://.+"));

        String everything = String.join("\n", ourTables()) + run.output() + Files.readString(pairings);
        PLAINTEXTS.values().forEach(plain -> assertThat(everything).doesNotContain(plain));
    }

    @Test
    @Order(3)
    void importedUsageIsAStartingBalanceNotTrafficOfTheImportHour() {
        String plain = ours("SELECT id FROM proxy_connections WHERE username = 'plain'")
                .get(0);
        ApiClient api = ApiClient.anonymous(system.apiUrl()).login("operator@example.com", "operator password");

        JsonNode connection = api.get("/api/connections/" + plain).json();
        JsonNode hourly =
                api.get("/api/connections/" + plain + "/usage?step=hour").json();

        assertThat(connection.get("bandwidth_used").asLong()).isEqualTo(1000);
        assertThat(hourly.get("points"))
                .isNotEmpty()
                .allSatisfy(point -> assertThat(point.get("bytes").asLong()).isZero());
    }

    @Test
    @Order(4)
    void customersSignInThroughTheRelayWithTheirOldPasswords() throws IOException {
        for (String line : Files.readAllLines(files.resolve("pairings"))) {
            RunningSystem.awaitLinked(system.startAgent(PairingString.parse(line.split("\t")[1]), true), 1);
        }

        assertThat(system.connectStatus("plain", "plain-pass-1")).isEqualTo(200);
        assertThat(system.connectStatus("mismatch", "right-pass-4")).isEqualTo(200); // the hash won
        assertThat(system.connectStatus("mismatch", "stale-plain-4")).isEqualTo(407);
        assertThat(system.connectStatus("nopass", "")).isEqualTo(407);
        for (String[] socks :
                new String[][] {{"hashonly", "hash-pass-2"}, {"both", "both-pass-3"}, {"garbage", "garbage-pass-8"}}) {
            ProxyClients.SocksResult result = ProxyClients.socks5(
                    system.socksPort(),
                    socks[0],
                    socks[1],
                    "127.0.0.1",
                    system.echo().port());
            result.socket().close();
            assertThat(result.reply()).as(socks[0]).isZero();
        }
        // No OpenVPN on this server: the OPENVPN connection's password is checked against its stored hash instead.
        String vpnHash = ours("SELECT password_hash FROM proxy_connections WHERE username = 'vpn'")
                .get(0);
        assertThat(BCrypt.verifyer().verify("vpn-pass-9".toCharArray(), vpnHash).verified)
                .isTrue();
        assertThat(vpnHash).startsWith("$2a$12$");
    }

    @Test
    @Order(5)
    void aReRunImportsNothingTwice() throws IOException {
        List<String> before = ourTables();

        CommandRun run = importLegacy();

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out())
                .containsPattern("imported +0")
                .containsPattern("skipped +7")
                .containsPattern("devices created +0")
                .contains("id 1: plain: already here");
        assertThat(ourTables()).isEqualTo(before);
        assertThat(Files.readAllLines(files.resolve("pairings"))).hasSize(2);
    }

    @Test
    @Order(6)
    void updateOverwritesOwnConnectionsAndNeverAnotherOperators() throws IOException {
        legacy.execute("UPDATE proxy_connections SET bandwidth_limit = 5000, password_plain = 'new-plain-1'"
                + " WHERE username = 'plain'");
        String othersBefore = ours(
                        "SELECT password_hash FROM proxy_connections WHERE username = ?",
                        othersConnection.connection().username())
                .get(0);

        CommandRun run = importLegacy("--update");
        long committedAt = System.nanoTime();

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out()).containsPattern("updated +7").contains("belongs to another operator");
        assertThat(ours("SELECT bandwidth_limit, bandwidth_used FROM proxy_connections WHERE username = 'plain'"))
                .containsExactly("5000|1000");
        // Announced as the API announces it: the relay drops the old password at once, not at its next refresh.
        TakesEffect.within(
                Duration.ofSeconds(1), committedAt, () -> system.connectStatus("plain", "plain-pass-1") == 407);
        assertThat(system.connectStatus("plain", "new-plain-1")).isEqualTo(200);
        assertThat(ours(
                        "SELECT password_hash FROM proxy_connections WHERE username = ?",
                        othersConnection.connection().username()))
                .containsExactly(othersBefore);
        // Their customer keeps their own password (their device is not linked, so not 200, but not refused either).
        assertThat(system.connectStatus(othersConnection.connection().username(), othersConnection.password()))
                .isNotEqualTo(407);
        assertThat(system.connectStatus(othersConnection.connection().username(), "taken-pass-10"))
                .isEqualTo(407);
    }

    @Test
    @Order(7)
    void scrubSourceClearsTheVerifiedPlaintextsOnly() throws IOException {
        CommandRun run = importLegacy("--scrub-source");

        assertThat(run.exit()).as(run.output()).isEqualTo(ImportRun.ROWS_FAILED);
        assertThat(run.out()).containsPattern("scrubbed in the source +4"); // plain, both, garbage, vpn
        List<String> source = legacy.rows("SELECT username, password_plain FROM proxy_connections"
                + " WHERE password_plain <> '' ORDER BY username");
        assertThat(source)
                .containsExactlyInAnyOrder(
                        "badtype|x-pass-6", // not imported
                        "neglimit|x-pass-7",
                        "mismatch|stale-plain-4", // did not verify
                        othersConnection.connection().username() + "|taken-pass-10");
        for (String[] scrubbed : new String[][] {
            {"plain", "new-plain-1"}, {"both", "both-pass-3"}, {"garbage", "garbage-pass-8"}, {"vpn", "vpn-pass-9"}
        }) {
            String hash = legacy.rows("SELECT password_hash FROM proxy_connections WHERE username = ?", scrubbed[0])
                    .get(0);
            assertThat(BCrypt.verifyer().verify(scrubbed[1].toCharArray(), hash).verified)
                    .as(scrubbed[0])
                    .isTrue();
        }
    }

    private static CommandRun importLegacy(String... extra) throws IOException {
        Path from = files.resolve("from");
        Files.writeString(from, legacy.url());
        List<String> args = new ArrayList<>(List.of(
                "import", "legacy",
                "--from-file", from.toString(),
                "--database-url", system.databaseUrl(),
                "--data-dir", system.dataDir().toString(),
                "--owner", system.operator().email(),
                "--public-host", "127.0.0.1",
                "--link-port", Integer.toString(system.linkPort()),
                "--pairing-out", files.resolve("pairings").toString()));
        args.addAll(List.of(extra));
        return CommandRun.of(args.toArray(String[]::new));
    }

    /** Our tables an import writes, whole, in a stable order. */
    private static List<String> ourTables() {
        List<String> rows = new ArrayList<>();
        rows.addAll(ours("SELECT * FROM proxy_connections ORDER BY username"));
        rows.addAll(ours("SELECT id, owner_id, name, token_digest, status, legacy_id FROM devices ORDER BY id"));
        rows.addAll(ours("SELECT * FROM usage_buckets ORDER BY connection_id"));
        return rows;
    }

    private static List<String> sourceTable() {
        return legacy.rows("SELECT * FROM proxy_connections ORDER BY id");
    }

    private static List<String> ours(String sql, Object... parameters) {
        return LegacyDatabaseFixture.rowsOf(system.databaseUrl(), sql, parameters);
    }
}
