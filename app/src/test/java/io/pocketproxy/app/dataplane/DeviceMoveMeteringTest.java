package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.agent.health.HealthSource;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device that moves to another relay takes its connections' counts with it: the relay it left writes what it
 * counted when the link goes, and the relay it joins starts from the database's total, so a limit stays exact across
 * the move. Usage is written only every hour here: what keeps the limit exact is the hand-over, not a timely flush.
 */
class DeviceMoveMeteringTest {

    private static final Duration RARELY = Duration.ofHours(1);

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem(config -> config.usageFlush(RARELY));

    @Test
    void aLimitStaysExactWhenTheDeviceMovesToAnotherRelayMidTraffic() throws Exception {
        long limit = 300_000;
        NewDevice phone = system.server().devices().create(system.operator().id(), "moving phone");
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, limit);
        UUID id = socks.connection().id();
        // The first agent comes back only long after the test: no tug of war between two agents of one device.
        Agent first = system.startAgent(
                phone.pairing(),
                true,
                config -> config.withBackoff(new Backoff(Duration.ofMinutes(5), Duration.ofMinutes(5))),
                HealthSource.unknown());
        RunningSystem.awaitLinked(first, 1);
        long echoedBefore = system.echo().echoed();
        AtomicLong received = new AtomicLong();

        try (RunningSystem.SecondRelay second = system.startSecondRelay(RARELY)) {
            // 200 KB counted on the server's relay, and not written yet: its next flush is an hour away.
            try (Socket before = system.socksTunnel(socks)) {
                ProxyPathsTest.assertEchoes(before, 100_000);
            }
            received.addAndGet(100_000);
            try (Socket during = system.socksTunnel(socks)) {
                Agent moved = system.startAgent(at(phone, second.linkPort()), true);
                RunningSystem.awaitLinked(moved, 1);

                // 400 KB wanted through the new relay (entering at either), as soon as it serves the device: 100 KB
                // of the limit are left. (It serves once the old relay wrote what it counted.)
                for (int port : new int[] {second.socksPort(), system.socksPort()}) {
                    try (Socket after = port == second.socksPort()
                            ? await().atMost(Duration.ofSeconds(10))
                                    .ignoreExceptions()
                                    .until(() -> system.socksTunnel(port, socks), java.util.Objects::nonNull)
                            : system.socksTunnel(port, socks)) {
                        ProxyClients.exchangeUntilCut(after, 100_000, received);
                    } catch (AssertionError refusedOnceTheLimitIsReached) {
                        // the second customer may find the limit reached already
                    }
                }
                // The move ended the old link, and with it the tunnel open through it.
                during.setSoTimeout(10_000);
                assertThat(endOf(during)).isEqualTo(-1);
                moved.close(); // its link leaves the second relay, which writes what it counted
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
        } finally {
            first.close();
        }
        long reachedTheOrigin = system.echo().echoed() - echoedBefore;
        assertThat(reachedTheOrigin + received.get()).isLessThanOrEqualTo(limit);
    }

    @Test
    void aLimitStaysExactWhenTheAgentStopsAndLinksToAnotherRelayAtOnce() throws Exception {
        long limit = 300_000;
        NewDevice phone = system.server().devices().create(system.operator().id(), "restarted phone");
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, limit);
        UUID id = socks.connection().id();
        long echoedBefore = system.echo().echoed();
        AtomicLong received = new AtomicLong();

        try (RunningSystem.SecondRelay second = system.startSecondRelay(RARELY)) {
            Agent before = system.startAgent(at(phone, second.linkPort()), true);
            RunningSystem.awaitLinked(before, 1);
            // 200 KB counted on the second relay, and not written yet.
            try (Socket tunnel = system.socksTunnel(second.socksPort(), socks)) {
                ProxyPathsTest.assertEchoes(tunnel, 100_000);
            }
            received.addAndGet(100_000);
            // The link ends on its own (no other relay took it), and the device links to the server's relay at once.
            before.close();
            Agent after = system.startAgent(phone.pairing(), true);
            RunningSystem.awaitLinked(after, 1);

            try (Socket tunnel = await().atMost(Duration.ofSeconds(10))
                    .ignoreExceptions()
                    .until(() -> system.socksTunnel(socks), java.util.Objects::nonNull)) {
                ProxyClients.exchangeUntilCut(tunnel, 200_000, received);
            }
            after.close();
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
        }
        long reachedTheOrigin = system.echo().echoed() - echoedBefore;
        assertThat(reachedTheOrigin + received.get()).isLessThanOrEqualTo(limit);
    }

    private static PairingString at(NewDevice device, int linkPort) {
        PairingString own = device.pairing();
        return new PairingString(
                List.of(new HostAndPort("127.0.0.1", linkPort)), own.deviceToken(), own.relayFingerprint());
    }

    /** What a read of a tunnel the relay ended answers: the end, or a reset, as -1. */
    private static int endOf(Socket tunnel) {
        try {
            return tunnel.getInputStream().read();
        } catch (java.net.SocketTimeoutException e) {
            return -2; // still open
        } catch (IOException e) {
            return -1;
        }
    }
}
