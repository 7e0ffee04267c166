package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TakesEffect;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code pocketproxy relay}: a second data plane beside the server, sharing its database. Devices link to
 * it, customers proxy through it, its usage lands in the shared database, and the control plane's changes
 * reach it too.
 */
class StandaloneRelayTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    static RunningSystem.SecondRelay relay;
    static Agent agent;
    static NewDevice phone;
    static int socksPort;

    @BeforeAll
    static void aSecondRelaySharingTheServersIdentity() throws IOException {
        relay = system.startSecondRelay();
        socksPort = relay.socksPort();
        phone = system.server().devices().create(system.operator().id(), "second relay's phone");
        PairingString pairing = phone.pairing();
        // The server's certificate, another relay address.
        agent = Agent.start(
                AgentConfig.of("127.0.0.1", relay.linkPort(), pairing.deviceToken(), pairing.relayFingerprint(), true)
                        .withBackoff(new Backoff(Duration.ofMillis(50), Duration.ofMillis(500))));
        RunningSystem.awaitLinked(agent, 1);
    }

    @AfterAll
    static void stopIt() throws Exception {
        agent.close();
        relay.close();
    }

    @Test
    void carriesTrafficAndItsUsageLandsInTheSharedDatabase() throws IOException {
        IssuedPassword socks = newConnection();

        try (Socket tunnel = open(socks, socks.password())) {
            ProxyPathsTest.assertEchoes(tunnel, 30_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(
                                system.connection(socks.connection().id()).bandwidthUsed())
                        .isEqualTo(60_000));
    }

    @Test
    void hearsTheControlPlanesChanges() throws IOException {
        IssuedPassword socks = newConnection();
        open(socks, socks.password()).close();

        long regeneratedAt = System.nanoTime();
        IssuedPassword regenerated = system.server()
                .connections()
                .regeneratePassword(system.operator().id(), socks.connection().id());

        TakesEffect.within(
                Duration.ofSeconds(1),
                regeneratedAt,
                () -> ProxyClients.socks5(
                                        socksPort,
                                        socks.connection().username(),
                                        socks.password(),
                                        "127.0.0.1",
                                        system.echo().port())
                                .authStatus()
                        != 0);
        open(socks, regenerated.password()).close();
    }

    private static IssuedPassword newConnection() {
        return system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, 0L);
    }

    private static Socket open(IssuedPassword socks, String password) throws IOException {
        ProxyClients.SocksResult result = ProxyClients.socks5(
                socksPort,
                socks.connection().username(),
                password,
                "127.0.0.1",
                system.echo().port());
        assertThat(result.reply()).isZero();
        return result.socket();
    }
}
