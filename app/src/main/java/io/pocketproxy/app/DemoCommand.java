package io.pocketproxy.app;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.PocketProxyServer;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.connections.ProxyConnection;
import io.pocketproxy.server.devices.Device;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.openvpn.OpenVpnProfiles;
import io.pocketproxy.server.secrets.Secrets;
import io.pocketproxy.server.users.Role;
import io.pocketproxy.server.users.User;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code pocketproxy demo}: the whole product on one machine. A server in the data directory, a sample
 * operator with a device, an agent for that device running in the same process (this machine is the
 * "phone"), and one HTTP and one SOCKS5 connection, with ready-to-paste commands; with OpenVPN on (when this
 * machine allows it), an OPENVPN connection too, its profile in the data directory (without its password).
 *
 * <p>Only hashes of passwords and tokens are kept, so every start hands out fresh ones.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description =
                "Runs a server in ./data, a sample operator, device, agent and connections, and prints how to use them.")
final class DemoCommand implements Callable<Integer> {

    static final String DEMO_EMAIL = "demo@pocketproxy.local";
    static final String DEMO_DEVICE = "Demo phone (this machine)";

    @Mixin
    ServerOptions options = new ServerOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PocketProxyServer server = PocketProxyServer.start(options.toConfig());
        String password = Secrets.randomString("abcdefghijkmnpqrstuvwxyz23456789", 16);
        User operator = demoOperator(server, password);
        NewDevice device = demoDevice(server, operator.id());
        // The agent refuses private targets, as on a real phone: customers reach the internet only.
        Agent agent = Agent.start(AgentConfig.fromPairing(device.pairing(), false));
        IssuedPassword http =
                demoConnection(server, operator.id(), device.device().id(), ConnectionType.HTTP);
        IssuedPassword socks =
                demoConnection(server, operator.id(), device.device().id(), ConnectionType.SOCKS5);
        IssuedPassword openvpn = server.openvpn().isAvailable()
                ? demoConnection(server, operator.id(), device.device().id(), ConnectionType.OPENVPN)
                : null;

        printWelcome(spec.commandLine().getOut(), server, password, http, socks, operator.id(), openvpn);
        UntilStopped.await(server.fatalFailure(), agent, server);
        return 0;
    }

    private static User demoOperator(PocketProxyServer server, String password) {
        Optional<User> existing = server.users().findByEmail(DEMO_EMAIL);
        if (existing.isPresent()) {
            server.users().changePassword(existing.get().id(), password);
            return existing.get();
        }
        return server.users().create(DEMO_EMAIL, password, "Demo Operator", Role.ADMIN);
    }

    private static NewDevice demoDevice(PocketProxyServer server, UUID operatorId) {
        Optional<Device> existing = server.devices().list(operatorId).stream()
                .filter(device -> device.name().equals(DEMO_DEVICE))
                .findFirst();
        return existing.isPresent()
                ? server.devices().repair(operatorId, existing.get().id())
                : server.devices().create(operatorId, DEMO_DEVICE);
    }

    private static IssuedPassword demoConnection(
            PocketProxyServer server, UUID operatorId, UUID deviceId, ConnectionType type) {
        List<ProxyConnection> existing = server.connections().list(operatorId, deviceId);
        return existing.stream()
                .filter(connection -> connection.type() == type)
                .findFirst()
                .map(connection -> server.connections().regeneratePassword(operatorId, connection.id()))
                .orElseGet(() -> server.connections().create(operatorId, deviceId, type, 0L));
    }

    /**
     * How to try OpenVPN: its profile is saved without the password (no plaintext password at rest), which the
     * client asks for. The client must not run beside the demo's agent: its VPN routes would send the agent's own
     * traffic back into the VPN.
     */
    private static void printOpenVpn(
            PrintWriter out, PocketProxyServer server, UUID operatorId, IssuedPassword openvpn) {
        OpenVpnProfiles profiles = server.openvpn();
        if (openvpn == null) {
            out.println(profiles + " (see the README's OpenVPN section).");
            out.println();
            return;
        }
        ProxyConnection connection = openvpn.connection();
        Path profile = server.config().dataDir().resolve("demo.ovpn");
        try {
            Files.writeString(
                    profile,
                    server.connections()
                            .openVpnProfile(operatorId, connection.id())
                            .text(),
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + profile, e);
        }
        out.println("Try OpenVPN from another machine (or a network namespace: this machine is the phone, and a VPN");
        out.println("client here would route the phone's own traffic into the VPN). Username " + connection.username()
                + ", password " + openvpn.password() + ":");
        out.println("  sudo openvpn --config " + profile);
        out.println("  (start the demo with --bind 0.0.0.0 --public-host <this machine's address> for other machines)");
        out.println();
    }

    private static void printWelcome(
            PrintWriter out,
            PocketProxyServer server,
            String password,
            IssuedPassword http,
            IssuedPassword socks,
            UUID operatorId,
            IssuedPassword openvpn) {
        String url = server.apiUrl();
        String api = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        out.println();
        out.println("PocketProxy demo is running.");
        out.println();
        out.println("  API and dashboard: " + url);
        out.println("  Sign in as:        " + DEMO_EMAIL);
        out.println("  Password:          " + password + "   (new at every demo start)");
        out.println();
        out.println("This machine plays the phone: an agent in this process is linked to the relay.");
        out.println("Try the proxies (passwords are new at every start):");
        for (IssuedPassword issued : List.of(http, socks)) {
            ProxyConnection connection = issued.connection();
            out.println("  curl -x "
                    + server.endpoints().proxyUrlOf(connection.type(), connection.username(), issued.password())
                    + " https://example.com/");
        }
        out.println();
        out.println("Try the API:");
        out.println("  TOKEN=$(curl -s " + api + "/api/auth/login -H 'Content-Type: application/json' \\");
        out.println("    -d '{\"email\":\"" + DEMO_EMAIL + "\",\"password\":\"" + password
                + "\"}' | sed 's/.*\"token\":\"\\([^\"]*\\)\".*/\\1/')");
        out.println("  curl -s " + api + "/api/devices -H \"Authorization: Bearer $TOKEN\"");
        out.println("  curl -s " + api + "/api/connections -H \"Authorization: Bearer $TOKEN\"");
        out.println();
        printOpenVpn(out, server, operatorId, openvpn);
        out.println("Stop with Ctrl-C; the data stays in " + server.config().dataDir() + " for the next start.");
        out.flush();
    }
}
