package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.MeasuredDownload;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TcpForwarder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pocketproxy server} as a real process: started, stopped, killed in mid-traffic, started again. */
class ServerProcessIT {

    private static final String ADMIN_EMAIL = "admin@example.com";
    private static final String ADMIN_PASSWORD = "admin-password-from-env";
    private static final Map<String, String> ADMIN =
            Map.of("POCKETPROXY_ADMIN_EMAIL", ADMIN_EMAIL, "POCKETPROXY_ADMIN_PASSWORD", ADMIN_PASSWORD);

    private static final Duration USAGE_FLUSH = Duration.ofSeconds(1);

    /** Far more than loopback moves before the kill: the download is always mid-way when the server dies. */
    private static final long DOWNLOAD = 1L << 40;

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

    /**
     * {@code kill -9} in the middle of a download, then a start on the same data directory: what was stored is
     * there (a device, the usage flushed), the PostgreSQL the dead server left running is taken over, and of the
     * usage only what the relay counted since its last flush is lost. Nothing is counted twice: a delta the
     * database committed is never sent again, because the next relay starts from the database's figure.
     */
    @Test
    void startsAgainAfterBeingKilledLosingOnlyTheUsageOfTheLastFlushInterval() throws Exception {
        String deviceId;
        String connectionId;
        MeasuredDownload download;
        long killedAt;
        try (LocalHttpTarget origin = LocalHttpTarget.start();
                TcpForwarder toOrigin = TcpForwarder.to(origin.port())) {
            try (PocketProxyProcess first = startServer(ADMIN, "--usage-flush", USAGE_FLUSH.toMillis() + "ms")) {
                ApiClient api = ApiClient.anonymous(first.awaitReady()).login(ADMIN_EMAIL, ADMIN_PASSWORD);
                JsonNode device = created(api.post("/api/devices", Map.of("name", "survivor")));
                deviceId = device.get("id").asText();
                JsonNode connection = created(api.post(
                        "/api/connections", Map.of("device_id", deviceId, "type", "SOCKS5", "bandwidth_limit", 0)));
                connectionId = connection.get("id").asText();

                try (Agent agent = startAgent(
                        device.get("pairing").asText(), first.relayPorts().link())) {
                    await().atMost(Duration.ofSeconds(30)).until(() -> agent.state() == Agent.State.LINKED);
                    ProxyClients.SocksResult tunnel = ProxyClients.socks5(
                            first.relayPorts().socks(),
                            connection.get("username").asText(),
                            connection.get("password").asText(),
                            "127.0.0.1",
                            toOrigin.port());
                    assertThat(tunnel.reply()).as("SOCKS5 reply").isZero();
                    download = MeasuredDownload.start(tunnel.socket(), DOWNLOAD);

                    // Mid-download, after a few flushes: some usage is stored, more is only counted in memory.
                    awaitFlushes(api, connectionId, 3);
                    killedAt = System.nanoTime();
                    first.kill();
                    download.awaitEnd(Duration.ofSeconds(30));
                }
            }
            // Its PostgreSQL outlived it: the next start must cope.
            assertThat(dataDir.resolve("postgres/postmaster.pid")).exists();

            try (PocketProxyProcess second = startServer(Map.of())) {
                ApiClient api = ApiClient.anonymous(second.awaitReady()).login(ADMIN_EMAIL, ADMIN_PASSWORD);
                assertThat(api.get("/api/devices/" + deviceId)
                                .json()
                                .get("name")
                                .asText())
                        .isEqualTo("survivor");
                assertThat(second.stderr()).contains("left running by a server that did not shut down");

                long stored = bandwidthUsed(api, connectionId);
                long moved = download.sent() + download.received();
                long lost = moved - stored;
                long lastInterval = download.received() - download.receivedBy(killedAt - USAGE_FLUSH.toNanos());
                long lastTwoIntervals = download.received() - download.receivedBy(killedAt - 2 * USAGE_FLUSH.toNanos());
                System.out.printf(
                        "usage on kill -9: moved %,d bytes, stored %,d, lost %,d = %d ms of traffic (flush interval"
                                + " %d ms; the last interval before the kill moved %,d bytes)%n",
                        moved,
                        stored,
                        lost,
                        lastInterval == 0 ? 0 : lost * USAGE_FLUSH.toMillis() / lastInterval,
                        USAGE_FLUSH.toMillis(),
                        lastInterval);

                // Never more than crossed the device's side: a delta written twice would show here at once.
                assertThat(stored).as("usage stored").isLessThanOrEqualTo(toOrigin.bytesForwarded());
                // One interval unflushed, plus the flush that may have been under way when the kill came.
                assertThat(lost).as("usage lost of %,d moved", moved).isLessThanOrEqualTo(lastTwoIntervals);
            }
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

    private PocketProxyProcess startServer(Map<String, String> environment, String... options) {
        List<String> arguments = new ArrayList<>(List.of("--data-dir", dataDir.toString()));
        arguments.addAll(List.of(options));
        return PocketProxyProcess.start(
                environment, PocketProxyProcess.onAnyPorts("server", arguments.toArray(String[]::new)));
    }

    /** An agent in this JVM, dialling the relay on loopback whatever host the pairing names. */
    private static Agent startAgent(String pairingText, int linkPort) {
        PairingString pairing = PairingString.parse(pairingText);
        PairingString local =
                new PairingString("127.0.0.1", linkPort, pairing.deviceToken(), pairing.relayFingerprint());
        return Agent.start(AgentConfig.fromPairing(local, true)
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500))));
    }

    /** Waits until the stored usage has grown {@code times} times: that many flushes wrote some. */
    private static void awaitFlushes(ApiClient api, String connectionId, int times) {
        AtomicLong last = new AtomicLong();
        AtomicInteger grown = new AtomicInteger();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    long now = bandwidthUsed(api, connectionId);
                    if (now > last.getAndSet(now)) {
                        grown.incrementAndGet();
                    }
                    return grown.get() >= times;
                });
    }

    private static JsonNode created(ApiClient.Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private static long bandwidthUsed(ApiClient api, String connectionId) {
        ApiClient.Response response = api.get("/api/connections/" + connectionId);
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json().get("bandwidth_used").asLong();
    }
}
