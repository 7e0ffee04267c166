package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.app.PocketProxyProcess;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TcpEchoServer;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A farm as an operator runs it, every part a real process on loopback: {@code pocketproxy server} with its embedded
 * PostgreSQL, two {@code pocketproxy relay} processes reaching that PostgreSQL by URL (with the server's certificate
 * copied, as the README says), and a {@code pocketproxy agent} process on each relay. Customers enter at each of the
 * three relays and reach each device byte-exact; a limit holds exactly with customers on all of them at once; and a
 * relay killed with SIGKILL loses its device to the next relay of its pairing string, where customers are served
 * again. The last test kills a relay: the order is fixed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FarmProcessesIT {

    private static final String ADMIN_EMAIL = "admin@example.com";
    private static final String ADMIN_PASSWORD = "the farm's admin password";

    @TempDir
    static Path directory;

    private static final List<PocketProxyProcess> processes = new ArrayList<>();
    private static TcpEchoServer echo;
    private static PocketProxyProcess.RelayPorts serversRelay;
    private static PocketProxyProcess relayA;
    private static PocketProxyProcess.RelayPorts portsA;
    private static PocketProxyProcess.RelayPorts portsB;
    private static ApiClient api;
    private static Customer onA;
    private static Customer onB;

    /** A SOCKS5 connection of a device, as the API created it. */
    private record Customer(String id, String username, String password) {}

    @BeforeAll
    static void startTheFarm() throws IOException {
        echo = TcpEchoServer.start();
        Path serverData = directory.resolve("server");
        PocketProxyProcess server = start(
                Map.of("POCKETPROXY_ADMIN_EMAIL", ADMIN_EMAIL, "POCKETPROXY_ADMIN_PASSWORD", ADMIN_PASSWORD),
                PocketProxyProcess.onAnyPorts("server", "--data-dir", serverData.toString(), "--usage-flush", "200ms"));
        int apiPort = URI.create(server.awaitReady()).getPort();
        serversRelay = server.relayPorts();
        api = ApiClient.anonymous("http://127.0.0.1:" + apiPort + "/").login(ADMIN_EMAIL, ADMIN_PASSWORD);
        String database = server.embeddedDatabaseUrl(serverData);
        relayA = startRelay(serverData, database, "relay-a");
        portsA = relayA.awaitRelayUp();
        PocketProxyProcess relayB = startRelay(serverData, database, "relay-b");
        portsB = relayB.awaitRelayUp();

        // The device on relay A falls back to the server's relay; the one on relay B has only B.
        onA = deviceWithConnection("phone on A", portsA.link(), serversRelay.link());
        onB = deviceWithConnection("phone on B", portsB.link());
    }

    @AfterAll
    static void stopTheFarm() {
        // Agents first, then relays, then the server: each stops cleanly while what it needs still runs.
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    @Order(1)
    void customersAtEachRelayReachEachDeviceByteExact() throws Exception {
        for (Customer customer : List.of(onA, onB)) {
            for (int socksPort : List.of(serversRelay.socks(), portsA.socks(), portsB.socks())) {
                // A relay learns of a new connection from the database's notification: moments after the API's answer.
                await().atMost(Duration.ofSeconds(10))
                        .ignoreExceptions()
                        .untilAsserted(() -> ProxyPathsTest.assertEchoes(tunnel(socksPort, customer), 100_000));
            }
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(usage(customer)).isGreaterThanOrEqualTo(3 * 2 * 100_000L));
        }
    }

    @Test
    @Order(2)
    void aLimitIsExactWithCustomersOnEveryRelayAtOnce() throws Exception {
        long limit = 300_000;
        Customer limited = newConnection(deviceOf(onB), limit);
        long echoedBefore = echo.echoed();
        List<Integer> relays = List.of(serversRelay.socks(), portsA.socks(), portsB.socks());
        // Each relay knows the new connection and serves it: a refusal below is the limit, not the path.
        for (int socksPort : relays) {
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .untilAsserted(() -> ProxyPathsTest.assertEchoes(tunnel(socksPort, limited), 1_000));
        }
        AtomicLong received = new AtomicLong(relays.size() * 1_000L);

        List<Thread> customers = new ArrayList<>();
        for (int socksPort : relays) {
            for (int i = 0; i < 2; i++) {
                customers.add(Thread.ofVirtual().start(() -> {
                    try (Socket tunnel = tunnel(socksPort, limited)) {
                        ProxyClients.exchangeUntilCut(tunnel, 150_000, received);
                    } catch (IOException | AssertionError | InterruptedException e) {
                        // refused or cut off: expected once the limit is reached
                    }
                }));
            }
        }
        for (Thread customer : customers) {
            customer.join(30_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(usage(limited)).isEqualTo(limit));
        long reachedTheOrigin = echo.echoed() - echoedBefore;
        // 1.8 MB wanted through three relays, up to the origin and back down: never more than the limit.
        assertThat(reachedTheOrigin + received.get()).isLessThanOrEqualTo(limit);
    }

    @Test
    @Order(3)
    void aKilledRelaysDeviceMovesOnAndItsCustomersAreServedAgain() throws Exception {
        ProxyPathsTest.assertEchoes(tunnel(portsB.socks(), onA), 10_000);

        relayA.kill();

        // The agent tries the server's relay after its backoff; that relay waits out the hand-over the dead relay
        // never announces (3 s), then serves. Customers at relay B are forwarded there.
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .ignoreExceptions()
                .untilAsserted(() -> ProxyPathsTest.assertEchoes(tunnel(portsB.socks(), onA), 50_000));
        ProxyPathsTest.assertEchoes(tunnel(serversRelay.socks(), onA), 50_000);
        ProxyPathsTest.assertEchoes(tunnel(portsB.socks(), onB), 50_000);
    }

    private static PocketProxyProcess startRelay(Path serverData, String database, String name) throws IOException {
        Path data = Files.createDirectories(directory.resolve(name));
        for (String file : List.of(RelayCertificate.CERTIFICATE_FILE, RelayCertificate.KEY_FILE)) {
            Files.copy(serverData.resolve(file), data.resolve(file));
        }
        return start(
                Map.of("POCKETPROXY_DATABASE_URL", database),
                PocketProxyProcess.onAnyPorts("relay", "--data-dir", data.toString(), "--usage-flush", "200ms"));
    }

    /** A device whose agent process links to the first of {@code linkPorts} (then the next, when that one dies). */
    private static Customer deviceWithConnection(String name, int... linkPorts) {
        JsonNode device = expect(201, api.post("/api/devices", Map.of("name", name)));
        PairingString given = PairingString.parse(device.get("pairing").asText());
        List<HostAndPort> relays = new ArrayList<>();
        for (int port : linkPorts) {
            relays.add(new HostAndPort("127.0.0.1", port));
        }
        PairingString pairing = new PairingString(relays, given.deviceToken(), given.relayFingerprint());
        PocketProxyProcess agent =
                start(Map.of("POCKETPROXY_PAIR", pairing.toString()), "agent", "--allow-private-targets");
        String id = device.get("id").asText();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!agent.isAlive()) {
                        throw new AssertionError("the agent exited:\n" + agent.stderr());
                    }
                    return expect(200, api.get("/api/devices/" + id))
                            .get("status")
                            .asText()
                            .equals("online");
                });
        return newConnection(id, 0);
    }

    private static Customer newConnection(String deviceId, long limit) {
        JsonNode created = expect(
                201,
                api.post(
                        "/api/connections", Map.of("device_id", deviceId, "type", "SOCKS5", "bandwidth_limit", limit)));
        return new Customer(
                created.get("id").asText(),
                created.get("username").asText(),
                created.get("password").asText());
    }

    private static String deviceOf(Customer customer) {
        return expect(200, api.get("/api/connections/" + customer.id()))
                .get("device_id")
                .asText();
    }

    private static long usage(Customer customer) {
        return expect(200, api.get("/api/connections/" + customer.id()))
                .get("bandwidth_used")
                .asLong();
    }

    /** A SOCKS5 tunnel to the echo target through the relay at {@code socksPort}; fails unless it opens. */
    private static Socket tunnel(int socksPort, Customer customer) throws IOException {
        ProxyClients.SocksResult result =
                ProxyClients.socks5(socksPort, customer.username(), customer.password(), "127.0.0.1", echo.port());
        if (result.reply() != 0) {
            throw new AssertionError("SOCKS5 CONNECT through port " + socksPort + " answered " + result.reply());
        }
        return result.socket();
    }

    private static PocketProxyProcess start(Map<String, String> environment, String... arguments) {
        PocketProxyProcess process = PocketProxyProcess.start(List.of(), List.of(), environment, arguments);
        processes.add(process);
        return process;
    }

    private static JsonNode expect(int status, ApiClient.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }
}
