package io.pocketproxy.app.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.app.PocketProxyProcess;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole product with OpenVPN on, as an operator runs it: the packaged {@code pocketproxy server --openvpn on}
 * and a {@code pocketproxy agent} in the lab's server namespace ({@link NetworkLab}), a destination HTTP server
 * on this JVM's end of the link (reachable from the device's namespace, and from the customer's only through
 * the VPN), and real {@code openvpn} clients and {@code curl} in the customer's namespace.
 *
 * <p>The device's resolver knows one name the rest of the lab does not: the agent's JVM reads its hosts from a
 * file of its own ({@code jdk.net.hosts.file}) that maps {@link #DEVICE_NAME} to the destination. The customer's
 * resolver is an address nobody serves ({@code 192.0.2.53}): only the relay's interception answers it.
 *
 * <p>Tests run one at a time, and the clients a test started stop when it ends.
 */
public final class OpenVpnLab implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {

    static final String DEVICE_NAME = "destination.device.test";
    public static final String ADMIN_EMAIL = "admin@example.com";
    public static final String ADMIN_PASSWORD = "an admin password for the lab";

    private NetworkLab network;
    private Path directory;
    private Path dataDir;
    private LocalHttpTarget destination;
    private PocketProxyProcess server;
    private PocketProxyProcess agent;
    private ApiClient api;
    private String apiUrl;
    private String pairing;
    private String deviceId;
    private final List<String> serverOptions;
    private final List<OpenVpnClient> clients = new ArrayList<>();
    private final List<PocketProxyProcess> finished = new ArrayList<>();

    /** A lab whose server runs with these options besides the lab's own (such as {@code --openvpn-proto tcp}). */
    public OpenVpnLab(String... serverOptions) {
        this.serverOptions = List.of(serverOptions);
    }

    /** A connection as its create (or regenerate) answer gave it: the only time its password and profile exist. */
    public record Connection(String id, String username, String password, String profile) {}

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        LabPrerequisites.requireOrSkip();
        network = NetworkLab.create();
        directory = Files.createTempDirectory("openvpn-lab");
        dataDir = directory.resolve("data");
        network.clientResolver("192.0.2.53");
        destination = LocalHttpTarget.start(InetAddress.getByName(network.hostAddress()));
        Files.writeString(
                directory.resolve("device-hosts"),
                network.hostAddress() + " " + DEVICE_NAME + "\n",
                StandardCharsets.US_ASCII);
        startServer();
        JsonNode device = expect(201, api.post("/api/devices", Map.of("name", "lab phone")));
        deviceId = device.get("id").asText();
        pairing = device.get("pairing").asText();
        startAgent();
    }

    /** Starts the server in the lab (its data directory survives restarts) and signs the API in. */
    void startServer() {
        List<String> arguments = new ArrayList<>(List.of(
                "server",
                "--data-dir",
                dataDir.toString(),
                "--bind",
                "0.0.0.0",
                "--public-host",
                NetworkLab.SERVER_CLIENT_SIDE,
                "--usage-flush",
                "200ms",
                "--heartbeat-interval",
                "1s",
                "--openvpn-network",
                network.poolNetwork()));
        arguments.addAll(serverOptions);
        server = PocketProxyProcess.start(
                NetworkLab.in(network.server()),
                List.of(),
                Map.of(
                        "POCKETPROXY_OPENVPN", "on",
                        "POCKETPROXY_ADMIN_EMAIL", ADMIN_EMAIL,
                        "POCKETPROXY_ADMIN_PASSWORD", ADMIN_PASSWORD),
                arguments.toArray(String[]::new));
        // It announces its API at the public host, the customers' side; this JVM reaches it on its own link.
        int port = java.net.URI.create(server.awaitReady()).getPort();
        apiUrl = "http://" + network.serverHostAddress() + ":" + port + "/";
        api = ApiClient.anonymous(apiUrl).login(ADMIN_EMAIL, ADMIN_PASSWORD);
    }

    /** The process id of the OpenVPN server the server started (in the lab's server namespace). */
    long openVpnServerPid() {
        String config = dataDir.resolve("openvpn").resolve("server.conf").toString();
        for (String pid :
                Shell.run("ip", "netns", "pids", network.server()).output().split("\\s+")) {
            if (!pid.isBlank()) {
                java.util.Optional<ProcessHandle> process = ProcessHandle.of(Long.parseLong(pid));
                if (process.isPresent()
                        && process.get().info().commandLine().orElse("").contains(config)) {
                    return process.get().pid();
                }
            }
        }
        throw new AssertionError("no OpenVPN server runs with " + config);
    }

    /**
     * Runs a second server in the lab's server namespace until it exits (with {@code --openvpn on} unless
     * {@code options} say otherwise); for servers that must refuse to start beside the first.
     */
    Shell.Result startSecondServer(String... options) {
        List<String> command = new ArrayList<>(NetworkLab.in(
                network.server(),
                ProcessHandle.current().info().command().orElse("java"),
                "-jar",
                PocketProxyProcess.jar().toAbsolutePath().toString()));
        command.addAll(secondServerArguments("second-data", "--openvpn", "on"));
        command.addAll(List.of(options));
        return Shell.run(command, Duration.ofSeconds(120));
    }

    /** Runs a second server in the lab's server namespace until the caller closes it. */
    PocketProxyProcess startSecondServerProcess(String... options) {
        List<String> arguments = secondServerArguments("third-data", options);
        return PocketProxyProcess.start(
                NetworkLab.in(network.server()), List.of(), Map.of(), arguments.toArray(String[]::new));
    }

    /** A data directory of its own and ports the system picks (but OpenVPN's, which {@code options} may set). */
    private List<String> secondServerArguments(String dataDirName, String... options) {
        List<String> arguments = new ArrayList<>(
                List.of("--data-dir", directory.resolve(dataDirName).toString()));
        arguments.addAll(List.of(options));
        return List.of(PocketProxyProcess.onAnyPorts("server", arguments.toArray(String[]::new)));
    }

    /**
     * Starts a {@code pocketproxy relay} of the server's farm in the server's namespace, as an operator adds an OpenVPN
     * node: the farm's link certificate and the server's OpenVPN keys copied into its data directory (not the CA's key:
     * a relay signs nothing), the server's embedded PostgreSQL reached by URL (given in the environment, never on a
     * command line), and OpenVPN on with {@code options} (its own port and pool: it shares the namespace with the
     * server's). Returns once it is ready, OpenVPN included.
     */
    PocketProxyProcess startRelayNode(String... options) throws IOException {
        Path relayData = directory.resolve("relay-data");
        Path keys = Files.createDirectories(relayData.resolve("openvpn"));
        for (String file : List.of("ca.crt", "server.crt", "server.key", "tls-crypt.key")) {
            Files.copy(dataDir.resolve("openvpn").resolve(file), keys.resolve(file));
        }
        for (String file : List.of(RelayCertificate.CERTIFICATE_FILE, RelayCertificate.KEY_FILE)) {
            Files.copy(dataDir.resolve(file), relayData.resolve(file));
        }
        List<String> arguments = new ArrayList<>(List.of(PocketProxyProcess.onAnyPorts(
                "relay",
                "--data-dir",
                relayData.toString(),
                "--bind",
                "0.0.0.0",
                "--public-host",
                NetworkLab.SERVER_CLIENT_SIDE,
                "--usage-flush",
                "200ms")));
        arguments.addAll(List.of(options));
        PocketProxyProcess relay = PocketProxyProcess.start(
                NetworkLab.in(network.server()),
                List.of(),
                Map.of("POCKETPROXY_OPENVPN", "on", "POCKETPROXY_DATABASE_URL", serverDatabaseUrl()),
                arguments.toArray(String[]::new));
        finished.add(relay);
        relay.awaitLog("relay is ready");
        return relay;
    }

    /** The server's embedded PostgreSQL as a relay beside it reaches it. */
    String serverDatabaseUrl() {
        return server.embeddedDatabaseUrl(dataDir);
    }

    /** SIGTERM: the server stops cleanly (flushes usage, stops OpenVPN, removes its rules). */
    void stopServer() {
        server.terminate();
        finished.add(server);
    }

    /** SIGKILL: no chance to clean up. */
    void killServer() {
        server.kill();
        finished.add(server);
    }

    void startAgent() {
        agent = PocketProxyProcess.start(
                NetworkLab.in(network.server()),
                List.of("-Djdk.net.hosts.file=" + directory.resolve("device-hosts")),
                Map.of(),
                "agent",
                "--pair",
                pairing,
                "--allow-private-targets");
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    if (!agent.isAlive()) {
                        throw new AssertionError("the agent exited:\n" + agent.stderr());
                    }
                    return agent.stderr().contains("linked to relay");
                });
    }

    void stopAgent() {
        agent.terminate();
        finished.add(agent);
    }

    /**
     * A new agent process, linked at once: after a server restart the running agent would come back too, but only
     * after its back-off (up to a minute), which is not what these tests are about.
     */
    void restartAgent() {
        stopAgent();
        startAgent();
    }

    /** A new connection through the lab's device; {@code limit} bytes, 0 for unlimited. */
    public Connection newConnection(long limit) {
        JsonNode created = expect(
                201,
                api.post(
                        "/api/connections",
                        Map.of("device_id", deviceId, "type", "OPENVPN", "bandwidth_limit", limit)));
        return new Connection(
                created.get("id").asText(),
                created.get("username").asText(),
                created.get("password").asText(),
                created.get("ovpn").asText());
    }

    /** Starts a client with {@code profile} and waits for its tunnel. */
    OpenVpnClient connect(String profile) {
        OpenVpnClient client = OpenVpnClient.connect(network, profile);
        clients.add(client);
        return client;
    }

    /**
     * Connects as soon as the relay lets {@code profile} in: a change the API made (a reset, a higher limit) reaches
     * the relay through PostgreSQL's notifications within moments, and a client refused meanwhile gives up, as a
     * customer's would; the customer then simply connects again.
     */
    OpenVpnClient connectOnceLetIn(String profile) {
        OpenVpnClient[] connected = new OpenVpnClient[1];
        await().atMost(Duration.ofSeconds(10))
                .ignoreExceptions()
                .pollInterval(Duration.ofMillis(200))
                .until(() -> {
                    connected[0] = connect(profile);
                    return true;
                });
        return connected[0];
    }

    /** What a customer with {@code profile} gets for the destination's {@code path}: the body, or curl's error. */
    public String fetchThroughTheVpn(String profile, String path) {
        connect(profile);
        return curl(Duration.ofSeconds(20), url(path)).output();
    }

    /** Starts a client with {@code profile} without waiting. */
    OpenVpnClient start(String profile) {
        OpenVpnClient client = OpenVpnClient.start(network, profile);
        clients.add(client);
        return client;
    }

    /** {@code curl} in the customer's namespace. */
    Shell.Result curl(Duration timeout, String... arguments) {
        List<String> command =
                new ArrayList<>(List.of("curl", "-sS", "--max-time", Long.toString(timeout.toSeconds())));
        command.addAll(List.of(arguments));
        return network.inClient(timeout.plusSeconds(5), command.toArray(String[]::new));
    }

    /** A URL of the destination, by its address. */
    String url(String path) {
        return destination.url(path);
    }

    /** A URL of the destination, by the name only the device's resolver knows. */
    String urlByDeviceName(String path) {
        return "http://" + DEVICE_NAME + ":" + destination.port() + path;
    }

    /** A file in the lab's directory, for what curl sends or receives. */
    Path file(String name) {
        return directory.resolve(name);
    }

    /** The connection's usage as the API reports it. */
    long usage(String connectionId) {
        return expect(200, api.get("/api/connections/" + connectionId))
                .get("bandwidth_used")
                .asLong();
    }

    public ApiClient api() {
        return api;
    }

    /** The dashboard and API as this JVM (and a browser it drives) reaches them. */
    public String apiUrl() {
        return apiUrl;
    }

    /** The VPN clients' addresses: the lab's own {@code --openvpn-network}. */
    String poolNetwork() {
        return network.poolNetwork();
    }

    NetworkLab network() {
        return network;
    }

    LocalHttpTarget destination() {
        return destination;
    }

    PocketProxyProcess server() {
        return server;
    }

    Path dataDir() {
        return dataDir;
    }

    /** The server namespace's netfilter tables, tun devices and policy-routing rules, as text. */
    String serverNetworking() {
        return network.inServer("nft", "list", "tables").output()
                + network.inServer("ip", "-o", "link", "show").output()
                + network.inServer("ip", "rule", "show").output();
    }

    static JsonNode expect(int status, ApiClient.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(status);
        return response.json();
    }

    /**
     * Every test's clients stop with it: they share the customer's namespace, where a second client's routes
     * would lose to the first's.
     */
    @Override
    public void afterEach(ExtensionContext context) {
        clients.forEach(OpenVpnClient::close);
        clients.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            clients.forEach(OpenVpnClient::close);
            if (agent != null) {
                agent.close();
            }
            if (server != null) {
                server.close();
            }
            finished.forEach(PocketProxyProcess::close);
            if (destination != null) {
                destination.close();
            }
        } finally {
            if (network != null) {
                network.close();
            }
            deleteRecursively(directory);
        }
    }

    private static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
