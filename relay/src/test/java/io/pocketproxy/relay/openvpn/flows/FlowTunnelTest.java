package io.pocketproxy.relay.openvpn.flows;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.pocketproxy.link.Transport;
import io.pocketproxy.relay.RelayParts;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.ScriptedDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The OpenVPN protocol step on real sockets, without the kernel's diversion: a flow accepted by the listener is
 * a tunnel to the flow's local address (what TPROXY makes the original destination), for the session its source
 * address belongs to; a flow nobody's session explains, or one the device refuses, is reset.
 */
class FlowTunnelTest {

    @RegisterExtension
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private ScriptedDevice device;
    private RelayParts relay;
    private FlowTable flows;
    private Channel listener;
    private int port;

    @BeforeEach
    void listen() {
        device = ScriptedDevice.start();
        relay = new RelayParts(device.links(), 10, Duration.ofMinutes(5));
        flows = new FlowTable();
        listener = new ServerBootstrap()
                .group(device.loops())
                .channel(Transport.serverChannel())
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new FlowInitializer(
                        flows, relay.tunnels(), session -> new ChannelInboundHandlerAdapter(), Duration.ofMinutes(1)))
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .syncUninterruptibly()
                .channel();
        port = ((InetSocketAddress) listener.localAddress()).getPort();
    }

    @AfterEach
    void close() {
        listener.close().syncUninterruptibly();
        relay.close();
        device.close();
    }

    @Test
    void tunnelsAFlowToItsOriginalDestinationThroughTheSessionsDevice() throws IOException {
        ConnectionRecord connection =
                relay.directory().add("ppflow", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0);
        VpnSession session = session(connection);
        flows.add(session);

        try (Socket flow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            flow.getOutputStream().write("hello through the phone".getBytes());
            byte[] echoed = flow.getInputStream().readNBytes("hello through the phone".length());

            assertThat(new String(echoed)).isEqualTo("hello through the phone");
            assertThat(device.authorities()).containsExactly("127.0.0.1:" + port);
            assertThat(relay.meters().meterFor(connection).used()).isEqualTo(2L * echoed.length);
            assertThat(session.openFlows()).isEqualTo(1);
        }
    }

    @Test
    void resetsAFlowNoSessionExplains() throws IOException {
        try (Socket flow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertReset(flow);
        }
        assertThat(device.authorities()).isEmpty();
    }

    @Test
    void resetsAFlowOfAnEndedSession() throws IOException {
        VpnSession session =
                session(relay.directory().add("ppended", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0));
        flows.add(session);
        session.end();

        try (Socket flow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertReset(flow);
        }
    }

    @Test
    void resetsAFlowTheDeviceRefusesSoTheCustomerFailsAtOnce() throws IOException {
        flows.add(session(
                relay.directory().add("pprefused", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0)));
        device.answer(ScriptedDevice.Answer.REFUSE_DNS);

        try (Socket flow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            assertReset(flow);
        }
    }

    @Test
    void closesTheSessionsFlowsWhenItIsGone() throws IOException {
        VpnSession session =
                session(relay.directory().add("ppgone", "password", ConnectionType.OPENVPN, device.deviceId(), 0, 0));
        flows.add(session);
        try (Socket flow = new Socket(InetAddress.getLoopbackAddress(), port)) {
            flow.getOutputStream().write(1);
            assertThat(flow.getInputStream().read()).isEqualTo(1);

            session.closeFlows();

            assertThat(flow.getInputStream().read()).isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> session.openFlows() == 0);
    }

    private static VpnSession session(ConnectionRecord connection) {
        return new VpnSession(7, connection, InetAddress.getLoopbackAddress(), () -> {});
    }

    private static void assertReset(Socket flow) throws IOException {
        flow.setSoTimeout(10_000);
        InputStream in = flow.getInputStream();
        assertThatThrownBy(() -> {
                    flow.getOutputStream().write(new byte[] {1, 2, 3});
                    in.read();
                })
                .isInstanceOf(SocketException.class)
                .hasMessageContaining("reset");
    }
}
