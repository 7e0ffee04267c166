package io.pocketproxy.bench;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.db.DatabaseSettings;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

/**
 * The server under test, in its own process: embedded PostgreSQL in a temporary directory, the relay,
 * an operator with two devices and a connection on each, and a second relay of the farm on the same database (the
 * forwarded route). Prints what the bench needs, one line each.
 */
public final class RelayHost {

    private RelayHost() {}

    public static void main(String[] args) throws IOException {
        Path dataDir = Files.createTempDirectory("pocketproxy-bench");
        int streamWindowMib = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        int linkWindowMib = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        ServerConfig config = ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .maxStreamsPerConnection(50_000)
                .linkWindows(streamWindowMib << 20, linkWindowMib << 20)
                .build();
        PocketProxyServer server = PocketProxyServer.start(config);
        User operator = server.users().create("bench@example.com", "bench password", "Bench", Role.OPERATOR);
        for (String name : new String[] {"direct", "delayed"}) {
            NewDevice device = server.devices().create(operator.id(), "bench phone " + name);
            IssuedPassword socks =
                    server.connections().create(operator.id(), device.device().id(), ConnectionType.SOCKS5, 0L);
            IssuedPassword http =
                    server.connections().create(operator.id(), device.device().id(), ConnectionType.HTTP, 0L);
            System.out.println("device " + name + " " + device.pairing() + " "
                    + socks.connection().username() + " " + socks.password() + " "
                    + http.connection().username() + " " + http.password());
        }
        System.out.println("relay " + server.relay().httpPort() + " "
                + server.relay().socksPort() + " " + server.relay().linkPort());
        Path secondDir = Files.createTempDirectory("pocketproxy-bench-relay");
        int secondSocks = freePort();
        AutoCloseable second = startSecondRelay(server, dataDir, secondDir, secondSocks, config);
        System.out.println("forwarding " + secondSocks);
        System.out.flush();
        Child.serveCommands(() -> {
            try {
                second.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot stop the second relay", e);
            }
            server.close();
            delete(secondDir);
            delete(dataDir);
        });
    }

    /**
     * A second relay of the farm on the server's database, with its certificate and the same link settings, for the
     * forwarded route: a customer there reaches the server's devices through a relay-to-relay link.
     */
    private static AutoCloseable startSecondRelay(
            PocketProxyServer server, Path dataDir, Path secondDir, int socksPort, ServerConfig like)
            throws IOException {
        for (String file : new String[] {RelayCertificate.CERTIFICATE_FILE, RelayCertificate.KEY_FILE}) {
            Files.copy(dataDir.resolve(file), secondDir.resolve(file));
        }
        DatabaseSettings database = server.databaseSettings();
        StringBuilder url = new StringBuilder(database.jdbcUrl());
        char separator = database.jdbcUrl().contains("?") ? '&' : '?';
        if (database.user() != null) {
            url.append(separator).append("user=").append(database.user());
            separator = '&';
        }
        if (database.password() != null) {
            url.append(separator).append("password=").append(database.password());
        }
        ServerConfig config = ServerConfig.builder(secondDir)
                .databaseUrl(url.toString())
                .ephemeralPorts()
                .openvpn(OpenVpnMode.OFF)
                .socksPort(socksPort)
                .maxStreamsPerConnection(like.relay().maxStreamsPerConnection())
                .linkWindows(
                        like.relay().link().streamWindowBytes(),
                        like.relay().link().linkWindowBytes())
                .build();
        return PocketProxyServer.startRelayOnly(config, Clock.systemUTC());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static void delete(Path directory) {
        try (var paths = Files.walk(directory)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a temporary directory: the system will clean it
        }
    }
}
