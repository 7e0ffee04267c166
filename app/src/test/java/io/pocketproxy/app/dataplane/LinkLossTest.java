package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.agent.Agent;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.metering.Meter;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import io.pocketproxy.testkit.TcpForwarder;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A device whose link dies, by a network that goes silent (a blackhole: nothing arrives, nothing closes) or by
 * its agent being killed (the kernel resets its connections): every customer of that device is told within the
 * link's ping timeout, each in its own protocol, and the relay keeps nothing of theirs. The other timers (idle
 * tunnels, device answers) are minutes long here, so only the link's loss can end these customers this soon.
 */
class LinkLossTest {

    private static final Duration PING_INTERVAL = Duration.ofMillis(200);

    /** Three ping intervals (two pings may go unanswered) end the link; the rest is room for a loaded machine. */
    private static final Duration TOLD_WITHIN = Duration.ofSeconds(5);

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system =
            new RunningSystem(config -> config.linkPingInterval(PING_INTERVAL).idleTimeout(Duration.ofMinutes(5)));

    /** How the link dies. */
    private interface Fault {
        void strike(TcpForwarder network) throws IOException;
    }

    @Test
    void aBlackholedLinkEndsEveryCustomerOfItsDeviceWithinThePingTimeout() throws Exception {
        everyCustomerIsToldWhenTheLinkDies(TcpForwarder::freeze);
    }

    @Test
    void aKilledAgentEndsEveryCustomerOfItsDeviceAtOnce() throws Exception {
        everyCustomerIsToldWhenTheLinkDies(TcpForwarder::cut);
    }

