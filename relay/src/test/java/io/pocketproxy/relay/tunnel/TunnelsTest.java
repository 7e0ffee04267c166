package io.pocketproxy.relay.tunnel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.Channel;
import io.pocketproxy.relay.LocalProxies;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.ScriptedDevice;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The tunnel hand-off over real sockets: customers on event loops of their own, a scripted device on a real
 * HTTP/2 link. Covers what only shows with threads and timing: the move onto the link's loop, bytes that
 * arrive before the device answered, the stream cap under racing opens, a link that drops mid-open.
 */
class TunnelsTest {

    private static final int MAX_STREAMS = 2;

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private ScriptedDevice device;
    private LocalProxies proxies;
    private ConnectionRecord connection;
    private final ExecutorService clients = Executors.newCachedThreadPool();

    @BeforeEach
    void start() {
        device = ScriptedDevice.start();
        proxies = LocalProxies.start(device.links(), MAX_STREAMS, Duration.ofSeconds(3));
        connection =
                proxies.directory().add("alice", "alice's password", ConnectionType.SOCKS5, device.deviceId(), 0, 0);
    }

    @AfterEach
    void stop() {
        clients.shutdownNow();
        proxies.close();
        device.close();
    }

    @Test
    void movesTheCustomerOntoItsDeviceLinksEventLoop() throws IOException {
        try (Socket tunnel = socksTunnel()) {
            assertThat(echo(tunnel, "through the phone")).isEqualTo("through the phone");

            Channel customer = proxies.accepted().get(0);
            assertThat(customer.eventLoop()).isSameAs(device.linkLoop());
        }
    }

    @Test
    void sendsBytesThatCameBeforeTheDevicesAnswerFirstAndInOrder() throws Exception {
        device.answer(ScriptedDevice.Answer.HOLD);
        try (Socket socket = ProxyClients.open(proxies.socksPort())) {
            signIn(socket);
            // A client that does not wait for the CONNECT reply: its first bytes ride along with the command.
            ByteArrayOutputStream eager = new ByteArrayOutputStream();
            eager.write(connectCommand());
            eager.write("early bytes|".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().write(eager.toByteArray());
            await().atMost(Duration.ofSeconds(10)).until(() -> device.held() == 1);

            device.releaseHeld();
            assertThat(readReply(socket)).isZero();
            socket.getOutputStream().write("later bytes".getBytes(StandardCharsets.US_ASCII));

            assertThat(readExactly(socket, "early bytes|later bytes".length())).isEqualTo("early bytes|later bytes");
        }
    }

    @Test
    void carriesAnHttpConnectTunnelWhoseFirstBytesCameWithTheHead() throws Exception {
        ConnectionRecord web =
                proxies.directory().add("bob", "bob's password", ConnectionType.HTTP, device.deviceId(), 0, 0);
        device.answer(ScriptedDevice.Answer.HOLD);
        try (Socket socket = ProxyClients.open(proxies.httpPort())) {
            socket.getOutputStream()
                    .write(("CONNECT echo.test:443 HTTP/1.1\r\nHost: echo.test:443\r\nProxy-Authorization: "
                                    + ProxyClients.basic(web.username(), "bob's password")
                                    + "\r\n\r\nearly bytes|")
                            .getBytes(StandardCharsets.US_ASCII));
            await().atMost(Duration.ofSeconds(10)).until(() -> device.held() == 1);

            device.releaseHeld();
            ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());
            assertThat(answer.status()).isEqualTo(200);
            socket.getOutputStream().write("later bytes".getBytes(StandardCharsets.US_ASCII));

            assertThat(readExactly(socket, "early bytes|later bytes".length())).isEqualTo("early bytes|later bytes");
        }
    }

