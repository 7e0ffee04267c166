package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.ConnectionChanges;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every byte through the device counts, both ways, and the limit is a wall: not one byte past it. */
class MeteringTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void countsUploadsAndDownloadsExactly() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        UUID id = socks.connection().id();

        try (Socket tunnel = system.socksTunnel(socks)) {
            // 100,000 bytes up to the echo server, the same 100,000 back down.
            ProxyPathsTest.assertEchoes(tunnel, 100_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(200_000));
    }

    @Test
    void cutsOffExactlyAtTheLimitWithZeroOvershoot() throws IOException {
        long limit = 150_000;
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, limit);
        UUID id = http.connection().id();

        long echoedBefore = system.echo().echoed();
        ProxyClients.HttpHead tunnel = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        assertThat(tunnel.status()).isEqualTo(200);
        long received;
        try (Socket socket = tunnel.socket()) {
            OutputStream out = socket.getOutputStream();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    out.write(LocalHttpTarget.patternBytes(100_000)); // 100 KB up, echoed 100 KB down: 200 KB wanted
                    out.flush();
                } catch (IOException e) {
                    // cut off mid-write: expected
                }
            });
            byte[] back = ProxyClients.readAll(tunnel.in(), 1_000_000);
            received = back.length;
            joinQuietly(writer);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
        long reachedTheOrigin = system.echo().echoed() - echoedBefore;
        assertThat(received).isGreaterThan(0);
        // Up to the origin plus down to the customer: never more than the limit.
        assertThat(reachedTheOrigin + received).isLessThanOrEqualTo(limit);
    }

    @Test
    void refusesNewTunnelsOnceTheLimitIsReachedAndSaysWhy() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 10_000);
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 10_000);
        system.useUpHttpLimit(http, system.httpProxyPort());
        useUpSocks(socks);

        ProxyClients.HttpHead refused = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        ProxyClients.SocksResult socksRefused = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=bandwidth_limit_reached");
        refused.socket().close();
        assertThat(socksRefused.reply()).isEqualTo(0x02);
    }

    @Test
    void aResetRestoresServiceAtOnce() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 10_000);
        system.useUpHttpLimit(http, system.httpProxyPort());
        UUID id = http.connection().id();

        system.server().connections().resetUsage(system.operator().id(), id);

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(
                        () -> assertThat(system.connectStatus(http.connection().username(), http.password()))
                                .isEqualTo(200));
        assertThat(system.connection(id).bandwidthUsed()).isLessThan(10_000);
    }

    @Test
    void aRaisedLimitRestoresServiceAtOnce() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 10_000);
        system.useUpHttpLimit(http, system.httpProxyPort());

        system.server()
                .connections()
                .update(system.operator().id(), http.connection().id(), new ConnectionChanges(1_000_000L, null, null));

        await().atMost(Duration.ofSeconds(1))
                .untilAsserted(
                        () -> assertThat(system.connectStatus(http.connection().username(), http.password()))
                                .isEqualTo(200));
    }

    @Test
    void oneMeterIsSharedByParallelTunnels() throws Exception {
        long limit = 120_000;
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, limit);
        UUID id = socks.connection().id();

        Thread[] tunnels = new Thread[4];
        for (int i = 0; i < tunnels.length; i++) {
            tunnels[i] = Thread.ofVirtual().start(() -> {
                try (Socket tunnel = system.socksTunnel(socks)) {
                    tunnel.getOutputStream().write(LocalHttpTarget.patternBytes(60_000));
                    ProxyClients.readAll(tunnel.getInputStream(), 1_000_000);
                } catch (IOException e) {
                    // cut off: expected
                }
            });
        }
        for (Thread tunnel : tunnels) {
            tunnel.join(20_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
    }

    private static void useUpSocks(IssuedPassword socks) throws IOException {
        system.useUpLimit(socks);
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(
                        () -> assertThat(system.storedUsage(socks.connection().id()))
                                .isEqualTo(socks.connection().bandwidthLimit()));
    }

    private static void joinQuietly(Thread thread) {
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
