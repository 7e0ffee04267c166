package io.pocketproxy.app.dataplane;

import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.connections.ProxyConnection;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.OwnPostgres;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TcpEchoServer;
import io.pocketproxy.testkit.TestPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The whole data path on loopback: a real server (with its relay) on a fresh database, a real agent
 * linked to it in the same JVM, an HTTP target and a TCP echo target. Timings are short (usage flushed
 * every 100 ms, heartbeats every 500 ms) so tests wait milliseconds, not minutes.
 */
public final class RunningSystem implements BeforeAllCallback, AfterAllCallback {

    private final Consumer<ServerConfig.Builder> customizer;
    private final Clock clock;
    private final boolean ownPostgres;
    private OwnPostgres postgres;
    private final List<Agent> agents = new ArrayList<>();
    private String databaseUrl;
    private Path dataDir;
    private PocketProxyServer server;
    private int linkPort;
    private User operator;
    private NewDevice device;
    private Agent agent;
    private LocalHttpTarget http;
    private TcpEchoServer echo;

    public RunningSystem() {
        this(config -> {});
    }

    public RunningSystem(Consumer<ServerConfig.Builder> customizer) {
        this(customizer, Clock.systemUTC());
    }

    /** With {@code clock} for the server's time-based behaviour (throttles, sessions, the device monitor). */
    public RunningSystem(Consumer<ServerConfig.Builder> customizer, Clock clock) {
        this(customizer, clock, false);
    }

    private RunningSystem(Consumer<ServerConfig.Builder> customizer, Clock clock, boolean ownPostgres) {
        this.customizer = customizer;
        this.clock = clock;
        this.ownPostgres = ownPostgres;
    }

