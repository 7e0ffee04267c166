package io.pocketproxy.bench;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.Relay;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import io.pocketproxy.testkit.ApiClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * The soak's server, agents and connections, in the bench's own process so the soak can look inside the relay
 * (its meters, open streams and tunnels, device links) and measure heap and file descriptors where the relay
 * lives. Ports are fixed at start, so that agents and customers find the server again after its restart.
 */
final class SoakServer implements AutoCloseable {

    private static final Duration LINK_TIMEOUT = Duration.ofSeconds(60);

    private final ServerConfig config;
    private final String operatorEmail = "soak@example.com";
    /** Random, in memory only: the API client signs in with it, nothing prints it. */
    private final String operatorPassword = UUID.randomUUID().toString();

    private final List<PairingString> pairings = new ArrayList<>();
    private final List<UUID> deviceIds = new ArrayList<>();
    private final List<Agent> agents = new ArrayList<>();
    private final List<Account> accounts = new ArrayList<>();
    private volatile PocketProxyServer server;
    private volatile ApiClient api;

    private SoakServer(ServerConfig config) {
        this.config = config;
    }

    /** {@code devices} devices with an HTTP and a SOCKS5 connection each, and one capped SOCKS5 connection. */
    static SoakServer start(Path dataDir, int devices, long cappedBytes) throws IOException {
        ServerConfig config = ServerConfig.builder(dataDir)
                .bind("127.0.0.1")
                .apiPort(freePort())
                .httpProxyPort(freePort())
                .socksPort(freePort())
                .linkPort(freePort())
                .openvpn(io.pocketproxy.relay.openvpn.OpenVpnMode.OFF)
                .build();
        SoakServer soak = new SoakServer(config);
        soak.server = PocketProxyServer.start(config);
        User operator = soak.server.users().create(soak.operatorEmail, soak.operatorPassword, "Soak", Role.OPERATOR);
        soak.signIn();
        for (int device = 0; device < devices; device++) {
            NewDevice created = soak.server.devices().create(operator.id(), "soak phone " + device);
            soak.pairings.add(created.pairing());
            soak.deviceIds.add(created.device().id());
            for (ConnectionType type : List.of(ConnectionType.HTTP, ConnectionType.SOCKS5)) {
                soak.accounts.add(soak.account(operator, created, type, 0L, device, false));
            }
            if (device == 0) {
                soak.accounts.add(soak.account(operator, created, ConnectionType.SOCKS5, cappedBytes, device, true));
            }
            soak.agents.add(null);
            soak.startAgent(device, null);
        }
        return soak;
    }

    private Account account(
            User operator, NewDevice device, ConnectionType type, long limit, int index, boolean capped) {
        IssuedPassword issued =
                server.connections().create(operator.id(), device.device().id(), type, limit);
        return new Account(
                issued.connection().id(), type, issued.connection().username(), issued.password(), index, capped);
    }

    List<Account> accounts() {
        return accounts;
    }

    int devices() {
        return pairings.size();
    }

    int httpProxyPort() {
        return server.relay().httpPort();
    }

    int socksPort() {
        return server.relay().socksPort();
    }

    Relay relay() {
        return server.relay();
    }

    ApiClient api() {
        return api;
    }

    Optional<Meter> meter(Account account) {
        return server.relay().meters().find(account.id);
    }

    /** Writes every counted byte now, as the relay does every --usage-flush. */
    void flushUsage() {
        server.flushToDatabase();
    }

    /** Closes the agent and starts a new one with the same pairing, as a phone's app restarting would. */
    synchronized void restartAgent(int device) {
        DeviceLink previous = server.relay().links().find(deviceIds.get(device)).orElse(null);
        agents.get(device).close();
        startAgent(device, previous);
    }

    /**
     * The clean restart an operator does for an upgrade: close (which flushes usage), start on the same data
     * directory and ports, and wait until every agent has linked again by itself.
     */
    synchronized void restartServer() {
        server.close();
        server = PocketProxyServer.start(config);
        signIn();
        // Agents re-dial by themselves, with backoff; linked again means the new relay holds their links.
        if (!await(() -> server.relay().links().size() == agents.size(), LINK_TIMEOUT)) {
            throw new IllegalStateException("only " + server.relay().links().size() + " of " + agents.size()
                    + " agents linked again within " + LINK_TIMEOUT + " of the server's restart");
        }
    }

    /**
     * Starts the device's agent and waits until the relay holds its link, one other than {@code previous}: the agent
     * calls itself linked before the relay has checked its token and registered the link, and a customer let through
     * in between was answered "device offline".
     */
    private void startAgent(int device, DeviceLink previous) {
        Agent agent = Agent.start(AgentConfig.fromPairing(pairings.get(device), true));
        agents.set(device, agent);
        UUID id = deviceIds.get(device);
        if (!await(
                () -> agent.state() == Agent.State.LINKED
                        && server.relay()
                                .links()
                                .find(id)
                                .filter(link -> link != previous)
                                .isPresent(),
                LINK_TIMEOUT)) {
            throw new IllegalStateException(
                    "agent " + device + " did not link within " + LINK_TIMEOUT + " (state " + agent.state() + ")");
        }
    }

    private void signIn() {
        api = ApiClient.anonymous(server.apiUrl()).login(operatorEmail, operatorPassword);
    }

    /** Polls {@code condition} every 10 ms until it holds or {@code timeout} passes. */
    static boolean await(BooleanSupplier condition, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            LockSupport.parkNanos(10_000_000L);
        }
        return true;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Agent agent : agents) {
            if (agent != null) {
                agent.close();
            }
        }
        server.close();
    }
}
