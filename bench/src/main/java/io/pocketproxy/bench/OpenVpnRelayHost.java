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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The server for the OpenVPN figure, in the bench's server namespace ({@link VpnLab}): the relay with OpenVPN on,
 * an operator with one device, and a SOCKS5 and an OPENVPN connection on it. Prints, one line each:
 * {@code device PAIRING}, {@code socks PORT USERNAME PASSWORD}, {@code ovpn BASE64-PROFILE}.
 */
public final class OpenVpnRelayHost {

    private OpenVpnRelayHost() {}

    public static void main(String[] args) throws IOException {
        Path dataDir = Files.createTempDirectory("pocketproxy-bench-openvpn");
        int streamWindowMib = Integer.parseInt(args[0]);
        int linkWindowMib = Integer.parseInt(args[1]);
        ServerConfig config = ServerConfig.builder(dataDir)
                .ephemeralPorts()
                .bind("0.0.0.0")
                .publicHost(VpnLab.SERVER_SIDE)
                .openvpn(OpenVpnMode.ON)
                .maxStreamsPerConnection(50_000)
                .linkWindows(streamWindowMib << 20, linkWindowMib << 20)
                .build();
        PocketProxyServer server = PocketProxyServer.start(config);
        User operator = server.users().create("bench@example.com", "bench password", "Bench", Role.OPERATOR);
        NewDevice device = server.devices().create(operator.id(), "bench phone");
        IssuedPassword socks =
                server.connections().create(operator.id(), device.device().id(), ConnectionType.SOCKS5, 0L);
        IssuedPassword openvpn =
                server.connections().create(operator.id(), device.device().id(), ConnectionType.OPENVPN, 0L);
        String profile = server.connections().openVpnProfile(openvpn).orElseThrow();
        System.out.println("device " + device.pairing());
        System.out.println(
                "socks " + server.relay().socksPort() + " " + socks.connection().username() + " " + socks.password());
        System.out.println("ovpn " + Base64.getEncoder().encodeToString(profile.getBytes(StandardCharsets.UTF_8)));
        System.out.flush();
        Child.serveCommands(() -> {
            server.close();
            try (var paths = Files.walk(dataDir)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // a temporary directory: the system will clean it
            }
        });
    }
}
