package io.pocketproxy.bench;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.openvpn.OpenVpnMode;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.ServerConfig;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The server under test, in its own process: embedded PostgreSQL in a temporary directory, the relay,
 * an operator with two devices and a connection on each. Prints what the bench needs, one line each.
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
        System.out.flush();
        Child.serveCommands(() -> {
            server.close();
            delete(dataDir);
        });
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
