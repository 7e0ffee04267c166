package io.pocketproxy.relay.openvpn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.pocketproxy.relay.RelayParts;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.openvpn.flows.FlowTable;
import io.pocketproxy.relay.openvpn.management.ManagementInterface;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sessions of OpenVPN clients as the management interface carries them, over a real Unix socket with a
 * scripted OpenVPN on the other end: sign-ins answered by the relay's customer authentication, refusals with the
 * reason the client prints, pool addresses into the flow table, and {@code client-kill} when the connection must
 * stop.
 */
class OpenVpnSessionsTest {

    @TempDir
    Path directory;

    private EventLoopGroup loops;
    private RelayParts relay;
    private FlowTable flows;
    private OpenVpnSessions sessions;
    private ManagementInterface management;
    private ScriptedOpenVpn openvpn;

    @BeforeEach
    void connect() {
        Assumptions.assumeTrue(Epoll.isAvailable(), "Unix sockets need Netty's epoll transport");
        loops = new EpollEventLoopGroup(1);
        relay = new RelayParts(DeviceLinks.standalone(), 10, Duration.ofMinutes(5));
        flows = new FlowTable();
        sessions = new OpenVpnSessions(relay.authenticator(), relay.tunnels(), relay.meters(), flows);
        management = ManagementInterface.listen(loops, directory.resolve("management.sock"), sessions);
        sessions.attach(management);
        management.expectPeer(ProcessHandle.current().pid());
        openvpn = ScriptedOpenVpn.connect(directory.resolve("management.sock"));
        assertThat(openvpn.nextCommand()).isEqualTo("state on all");
    }

    @AfterEach
    void close() throws Exception {
        if (openvpn != null) {
            openvpn.close();
        }
        if (management != null) {
            management.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (loops != null) {
            loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS)
                    .syncUninterruptibly();
        }
    }

    @Test
    void listensOnASocketOnlyItsOwnerMayUse() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(directory.resolve("management.sock"))))
                .isEqualTo("rw-------");
    }

    @Test
    void isUpOnceOpenVpnReportsItsInitializationComplete() {
        assertThat(sessions.whenUp()).isNotDone();

        openvpn.initialized();

        await().atMost(Duration.ofSeconds(5)).until(() -> sessions.whenUp().isDone());
    }

    @Test
    void letsInTheRightPasswordAndPutsTheClientsAddressInTheFlowTable() throws Exception {
        ConnectionRecord connection =
                relay.directory().add("ppalice", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);

        openvpn.connect(7, 1, "ppalice", "right password");
        assertThat(openvpn.nextCommand()).isEqualTo("client-auth-nt 7 1");
        openvpn.established(7, "10.8.0.2", "ppalice");

        await().atMost(Duration.ofSeconds(5))
                .until(() -> flows.find(InetAddress.getByName("10.8.0.2")).isPresent());
        assertThat(flows.find(InetAddress.getByName("10.8.0.2"))
                        .get()
                        .connection()
                        .id())
                .isEqualTo(connection.id());
        assertThat(sessions.size()).isEqualTo(1);
    }

    @Test
    void refusesAWrongPasswordSayingSo() {
        relay.directory().add("ppbob", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);

        openvpn.connect(3, 1, "ppbob", "wrong password");

        assertThat(openvpn.nextCommand())
                .isEqualTo("client-deny 3 1 \"wrong username or password\" \"wrong username or password\"");
    }

    @Test
    void refusesAConnectionAtItsLimitWithTheReasonTheClientPrints() {
        relay.directory().add("ppcarol", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 1000, 1000);

        openvpn.connect(4, 1, "ppcarol", "right password");

        assertThat(openvpn.nextCommand())
                .isEqualTo("client-deny 4 1 \"bandwidth limit reached\" \"bandwidth limit reached\"");
    }

    @Test
    void refusesADisabledConnection() {
        ConnectionRecord record =
                relay.directory().add("ppdave", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);
        relay.directory()
                .put(new ConnectionRecord(
                        record.id(),
                        record.username(),
                        record.passwordHash(),
                        record.type(),
                        false,
                        0,
                        0,
                        0,
                        record.deviceId()));

        openvpn.connect(5, 1, "ppdave", "right password");

        assertThat(openvpn.nextCommand()).isEqualTo("client-deny 5 1 \"connection disabled\" \"connection disabled\"");
    }

    @Test
    void refusesTheRightPasswordOfAConnectionSoldForSocks5() {
        relay.directory().add("ppgrace", "right password", ConnectionType.SOCKS5, UUID.randomUUID(), 0, 0);

        openvpn.connect(6, 1, "ppgrace", "right password");

        assertThat(openvpn.nextCommand())
                .isEqualTo("client-deny 6 1 \"not an OpenVPN connection\" \"not an OpenVPN connection\"");
    }

    @Test
    void killsTheSessionOnceWhenTheConnectionsTunnelsMustCloseAndForgetsItWhenItIsGone() throws Exception {
        ConnectionRecord connection =
                relay.directory().add("ppeve", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);
        openvpn.connect(9, 1, "ppeve", "right password");
        assertThat(openvpn.nextCommand()).isEqualTo("client-auth-nt 9 1");
        openvpn.established(9, "10.8.0.9", "ppeve");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> flows.find(InetAddress.getByName("10.8.0.9")).isPresent());

        // What a reached limit, a disabled, deleted or re-passworded connection does: close its tunnels.
        relay.meters().meterFor(connection).closeTunnels();
        relay.meters().meterFor(connection).closeTunnels();

        assertThat(openvpn.nextCommand()).isEqualTo("client-kill 9");
        assertThat(flows.find(InetAddress.getByName("10.8.0.9")).get().ended()).isTrue();
        openvpn.disconnected(9);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> flows.find(InetAddress.getByName("10.8.0.9")).isEmpty());
        assertThat(relay.meters().meterFor(connection).openSessions()).isZero();
        openvpn.send("ERROR: client-kill command failed"); // a late kill of a gone client: nothing to do
        assertThat(sessions.size()).isZero();
    }

    @Test
    void endsEverySessionWhenOpenVpnGoes() throws Exception {
        relay.directory().add("ppfrank", "right password", ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);
        openvpn.connect(1, 1, "ppfrank", "right password");
        assertThat(openvpn.nextCommand()).isEqualTo("client-auth-nt 1 1");
        openvpn.established(1, "10.8.0.3", "ppfrank");
        await().atMost(Duration.ofSeconds(5)).until(() -> flows.size() == 1);

        openvpn.close();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> flows.size() == 0 && sessions.whenClosed().isDone());
    }

    @Test
    void neverHearsFromAProcessThatIsNotOurOpenVpn() throws Exception {
        management.close();
        management = ManagementInterface.listen(loops, directory.resolve("other.sock"), sessions);
        management.expectPeer(ProcessHandle.current().pid() + 1_000_000); // not us

        try (ScriptedOpenVpn impostor = ScriptedOpenVpn.connectSilently(directory.resolve("other.sock"))) {
            assertThat(impostor.nextCommand()).isEqualTo("<closed>");
        }
        assertThat(management.connected()).isFalse();
    }
}