    /** On a PostgreSQL of the test's own ({@link #postgres()}), which the test may stop, hang or kill. */
    public static RunningSystem onOwnPostgres(Consumer<ServerConfig.Builder> customizer) {
        return new RunningSystem(customizer, Clock.systemUTC(), true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        if (ownPostgres) {
            postgres = OwnPostgres.start();
            databaseUrl = postgres.databaseUrl();
        } else {
            databaseUrl = TestPostgres.shared().newDatabaseUrl();
        }
        dataDir = Files.createTempDirectory("pocketproxy-system");
        http = LocalHttpTarget.start();
        echo = TcpEchoServer.start();
        server = PocketProxyServer.start(config(0), clock);
        linkPort = server.relay().linkPort();
        operator = server.users().create("operator@example.com", "operator password", "Operator", Role.OPERATOR);
        device = server.devices().create(operator.id(), "test phone");
        agent = startAgent(device, true);
        awaitLinked(agent, 1);
    }

    private ServerConfig config(int link) {
        ServerConfig.Builder builder = ServerConfig.builder(dataDir)
                .databaseUrl(databaseUrl)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .linkPort(link)
                .usageFlush(Duration.ofMillis(100))
                .heartbeatInterval(Duration.ofMillis(500));
        customizer.accept(builder);
        return builder.build();
    }

    /** Starts an agent for {@code device}; private targets (our loopback fixtures) allowed or not. */
    public Agent startAgent(NewDevice forDevice, boolean allowPrivateTargets) {
        return startAgent(forDevice.pairing(), allowPrivateTargets);
    }

    /** Starts an agent with a pairing string handed out some other way, such as by {@code pocketproxy import}. */
    public Agent startAgent(PairingString pairing, boolean allowPrivateTargets) {
        return startAgent(pairing, allowPrivateTargets, config -> config, HealthSource.unknown());
    }

    /** Starts an agent whose configuration {@code adjust} changes, reporting {@code health}. */
    public Agent startAgent(
            PairingString pairing,
            boolean allowPrivateTargets,
            UnaryOperator<AgentConfig> adjust,
            HealthSource health) {
        AgentConfig config = adjust.apply(AgentConfig.fromPairing(pairing, allowPrivateTargets)
                .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500))));
        Agent started = Agent.start(config, health);
        agents.add(started);
        return started;
    }

    /**
     * A new device of the operator's, with an agent whose configuration {@code adjust} changes, reporting {@code
     * health}; returns once the relay holds its link.
     */
    public Linked linkedDevice(String name, UnaryOperator<AgentConfig> adjust, HealthSource health) {
        NewDevice created = server.devices().create(operator.id(), name);
        Agent started = startAgent(created.pairing(), true, adjust, health);
        awaitLinked(started, 1);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> server.relay().links().find(created.device().id()).isPresent());
        return new Linked(created, started);
    }

    /** A device and its running agent. */
    public record Linked(NewDevice device, Agent agent) {
        public UUID id() {
            return device.device().id();
        }
    }

    /** An API client signed in as the system's operator. */
    public ApiClient operatorApi() {
        return ApiClient.anonymous(apiUrl()).login("operator@example.com", "operator password");
    }

    public static void awaitLinked(Agent agent, int links) {
        await().atMost(Duration.ofSeconds(20))
                .until(() -> agent.state() == Agent.State.LINKED && agent.linksEstablished() >= links);
    }

    /** Stops the server and starts it again on the same database, data directory and link port. */
    public void restartServer() {
        server.close();
        server = PocketProxyServer.start(config(linkPort), clock);
    }

    public IssuedPassword newConnection(ConnectionType type, long limit) {
        return server.connections().create(operator.id(), device.device().id(), type, limit);
    }

    public ProxyConnection connection(UUID id) {
        return server.connections().get(operator.id(), id);
    }

    /** The connection's usage as stored, after the relay wrote what it counted. */
    public long storedUsage(UUID id) {
        server.flushToDatabase();
        return connection(id).bandwidthUsed();
    }

    /**
     * Starts {@code pocketproxy relay} beside the server, on its database, with its certificate copied (so the same
     * pairing strings reach it): a second relay of the farm. The caller closes it.
     */
    public SecondRelay startSecondRelay() throws IOException {
        return startSecondRelay(Duration.ofMillis(100));
    }

    /** The same, writing usage every {@code usageFlush}. */
    public SecondRelay startSecondRelay(Duration usageFlush) throws IOException {
        Path relayDir = Files.createTempDirectory("pocketproxy-relay");
        for (String file : List.of(RelayCertificate.CERTIFICATE_FILE, RelayCertificate.KEY_FILE)) {
            Files.copy(dataDir.resolve(file), relayDir.resolve(file));
        }
        int httpPort = freePort();
        int socksPort = freePort();
        int linkPort = freePort();
        ServerConfig config = ServerConfig.builder(relayDir)
                .databaseUrl(databaseUrl)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .httpProxyPort(httpPort)
                .socksPort(socksPort)
                .linkPort(linkPort)
                .usageFlush(usageFlush)
                .build();
        return new SecondRelay(PocketProxyServer.startRelayOnly(config, clock), httpPort, socksPort, linkPort);
    }

    /** A relay running beside the server: its HTTP proxy, SOCKS5 and link ports. */
    public record SecondRelay(AutoCloseable relay, int httpPort, int socksPort, int linkPort) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            relay.close();
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** The server's external database, as {@code --database-url} takes it. */
    public String databaseUrl() {
        return databaseUrl;
    }

    /** The server's data directory, where its relay certificate is. */
    public Path dataDir() {
        return dataDir;
    }

    public int linkPort() {
        return linkPort;
    }

    public PocketProxyServer server() {
        return server;
    }

    public User operator() {
        return operator;
    }

    public NewDevice device() {
        return device;
    }

    public Agent agent() {
        return agent;
    }

    public LocalHttpTarget http() {
        return http;
    }

    /** The test's own PostgreSQL; only with {@link #onOwnPostgres}. */
    public OwnPostgres postgres() {
        if (postgres == null) {
            throw new IllegalStateException("this system runs on the shared test PostgreSQL");
        }
        return postgres;
    }

    public TcpEchoServer echo() {
        return echo;
    }

    /** A SOCKS5 tunnel to the echo target through {@code socks}; fails the test unless it opens. */
    public Socket socksTunnel(IssuedPassword socks) throws IOException {
        return socksTunnel(socksPort(), socks);
    }

    /** The same through the SOCKS5 port {@code port} (another relay's). */
    public Socket socksTunnel(int port, IssuedPassword socks) throws IOException {
        ProxyClients.SocksResult result =
                ProxyClients.socks5(port, socks.connection().username(), socks.password(), "127.0.0.1", echo.port());
        if (result.reply() != 0) {
            throw new AssertionError("SOCKS5 CONNECT answered " + result.reply());
        }
        return result.socket();
    }

    /** The HTTP proxy's answer to {@code CONNECT} to the echo target; the caller closes its socket. */
    /** Waits until the server's relay serves {@code deviceId} (its link is taken into service there). */
    public void awaitServedHere(UUID deviceId) {
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> server.relay().links().find(deviceId).isPresent());
    }

    /** A SOCKS5 tunnel through the relay at {@code port} echoes {@code length} bytes byte-exact. */
    public void assertEchoes(int port, IssuedPassword socks, int length) throws IOException {
        ProxyPathsTest.assertEchoes(socksTunnel(port, socks), length);
    }

    /**
     * Moves bytes through an HTTP connection, entering at the HTTP proxy port {@code proxyPort}, until the relay cuts
     * it off, and waits until its whole limit is stored.
     */
    public void useUpHttpLimit(IssuedPassword http, int proxyPort) throws IOException {
        ProxyClients.HttpHead tunnel = ProxyClients.connect(
                proxyPort, http.connection().username(), http.password(), "127.0.0.1:" + echo.port());
        if (tunnel.status() != 200) {
            throw new AssertionError("CONNECT answered " + tunnel.status());
        }
        try (Socket socket = tunnel.socket()) {
            try {
                socket.getOutputStream().write(LocalHttpTarget.patternBytes((int)
                        http.connection().bandwidthLimit()));
            } catch (IOException e) {
                // cut off mid-write
            }
            ProxyClients.readAll(tunnel.in(), 10_000_000);
        }
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> org.assertj.core.api.Assertions.assertThat(
                                storedUsage(http.connection().id()))
                        .isEqualTo(http.connection().bandwidthLimit()));
    }

    /** Sends a SOCKS5 connection's whole limit through a tunnel to the echo target and reads until the relay cuts it off. */
    public void useUpLimit(IssuedPassword socks) throws IOException {
        try (Socket tunnel = socksTunnel(socks)) {
            try {
                tunnel.getOutputStream().write(LocalHttpTarget.patternBytes((int)
                        socks.connection().bandwidthLimit()));
            } catch (IOException e) {
                // cut off mid-write
            }
            ProxyClients.readAll(tunnel.getInputStream(), 10_000_000);
        }
    }

    public ProxyClients.HttpHead connectTunnel(String username, String password) throws IOException {
        return ProxyClients.connect(httpProxyPort(), username, password, "127.0.0.1:" + echo.port());
    }

    public ProxyClients.HttpHead connectTunnel(IssuedPassword http) throws IOException {
        return connectTunnel(http.connection().username(), http.password());
    }

    /** Just the status of a {@code CONNECT} to the echo target. */
    public int connectStatus(String username, String password) throws IOException {
        ProxyClients.HttpHead answer = connectTunnel(username, password);
        answer.socket().close();
        return answer.status();
    }

    /** The dashboard and API, {@code http://127.0.0.1:PORT/}. */
    public String apiUrl() {
        return "http://127.0.0.1:" + server.apiPort() + "/";
    }

    public int httpProxyPort() {
        return server.relay().httpPort();
    }

    public int socksPort() {
        return server.relay().socksPort();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        agents.forEach(Agent::close);
        if (server != null) {
            server.close();
        }
        if (http != null) {
            http.close();
        }
        if (echo != null) {
            echo.close();
        }
        if (postgres != null) {
            postgres.close();
        }
        deleteRecursively(dataDir);
    }

    private static void deleteRecursively(Path directory) {
        if (directory == null || !Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            paths.sorted(Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