    @Test
    void holdsTheStreamCapWhenOpensRace() throws Exception {
        device.answer(ScriptedDevice.Answer.HOLD);
        List<CompletableFuture<Integer>> replies = new ArrayList<>();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < MAX_STREAMS + 1; i++) {
            Socket socket = ProxyClients.open(proxies.socksPort());
            sockets.add(socket);
            replies.add(CompletableFuture.supplyAsync(() -> connectAndReadReply(socket), clients));
        }
        try {
            // Two opens wait on the device; the third must be refused even though none of them has opened yet.
            CompletableFuture<Integer> refused = CompletableFuture.anyOf(replies.toArray(CompletableFuture[]::new))
                    .thenApply(first -> (Integer) first);
            assertThat(refused.get(10, TimeUnit.SECONDS)).isEqualTo(0x01);
            await().atMost(Duration.ofSeconds(10)).until(() -> device.held() == MAX_STREAMS);

            device.releaseHeld();
            List<Integer> all = new ArrayList<>();
            for (CompletableFuture<Integer> reply : replies) {
                all.add(reply.get(10, TimeUnit.SECONDS));
            }
            assertThat(all).containsExactlyInAnyOrder(0x00, 0x00, 0x01);
        } finally {
            for (Socket socket : sockets) {
                socket.close();
            }
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() ->
                        proxies.meters().find(connection.id()).orElseThrow().openStreams() == 0);
    }

    @Test
    void answersDeviceOfflineWhenTheLinkDropsWhileOpening() throws Exception {
        device.answer(ScriptedDevice.Answer.HOLD);
        try (Socket socket = ProxyClients.open(proxies.socksPort())) {
            CompletableFuture<Integer> reply =
                    CompletableFuture.supplyAsync(() -> connectAndReadReply(socket), clients);
            await().atMost(Duration.ofSeconds(10)).until(() -> device.held() == 1);

            device.dropLink();

            assertThat(reply.get(10, TimeUnit.SECONDS)).isEqualTo(0x03); // network unreachable: device offline
        }
        assertThat(proxies.meters().find(connection.id()).orElseThrow().openStreams())
                .isZero();
    }

    @Test
    void passesTheDevicesRefusalOnInTheCustomersProtocol() throws IOException {
        device.answer(ScriptedDevice.Answer.REFUSE_DNS);
        try (Socket socket = ProxyClients.open(proxies.socksPort())) {
            signIn(socket);
            socket.getOutputStream().write(connectCommand());

            assertThat(readReply(socket)).isEqualTo(0x04); // host unreachable
        }
    }

    @Test
    void keepsTheIdleTimeoutAfterTheMove() throws IOException {
        try (Socket tunnel = socksTunnel()) {
            assertThat(echo(tunnel, "then silence")).isEqualTo("then silence");

            tunnel.setSoTimeout((int) proxies.idleTimeout().multipliedBy(10).toMillis());
            assertThat(tunnel.getInputStream().read()).isEqualTo(-1);
        }
    }

    private Socket socksTunnel() throws IOException {
        Socket socket = ProxyClients.open(proxies.socksPort());
        signIn(socket);
        socket.getOutputStream().write(connectCommand());
        int reply = readReply(socket);
        if (reply != 0) {
            socket.close();
            throw new AssertionError("SOCKS5 CONNECT answered " + reply);
        }
        return socket;
    }

    private Integer connectAndReadReply(Socket socket) {
        try {
            signIn(socket);
            socket.getOutputStream().write(connectCommand());
            return readReply(socket);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void signIn(Socket socket) throws IOException {
        OutputStream out = socket.getOutputStream();
        DataInputStream in = new DataInputStream(socket.getInputStream());
        out.write(new byte[] {5, 1, 2});
        assertThat(new byte[] {in.readByte(), in.readByte()}).containsExactly(5, 2);
        out.write(ProxyClients.socks5PasswordRequest(connection.username(), "alice's password"));
        assertThat(new byte[] {in.readByte(), in.readByte()}).containsExactly(1, 0);
    }

    /** CONNECT to a domain name: the scripted device never dials, it only echoes. */
    private static byte[] connectCommand() {
        return ProxyClients.socks5ConnectRequest("echo.test", 80);
    }

    private static int readReply(Socket socket) throws IOException {
        DataInputStream in = new DataInputStream(socket.getInputStream());
        in.readByte();
        int reply = in.readUnsignedByte();
        in.readFully(new byte[8]); // RSV, ATYP 1, 4 address bytes, 2 port bytes
        return reply;
    }

    private static String echo(Socket tunnel, String text) throws IOException {
        tunnel.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
        return readExactly(tunnel, text.length());
    }

    private static String readExactly(Socket socket, int length) throws IOException {
        byte[] bytes = new byte[length];
        new DataInputStream(socket.getInputStream()).readFully(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
