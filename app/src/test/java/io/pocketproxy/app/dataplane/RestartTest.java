package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Usage survives a restart: a graceful stop writes what was counted (flushes are an hour apart here, so
 * only the stop can have written it), the next start loads it, and the limit still holds across both.
 */
class RestartTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem(config -> config.usageFlush(Duration.ofHours(1)));

    @Test
    void usageSurvivesARestartAndTheLimitHoldsAcrossIt() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 300_000);
        echoThrough(socks, 50_000); // 100,000 bytes counted

        int linksBefore = system.agent().linksEstablished();
        system.restartServer();

        assertThat(system.connection(socks.connection().id()).bandwidthUsed()).isEqualTo(100_000);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> system.agent().linksEstablished() > linksBefore
                        && system.server()
                                .relay()
                                .links()
                                .find(system.device().device().id())
                                .isPresent());
        try (Socket tunnel = system.socksTunnel(socks)) {
            try {
                tunnel.getOutputStream().write(LocalHttpTarget.patternBytes(400_000));
            } catch (IOException e) {
                // cut off mid-write at the limit
            }
            ProxyClients.readAll(tunnel.getInputStream(), 10_000_000);
        }
        assertThat(system.storedUsage(socks.connection().id())).isEqualTo(300_000);
    }

    private static void echoThrough(IssuedPassword socks, int bytes) throws IOException {
        try (Socket tunnel = system.socksTunnel(socks)) {
            ProxyPathsTest.assertEchoes(tunnel, bytes);
        }
    }
}
