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
    private static final int KEYLESS_PORT = 1196;

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

        String serverNode = NetworkLab.SERVER_CLIENT_SIDE + ":" + SERVER_PORT;
        String relayNode = NetworkLab.SERVER_CLIENT_SIDE + ":" + RELAY_PORT;
        assertThat(connection.profile().lines().filter(line -> line.startsWith("remote ")))
                .containsExactly(
                        "remote " + NetworkLab.SERVER_CLIENT_SIDE + " " + SERVER_PORT + " udp",
                        "remote " + NetworkLab.SERVER_CLIENT_SIDE + " " + RELAY_PORT + " udp");
        assertThat(connection.profile()).contains("remote-random\n", "server-poll-timeout 10\n");
        String downloaded;
        int size = 700 * 1024 + 3;
        try (AutoCloseable serverNodeDown = lab.network().silenceUdpPort(SERVER_PORT)) {
            // In the profile's order, so the silent node is tried first every time (remote-random would skip it half
            // of the time): the client must give it up and take the next.
            OpenVpnClient client = lab.connect(connection.profile().replace("remote-random\n", ""));

            String log = client.log();
            assertThat(log).contains("link remote: [AF_INET]" + serverNode, "link remote: [AF_INET]" + relayNode);
            assertThat(log.indexOf("link remote: [AF_INET]" + serverNode))
                    .as("tried the server's node first:\n%s", log)
                    .isLessThan(log.indexOf("link remote: [AF_INET]" + relayNode));
            assertThat(log).contains("Peer Connection Initiated with [AF_INET]" + relayNode);
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
        try (PocketProxyProcess relay = keylessRelay("on", "keyless-on")) {
            int exit = relay.awaitExit(Duration.ofSeconds(60));

            assertThat(exit).as(relay.stderr()).isNotZero();
            assertThat(relay.stderr())
                    .contains("--openvpn on, but the server's OpenVPN keys are not in")
                    .contains("missing: ca.crt, server.crt, server.key, tls-crypt.key")
                    .contains("copy them from the server's <data dir>/openvpn/")
                    .as("refused before it joined the farm")
                    .doesNotContain("joined the farm");
        }
    }

    @Test
    void aRelayWithoutTheServersKeysRunsWithoutOpenVpnAndNoProfileNamesIt() {
        try (PocketProxyProcess relay = keylessRelay("auto", "keyless-auto")) {
            relay.awaitLog("relay is ready");

            assertThat(relay.stderr())
                    .contains("OpenVPN is off: the server's OpenVPN keys are not in")
                    .contains("copy them from the server's <data dir>/openvpn/");
            assertThat(lab.newConnection(0).profile()).doesNotContain(" " + KEYLESS_PORT + " ");
        }
    }

    private static PocketProxyProcess keylessRelay(String openvpn, String dataDir) {
        return PocketProxyProcess.start(
                NetworkLab.in(lab.network().server()),
                List.of(),
                Map.of("POCKETPROXY_OPENVPN", openvpn, "POCKETPROXY_DATABASE_URL", lab.serverDatabaseUrl()),
                PocketProxyProcess.onAnyPorts(
                        "relay",
                        "--data-dir",
                        lab.file(dataDir).toString(),
                        "--openvpn-port",
                        Integer.toString(KEYLESS_PORT)));
    }
}