    private static void everyCustomerIsToldWhenTheLinkDies(Fault fault) throws Exception {
        NewDevice phone = system.server().devices().create(system.operator().id(), "phone about to be lost");
        IssuedPassword http = newConnection(phone, ConnectionType.HTTP);
        IssuedPassword socks = newConnection(phone, ConnectionType.SOCKS5);
        ExecutorService customers = Executors.newVirtualThreadPerTaskExecutor();
        try (TcpForwarder network = TcpForwarder.to(phone.pairing().relayPort());
                TcpForwarder silentOrigin = TcpForwarder.to(system.http().port())) {
            silentOrigin.freeze(); // takes requests, never answers: a plain HTTP request stays in flight
            Agent agent = system.startAgent(behind(network, phone), true);
            RunningSystem.awaitLinked(agent, 1);

            ProxyClients.HttpHead connectTunnel = system.connectTunnel(http);
            assertThat(connectTunnel.status()).isEqualTo(200);
            assertEchoes(connectTunnel.socket());
            Socket socksTunnel = system.socksTunnel(socks);
            assertEchoes(socksTunnel);
            Socket forward = sendForward(http, "http://127.0.0.1:" + silentOrigin.port() + "/hello");
            // In flight: its device stream is open (next to the CONNECT tunnel's), its answer will never come.
            await().atMost(Duration.ofSeconds(10)).until(() -> openStreams(http) == 2);

            fault.strike(network);
            long struck = System.nanoTime();
            // Customers arriving after the fault, before the relay noticed it: their device stream never opens.
            Future<Integer> socksMidHandshake = customers.submit(() -> socksReply(socks));
            Future<ProxyClients.HttpHead> connectMidHandshake = customers.submit(() -> system.connectTunnel(http));

            Future<String> connectEnd = customers.submit(endOf("CONNECT tunnel", connectTunnel.socket()));
            Future<String> socksEnd = customers.submit(endOf("SOCKS5 tunnel", socksTunnel));
            Future<String> forwardAnswer = customers.submit(() -> answerTo(forward));

            assertThat(within(connectEnd, "an established CONNECT tunnel")).isEqualTo("CONNECT tunnel closed");
            assertThat(within(socksEnd, "an established SOCKS5 tunnel")).isEqualTo("SOCKS5 tunnel closed");
            assertThat(within(forwardAnswer, "a plain HTTP request in flight"))
                    .isEqualTo("502 pocketproxy; error=device_offline");
            assertThat(within(socksMidHandshake, "a SOCKS5 CONNECT under way"))
                    .as("SOCKS5 reply")
                    .isEqualTo(0x03); // network unreachable: the device is offline
            ProxyClients.HttpHead refused = within(connectMidHandshake, "an HTTP CONNECT under way");
            assertThat(refused.status()).isEqualTo(502);
            assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=device_offline");
            refused.socket().close();
            System.out.printf(
                    "every customer told %d ms after the link died (ping interval %s)%n",
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - struck), PING_INTERVAL);

            relayHoldsNothingFor(phone, http, socks);
            agent.close();
        } finally {
            customers.shutdownNow();
        }
    }

    /** What {@code customer} was told; fails, naming them, if they are still waiting after {@link #TOLD_WITHIN}. */
    private static <T> T within(Future<T> customer, String who) throws Exception {
        try {
            return customer.get(TOLD_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(who + " was told nothing within " + TOLD_WITHIN + " of the link's death");
        }
    }

    private static int openStreams(IssuedPassword connection) {
        return system.server()
                .relay()
                .meters()
                .find(connection.connection().id())
                .map(Meter::openStreams)
                .orElse(0);
    }

    private static IssuedPassword newConnection(NewDevice phone, ConnectionType type) {
        return system.server()
                .connections()
                .create(system.operator().id(), phone.device().id(), type, 0L);
    }

    /** The device's pairing, dialling through {@code network} instead of straight to the relay. */
    private static PairingString behind(TcpForwarder network, NewDevice phone) {
        PairingString pairing = phone.pairing();
        return new PairingString("127.0.0.1", network.port(), pairing.deviceToken(), pairing.relayFingerprint());
    }

    private static void assertEchoes(Socket tunnel) throws IOException {
        tunnel.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
        assertThat(tunnel.getInputStream().readNBytes(4))
                .asString(StandardCharsets.US_ASCII)
                .isEqualTo("ping");
    }

    /** A plain {@code GET} through the HTTP proxy, not waiting for its answer. */
    private static Socket sendForward(IssuedPassword http, String url) throws IOException {
        Socket socket = ProxyClients.open(system.httpProxyPort());
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + url + " HTTP/1.1\r\nHost: 127.0.0.1\r\nProxy-Authorization: "
                        + ProxyClients.basic(http.connection().username(), http.password()) + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** What an established tunnel's customer sees: the end of the stream (or a reset), and nothing else. */
    private static Callable<String> endOf(String what, Socket tunnel) {
        return () -> {
            try (tunnel) {
                InputStream in = tunnel.getInputStream();
                int read = in.read();
                return read == -1 ? what + " closed" : what + " carried a byte after the link died: " + read;
            } catch (SocketException reset) {
                return what + " closed";
            }
        };
    }

    /** The status and {@code Proxy-Status} of the answer to an in-flight plain HTTP request. */
    private static String answerTo(Socket forward) throws IOException {
        try (forward) {
            ProxyClients.HttpHead answer = ProxyClients.readHead(forward, forward.getInputStream());
            return answer.status() + " " + answer.header("Proxy-Status");
        }
    }

    /** The reply code to a SOCKS5 CONNECT sent now, to the echo target. */
    private static int socksReply(IssuedPassword socks) throws IOException {
        try (Socket socket = ProxyClients.open(system.socksPort())) {
            OutputStream out = socket.getOutputStream();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            out.write(new byte[] {5, 1, 2});
            out.write(ProxyClients.socks5PasswordRequest(socks.connection().username(), socks.password()));
            out.write(
                    ProxyClients.socks5ConnectRequest("127.0.0.1", system.echo().port()));
            out.flush();
            in.readFully(new byte[4]); // method chosen, password accepted
            in.readByte();
            return in.readUnsignedByte();
        }
    }

    /** No link, no stream slot, no tracked tunnel left for the device and its connections. */
    private static void relayHoldsNothingFor(NewDevice phone, IssuedPassword... connections) {
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(system.server().relay().links().find(phone.device().id()))
                    .isEmpty();
            for (IssuedPassword connection : connections) {
                Meter meter = system.server()
                        .relay()
                        .meters()
                        .find(connection.connection().id())
                        .orElseThrow();
                assertThat(meter.openStreams()).as("open streams").isZero();
                assertThat(meter.openTunnels()).as("open tunnels").isZero();
            }
        });
    }
}
