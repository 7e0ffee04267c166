package io.pocketproxy.app.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenVPN endpoint across the server's stops and crashes: usage survives a restart, a stop leaves no tun
 * device, netfilter table or routing rule, and after a SIGKILL the next start cleans up what was left and serves
 * again (also when OpenVPN's tun device outlived it). One lab, one server restarted in turn, so the tests run in order.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class OpenVpnRestartIT {

    @RegisterExtension
    static final OpenVpnLab lab = new OpenVpnLab();

    @Test
    @Order(1)
    void keepsUsageAcrossARestart() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());
        assertThat(lab.curl(Duration.ofSeconds(30), "-o", "/dev/null", lab.url("/bytes/500000"))
                        .exitCode())
                .isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.usage(connection.id()) >= 500_000);
        long before = lab.usage(connection.id());
        client.close();

        lab.stopServer();
        lab.startServer();
        lab.restartAgent();

        assertThat(lab.usage(connection.id())).isEqualTo(before);
        OpenVpnClient again = lab.connect(connection.profile());
        assertThat(lab.curl(Duration.ofSeconds(30), "-o", "/dev/null", lab.url("/bytes/100000"))
                        .exitCode())
                .isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> lab.usage(connection.id()) >= before + 100_000);
        again.close();
    }

    @Test
    @Order(2)
    void leavesNoTunDeviceTableOrRuleWhenStopped() {
        String tun = "pp" + tunSuffix();
        assertThat(lab.serverNetworking()).contains(tun, "pocketproxy_");

        lab.stopServer();

        assertThat(lab.serverNetworking())
                .doesNotContain(tun)
                .doesNotContain("pocketproxy_")
                .doesNotContain("fwmark");
        lab.startServer();
    }

    @Test
    @Order(3)
    void removesATunDeviceAnOpenVpnKilledWithItsServerLeftBehind() {
        String tun = "pp" + tunSuffix();
        lab.stopServer();
        // As an OpenVPN killed before it could clean up leaves it: its name, and the pool's first address on it.
        assertThat(lab.network()
                        .inServer("ip", "tuntap", "add", "dev", tun, "mode", "tun")
                        .exitCode())
                .isZero();
        assertThat(lab.network()
                        .inServer("ip", "addr", "add", lab.network().poolServerAddress() + "/24", "dev", tun)
                        .exitCode())
                .isZero();

        lab.startServer();
        lab.restartAgent(); // linked at once, not after its back-off

        assertThat(lab.server().stderr()).contains("removing tun device " + tun + " left by a server");
        assertThat(lab.fetchThroughTheVpn(lab.newConnection(0).profile(), "/hello"))
                .isEqualTo("hello");
    }

    @Test
    @Order(4)
    void cleansUpAfterASigkillAndServesAgain() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        OpenVpnClient client = lab.connect(connection.profile());

        lab.killServer();

        // OpenVPN saw its management socket close and stopped itself: its tun device went with it.
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(lab.serverNetworking()).doesNotContain("pp" + tunSuffix()));
        assertThat(lab.serverNetworking()).contains("pocketproxy_"); // the rules wait for the next start
        client.close();

        lab.startServer();
        lab.restartAgent();

        assertThat(lab.server().stderr()).contains("left by a server that did not shut down");
        assertThat(lab.serverNetworking().lines().filter(line -> line.contains("fwmark")))
                .hasSize(1);
        lab.connect(connection.profile());
        assertThat(lab.curl(Duration.ofSeconds(20), lab.url("/hello")).output()).isEqualTo("hello");
    }

    @Test
    @Order(5)
    void startsOpenVpnAgainWhenItDies() {
        OpenVpnLab.Connection connection = lab.newConnection(0);
        long openvpn = lab.openVpnServerPid();

        ProcessHandle.of(openvpn).orElseThrow().destroyForcibly();

        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(lab.server().stderr()).contains("OpenVPN is up again"));
        assertThat(lab.server().stderr()).contains("OpenVPN exited with");
        assertThat(lab.openVpnServerPid()).isNotEqualTo(openvpn);
        assertThat(lab.fetchThroughTheVpn(connection.profile(), "/hello")).isEqualTo("hello");
    }

    @Test
    @Order(6)
    void refusesToStartASecondServerOnAPortTheFirstHolds() {
        Shell.Result second = lab.startSecondServer("--openvpn-network", "10.9.0.0/16");

        assertThat(second.exitCode()).as(second.output()).isNotZero();
        assertThat(second.output()).contains("OpenVPN exited with", "Address already in use");
    }

    @Test
    @Order(7)
    void refusesToStartASecondServerOnANetworkTheFirstUses() {
        Shell.Result second = lab.startSecondServer("--openvpn-port", "1195", "--openvpn-network", lab.poolNetwork());

        assertThat(second.exitCode()).as(second.output()).isNotZero();
        assertThat(second.output())
                .contains("openvpn-network: " + lab.poolNetwork() + " overlaps "
                        + lab.network().poolServerAddress() + "/24 on pp" + tunSuffix());
        assertThat(lab.fetchThroughTheVpn(lab.newConnection(0).profile(), "/hello"))
                .isEqualTo("hello");
    }

    @Test
    @Order(8)
    void autoRunsTheServerWithoutOpenVpnWhenItCannotStartAndSaysWhy() {
        // The first server holds OpenVPN's port: a second one in auto mode (the default) starts without OpenVPN.
        try (var second = lab.startSecondServerProcess("--openvpn", "auto", "--openvpn-network", "10.9.0.0/16")) {
            second.awaitReady();

            assertThat(second.stderr())
                    .contains("OpenVPN is off: it did not start:")
                    .contains("Address already in use");
            // Nothing of its OpenVPN is left behind: no second table, no address of its pool.
            assertThat(lab.network().inServer("nft", "list", "tables").output().split("pocketproxy_", -1))
                    .hasSize(2);
            assertThat(lab.network().inServer("ip", "-o", "addr", "show").output())
                    .doesNotContain("10.9.0.1");
        }
        assertThat(lab.fetchThroughTheVpn(lab.newConnection(0).profile(), "/hello"))
                .isEqualTo("hello");
    }

    /** The 8 hex digits naming this server's tun device and table, from its data directory. */
    private static String tunSuffix() {
        return io.pocketproxy.relay.openvpn.OpenVpnNames.of(lab.dataDir())
                .tunDevice()
                .substring(2);
    }
}
