package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.ConnectionChanges;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TakesEffect;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the operator changes reaches the relay within a second, open tunnels included. */
class LiveChangesTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void aRegeneratedPasswordShutsTheOldOneOutWithinASecond() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        assertThat(system.connectStatus(http.connection().username(), http.password()))
                .isEqualTo(200); // now in the verified cache

        long regeneratedAt = System.nanoTime();
        IssuedPassword regenerated = system.server()
                .connections()
                .regeneratePassword(system.operator().id(), http.connection().id());

        TakesEffect.within(
                Duration.ofSeconds(1),
                regeneratedAt,
                () -> system.connectStatus(http.connection().username(), http.password()) == 407);
        assertThat(system.connectStatus(http.connection().username(), regenerated.password()))
                .isEqualTo(200);
    }

    @Test
    void aWrongPasswordIsRefusedOnBothProxies() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        ProxyClients.HttpHead refused = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                "not-the-password",
                "127.0.0.1:" + system.echo().port());
        ProxyClients.SocksResult socksRefused = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                "not-the-password",
                "127.0.0.1",
                system.echo().port());
        ProxyClients.HttpHead anonymous = ProxyClients.connect(
                system.httpProxyPort(), null, null, "127.0.0.1:" + system.echo().port());

        assertThat(refused.status()).isEqualTo(407);
        assertThat(refused.header("Proxy-Authenticate")).startsWith("Basic");
        assertThat(socksRefused.authStatus()).isNotZero();
        assertThat(anonymous.status()).isEqualTo(407);
        refused.socket().close();
        anonymous.socket().close();
    }

    @Test
    void deletingAConnectionKillsItsOpenTunnels() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        ProxyClients.SocksResult open = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());
        assertThat(open.reply()).isZero();

        try (Socket tunnel = open.socket()) {
            system.server()
                    .connections()
                    .delete(system.operator().id(), socks.connection().id());

            assertThat(tunnel.getInputStream().read()).isEqualTo(-1); // closed by the relay, within the read timeout
        }
        ProxyClients.SocksResult again = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());
        assertThat(again.authStatus()).isNotZero();
    }

    @Test
    void disablingAConnectionKillsItsTunnelsAndRefusesNewOnes() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead open = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        assertThat(open.status()).isEqualTo(200);

        try (Socket tunnel = open.socket()) {
            system.server()
                    .connections()
                    .update(system.operator().id(), http.connection().id(), new ConnectionChanges(null, false, null));

            assertThat(open.in().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(1)).untilAsserted(() -> {
            ProxyClients.HttpHead refused = ProxyClients.connect(
                    system.httpProxyPort(),
                    http.connection().username(),
                    http.password(),
                    "127.0.0.1:" + system.echo().port());
            refused.socket().close();
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=connection_disabled");
        });
    }
}
