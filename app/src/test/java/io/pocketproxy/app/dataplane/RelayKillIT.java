package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.app.PocketProxyProcess;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real {@code pocketproxy relay} process killed with SIGKILL, as by a power cut: its devices move to the farm's
 * next relay within their backoff, and customers are served again, through that relay and through forwarding.
 */
class RelayKillIT {

    @RegisterExtension
    static final RunningSystem system = new RunningSystem();

    @Test
    void devicesOfAKilledRelayMoveOnAndTheirCustomersAreServedAgain(@TempDir Path relayDir) throws Exception {
        for (String file : List.of(RelayCertificate.CERTIFICATE_FILE, RelayCertificate.KEY_FILE)) {
            Files.copy(system.dataDir().resolve(file), relayDir.resolve(file));
        }
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone of a doomed relay");
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, 0L);
        try (PocketProxyProcess relay = PocketProxyProcess.start(
                List.of(),
                List.of(),
                Map.of("POCKETPROXY_DATABASE_URL", system.databaseUrl()),
                PocketProxyProcess.onAnyPorts("relay", "--bind", "127.0.0.1", "--data-dir", relayDir.toString()))) {
            PocketProxyProcess.RelayPorts ports = relay.awaitRelayUp();
            HostAndPort doomed = new HostAndPort("127.0.0.1", ports.link());
            HostAndPort serversRelay = new HostAndPort("127.0.0.1", system.linkPort());
            PairingString own = phone.pairing();
            Agent agent = system.startAgent(
                    new PairingString(List.of(doomed, serversRelay), own.deviceToken(), own.relayFingerprint()), true);
            RunningSystem.awaitLinked(agent, 1);
            assertThat(agent.relay()).isEqualTo(doomed);
            system.assertEchoes(ports.socks(), socks, 50_000);
            // Entering at the server's relay, forwarded to the relay process that holds the device.
            await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .untilAsserted(() -> system.assertEchoes(system.socksPort(), socks, 50_000));

            relay.kill();

            RunningSystem.awaitLinked(agent, 2);
            assertThat(agent.relay()).isEqualTo(serversRelay);
            // The killed relay's row is still fresh: the server's relay waits out the hand-over it will never hear.
            system.awaitServedHere(phone.device().id());
            system.assertEchoes(system.socksPort(), socks, 50_000);
        }
    }
}
