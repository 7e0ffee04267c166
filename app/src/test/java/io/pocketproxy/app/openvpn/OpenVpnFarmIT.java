package io.pocketproxy.app.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.app.PocketProxyProcess;
import io.pocketproxy.testkit.LocalHttpTarget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * OpenVPN on several nodes of a farm: a {@code pocketproxy relay} given the server's OpenVPN keys runs an endpoint of
 * its own, every profile lists both nodes, and a customer whose profile's first choice does not answer is served by
 * the other, the tunnel forwarded to the relay that holds the device. The relay node shares the lab's server
 * namespace (its own port and pool), as two nodes on one host; see {@link OpenVpnLab}.
 */
class OpenVpnFarmIT {

    private static final int SERVER_PORT = 1194;
    private static final int RELAY_PORT = 1195;

    @RegisterExtension
    static final OpenVpnLab lab = new OpenVpnLab("--openvpn-port", Integer.toString(SERVER_PORT));

    @Test
    void aCustomerWhoseFirstNodeIsDeadIsServedByTheNextThroughTheDevicesRelay() throws Exception {
        PocketProxyProcess relay = lab.startRelayNode(
                "--openvpn-port",
                Integer.toString(RELAY_PORT),
                "--openvpn-network",
                lab.network().secondPoolNetwork());
        OpenVpnLab.Connection connection = lab.newConnection(0);

        assertThat(connection.profile())
                .contains("remote " + NetworkLab.SERVER_CLIENT_SIDE + " " + SERVER_PORT + " udp\n")
                .contains("remote " + NetworkLab.SERVER_CLIENT_SIDE + " " + RELAY_PORT + " udp\n")
                .contains("remote-random\n");
        String downloaded;
        int size = 700 * 1024 + 3;
        try (AutoCloseable serverNodeDown = lab.network().silenceUdpPort(SERVER_PORT)) {
            OpenVpnClient client = lab.connect(connection.profile());

            assertThat(client.log())
                    .contains("Peer Connection Initiated with [AF_INET]" + NetworkLab.SERVER_CLIENT_SIDE + ":"
                            + RELAY_PORT);
            Path file = lab.file("through-the-relay-node");
            Shell.Result download = lab.curl(Duration.ofSeconds(60), "-o", file.toString(), lab.url("/bytes/" + size));
            assertThat(download.exitCode())
                    .as("%s\nthe relay node's log:\n%s", download.output(), relay.stderr())
                    .isZero();
            assertThat(Files.readAllBytes(file)).isEqualTo(LocalHttpTarget.patternBytes(size));
            // The name only the device's resolver knows: the lookup too went through the relay node to the device.
            downloaded = lab.curl(Duration.ofSeconds(20), lab.urlByDeviceName("/hello"))
                    .output();
        }

        assertThat(downloaded).isEqualTo("hello");
        // Counted once, by the relay that holds the device, whichever node the customer entered at.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(lab.usage(connection.id())).isBetween((long) size, size + 16L * 1024));
    }

    @Test
    void aRelayWithoutTheServersKeysRefusesOpenVpnOnAndSaysWhatToCopy() {
        try (PocketProxyProcess relay = PocketProxyProcess.start(
                NetworkLab.in(lab.network().server()),
                List.of(),
                Map.of("POCKETPROXY_OPENVPN", "on", "POCKETPROXY_DATABASE_URL", lab.serverDatabaseUrl()),
                PocketProxyProcess.onAnyPorts(
                        "relay", "--data-dir", lab.file("keyless-relay").toString(), "--openvpn-port", "1196"))) {
            int exit = relay.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as(relay.stderr()).isNotZero();
            assertThat(relay.stderr())
                    .contains("--openvpn on, but the server's OpenVPN keys are not in")
                    .contains("missing: ca.crt, server.crt, server.key, tls-crypt.key")
                    .contains("copy them from the server's <data dir>/openvpn/");
        }
    }
}
