package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.SettableClock;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The relay's bounds on what one customer can hold, and its healing of a change notice that never came. */
class LimitsTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    /** The throttle's time: it moves only when a test says so, however slowly the checks run. */
    static final SettableClock clock = SettableClock.startingNow();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem(
            config -> config.idleTimeout(Duration.ofSeconds(1))
                    .maxStreamsPerConnection(2)
                    .directoryRefresh(Duration.ofMillis(300)),
            clock);

    @Test
    void closesATunnelThatStaysIdle() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        try (Socket tunnel = system.socksTunnel(socks)) {
            tunnel.getOutputStream().write(new byte[] {1, 2, 3});
            assertThat(tunnel.getInputStream().readNBytes(3)).containsExactly(1, 2, 3);

            assertThat(tunnel.getInputStream().read()).isEqualTo(-1); // nothing moves for a second: closed
        }
    }

    @Test
    void capsTheOpenTunnelsOfOneConnection() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead first = system.connectTunnel(http);
        ProxyClients.HttpHead second = system.connectTunnel(http);

        ProxyClients.HttpHead third = system.connectTunnel(http);

        assertThat(first.status()).isEqualTo(200);
        assertThat(second.status()).isEqualTo(200);
        assertThat(third.status()).isEqualTo(429);
        assertThat(third.header("Proxy-Status")).isEqualTo("pocketproxy; error=too_many_streams");
        first.socket().close();
        await().atMost(Duration.ofSeconds(2)).untilAsserted(() -> {
            ProxyClients.HttpHead again = system.connectTunnel(http);
            again.socket().close();
            assertThat(again.status()).isEqualTo(200);
        });
        second.socket().close();
        third.socket().close();
    }

    @Test
    void healsALostChangeNoticeByReReadingTheConnection() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead before = system.connectTunnel(http);
        before.socket().close();
        assertThat(before.status()).isEqualTo(200);

        // Straight into the database: no NOTIFY, as if the notice had been lost.
        system.server()
                .database()
                .jdbi()
                .useHandle(handle -> handle.execute(
                        "UPDATE proxy_connections SET active = false WHERE id = ?",
                        http.connection().id()));

        await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            ProxyClients.HttpHead after = system.connectTunnel(http);
            after.socket().close();
            assertThat(after.status()).isEqualTo(403);
        });
    }

    @Test
    void carriesAChunkedUploadToTheOrigin() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        try (Socket socket = ProxyClients.open(system.httpProxyPort())) {
            String head = "POST " + system.http().url("/count") + " HTTP/1.1\r\nHost: "
                    + system.http().authority()
                    + "\r\nProxy-Authorization: "
                    + ProxyClients.basic(http.connection().username(), http.password())
                    + "\r\nTransfer-Encoding: chunked\r\n\r\n";
            StringBuilder body = new StringBuilder();
            for (int chunk = 0; chunk < 50; chunk++) {
                body.append("400\r\n").append("x".repeat(0x400)).append("\r\n");
            }
            body.append("0\r\n\r\n");
            socket.getOutputStream().write((head + body).getBytes(java.nio.charset.StandardCharsets.US_ASCII));

            ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());

            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body(), java.nio.charset.StandardCharsets.US_ASCII))
                    .isEqualTo("51200");
        }
    }

    @Test
    void readsIpv6AddressesInSocksRequests() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        // Nothing listens on [::1] at the echo server's port: the device's "refused" proves the address got there.
        ProxyClients.SocksResult result = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "::1",
                system.echo().port());

        assertThat(result.reply()).isEqualTo(0x05);
    }

    @Test
    void throttlesRepeatedWrongPasswordsWithoutLockingTheRightOneOutForever() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        for (int attempt = 0; attempt < 10; attempt++) {
            assertThat(system.connectStatus(http.connection().username(), "wrong-" + UUID.randomUUID()))
                    .isEqualTo(407);
        }

        ProxyClients.HttpHead throttled = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        throttled.socket().close();

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 6L);
        clock.advance(Duration.ofSeconds(6)); // one more attempt
        assertThat(system.connectStatus(http.connection().username(), http.password()))
                .isEqualTo(200);
    }
}
