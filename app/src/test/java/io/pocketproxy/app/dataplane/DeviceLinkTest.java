package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.Device;
import io.pocketproxy.server.devices.DeviceStatus;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.server.devices.StatusChange;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The device link: heartbeats, reconnection, and the device's own answers reaching the customer. */
class DeviceLinkTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void aLinkedDeviceComesOnlineWithItsReportedStatus() {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            system.server().flushToDatabase();
            Device device = system.server()
                    .devices()
                    .get(system.operator().id(), system.device().device().id());
            assertThat(device.status()).isEqualTo(DeviceStatus.ONLINE);
            assertThat(device.lastHeartbeat()).isNotNull();
            assertThat(device.agentVersion()).isEqualTo(Agent.VERSION);
        });
        List<StatusChange> log = system.server()
                .devices()
                .statusLog(system.operator().id(), system.device().device().id());
        assertThat(log).first().satisfies(change -> {
            assertThat(change.status()).isEqualTo(DeviceStatus.ONLINE);
            assertThat(change.previousStatus()).isEqualTo(DeviceStatus.PENDING);
        });
    }

    @Test
    void theAgentLinksAgainByItselfWhenItsLinkIsCut() throws IOException {
        int before = system.agent().linksEstablished();

        system.server().relay().links().close(system.device().device().id());

        await().atMost(Duration.ofSeconds(10))
                .until(() -> system.agent().linksEstablished() > before
                        && system.server()
                                .relay()
                                .links()
                                .find(system.device().device().id())
                                .isPresent());
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead tunnel = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        assertThat(tunnel.status()).isEqualTo(200);
        tunnel.socket().close();
    }

    @Test
    void passesTheDevicesDnsAndConnectErrorsToTheCustomer() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        int closedPort = closedPort();

        ProxyClients.HttpHead dns = connect(http, "no-such-host.invalid:80");
        ProxyClients.HttpHead refused = connect(http, "127.0.0.1:" + closedPort);
        ProxyClients.SocksResult socksDns = ProxyClients.socks5(
                system.socksPort(), socks.connection().username(), socks.password(), "no-such-host.invalid", 80);
        ProxyClients.SocksResult socksRefused = ProxyClients.socks5(
                system.socksPort(), socks.connection().username(), socks.password(), "127.0.0.1", closedPort);

        assertThat(dns.status()).isEqualTo(502);
        assertThat(dns.header("Proxy-Status")).isEqualTo("pocketproxy; error=dns_error");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=connection_refused");
        assertThat(socksDns.reply()).isEqualTo(0x04);
        assertThat(socksRefused.reply()).isEqualTo(0x05);
    }

    @Test
    void anAgentRefusesLoopbackTargetsUnlessAllowed() throws IOException {
        NewDevice phone = system.server().devices().create(system.operator().id(), "careful phone");
        Agent careful = system.startAgent(phone, false);
        RunningSystem.awaitLinked(careful, 1);
        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.HTTP, 0L);
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, 0L);

        ProxyClients.HttpHead refused =
                connect(http, "127.0.0.1:" + system.echo().port());
        ProxyClients.HttpHead byName =
                connect(http, "localhost:" + system.echo().port());
        ProxyClients.SocksResult socksRefused = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());

        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=destination_ip_prohibited");
        assertThat(byName.header("Proxy-Status")).isEqualTo("pocketproxy; error=destination_ip_prohibited");
        assertThat(socksRefused.reply()).isEqualTo(0x02);
    }

    @Test
    void saysSoWhenTheDeviceIsOffline() throws IOException {
        NewDevice unlinked = system.server().devices().create(system.operator().id(), "phone in a drawer");
        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), unlinked.device().id(), ConnectionType.HTTP, 0L);
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), unlinked.device().id(), ConnectionType.SOCKS5, 0L);

        ProxyClients.HttpHead offline =
                connect(http, "127.0.0.1:" + system.echo().port());
        ProxyClients.SocksResult socksOffline = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());

        assertThat(offline.status()).isEqualTo(502);
        assertThat(offline.header("Proxy-Status")).isEqualTo("pocketproxy; error=device_offline");
        assertThat(socksOffline.reply()).isEqualTo(0x03);
    }

    @Test
    void aDeletedDeviceLosesItsLinkAndCannotLinkAgain() {
        NewDevice doomed = system.server().devices().create(system.operator().id(), "doomed phone");
        Agent agent = system.startAgent(doomed, true);
        RunningSystem.awaitLinked(agent, 1);

        system.server().devices().delete(system.operator().id(), doomed.device().id());

        await().atMost(Duration.ofSeconds(5)).until(() -> agent.state() == Agent.State.CONNECTING);
        assertThat(system.server().relay().links().find(doomed.device().id())).isEmpty();
    }

    private static ProxyClients.HttpHead connect(IssuedPassword http, String target) throws IOException {
        ProxyClients.HttpHead head =
                ProxyClients.connect(system.httpProxyPort(), http.connection().username(), http.password(), target);
        head.socket().close();
        return head;
    }

    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
