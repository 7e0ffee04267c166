package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.agent.AgentConfig;
import io.pocketproxy.agent.Backoff;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.TcpForwarder;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A link that goes silent is noticed by its missed pings; a second link for a device replaces the first. */
class DeadLinkTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem(config -> config.linkPingInterval(Duration.ofMillis(200)));

    @Test
    void dropsALinkThatMissesTwoPings() throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone in a tunnel");
        PairingString pairing = phone.pairing();
        try (TcpForwarder network = TcpForwarder.to(pairing.relayPort())) {
            Agent agent = system.startAgent(
                    new NewDevice(
                            phone.device(),
                            phone.token(),
                            new PairingString(
                                    "127.0.0.1", network.port(), pairing.deviceToken(), pairing.relayFingerprint())),
                    true);
            RunningSystem.awaitLinked(agent, 1);
            assertThat(system.server().relay().links().find(phone.device().id()))
                    .isPresent();

            network.freeze();

            // Pings every 200 ms, two may go unanswered: the relay gives up well within two seconds.
            await().atMost(Duration.ofSeconds(2))
                    .until(() -> system.server()
                            .relay()
                            .links()
                            .find(phone.device().id())
                            .isEmpty());
        }
    }

    @Test
    void aSecondLinkForADeviceReplacesTheFirst() {
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone with a twin");
        Agent first = system.startAgent(phone, true);
        RunningSystem.awaitLinked(first, 1);

        Agent second = Agent.start(AgentConfig.fromPairing(phone.pairing(), true)
                .withBackoff(new Backoff(Duration.ofSeconds(30), Duration.ofSeconds(60))));
        try {
            // It may hold the link only briefly: the first dials back quickly and takes it over in turn.
            await().atMost(Duration.ofSeconds(10)).until(() -> second.linksEstablished() >= 1);

            // The first was cut off when the second arrived, and dials again by itself.
            await().atMost(Duration.ofSeconds(10)).until(() -> first.linksEstablished() >= 2);
            assertThat(system.server().relay().links().size())
                    .isLessThanOrEqualTo(2); // this device once, the fixture's once
        } finally {
            second.close();
        }
    }
}
