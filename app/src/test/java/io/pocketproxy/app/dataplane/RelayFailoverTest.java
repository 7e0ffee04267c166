package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.List;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pairing string that names a farm's relays: the agent links to the first it reaches and moves to the next when
 * its relay dies, and customers are served through the relay it moved to.
 */
class RelayFailoverTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void movesToTheFarmsNextRelayWhenItsRelayDies() throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "farm phone");
        IssuedPassword socks = system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), ConnectionType.SOCKS5, 0L);
        try (RunningSystem.SecondRelay second = system.startSecondRelay()) {
            HostAndPort secondRelay = new HostAndPort("127.0.0.1", second.linkPort());
            HostAndPort serversRelay = new HostAndPort("127.0.0.1", system.linkPort());
            Agent agent = system.startAgent(farm(phone, secondRelay, serversRelay), true);
            RunningSystem.awaitLinked(agent, 1);
            assertThat(agent.relay()).isEqualTo(secondRelay);
            system.assertEchoes(second.socksPort(), socks, 10_000);

            second.close(); // the relay dies

            RunningSystem.awaitLinked(agent, 2);
            assertThat(agent.relay()).isEqualTo(serversRelay);
            system.awaitServedHere(phone.device().id());
            system.assertEchoes(system.socksPort(), socks, 10_000);
        }
    }

    @Test
    void skipsARelayThatDoesNotAnswer() throws IOException {
        NewDevice phone = system.server().devices().create(system.operator().id(), "patient phone");
        HostAndPort nobody;
        try (ServerSocket closed = new ServerSocket(0)) {
            nobody = new HostAndPort("127.0.0.1", closed.getLocalPort());
        }

        Agent agent = system.startAgent(farm(phone, nobody, new HostAndPort("127.0.0.1", system.linkPort())), true);

        RunningSystem.awaitLinked(agent, 1);
        assertThat(agent.relay().port()).isEqualTo(system.linkPort());
    }

    private static PairingString farm(NewDevice device, HostAndPort... relays) {
        PairingString own = device.pairing();
        return new PairingString(List.of(relays), own.deviceToken(), own.relayFingerprint());
    }
}
