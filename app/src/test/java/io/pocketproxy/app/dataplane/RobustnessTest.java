package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Bad and slow customers get a clean close, and nothing they do grows the relay's memory or leaks a buffer. */
class RobustnessTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem(config -> config.headDeadline(Duration.ofSeconds(1)));

    @Test
    void answersAMalformedHttpHeadWith400AndCloses() throws IOException {
        try (Socket socket = ProxyClients.open(system.httpProxyPort())) {
            socket.getOutputStream().write("THIS IS NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));

            ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());

            assertThat(answer.status()).isEqualTo(400);
            answer.body();
            assertThat(socket.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void answersAHeadOver64KiBWith431AndCloses() throws IOException {
        try (Socket socket = ProxyClients.open(system.httpProxyPort())) {
            String head = "CONNECT 127.0.0.1:80 HTTP/1.1\r\nX-Padding: " + "a".repeat(70 * 1024) + "\r\n\r\n";
            socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));

            ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());

            assertThat(answer.status()).isEqualTo(431);
            answer.body();
            assertThat(ProxyClients.readAll(socket.getInputStream(), 1_000_000)).isEmpty();
        }
    }

    @Test
    void closesOnAMalformedSocksGreeting() throws IOException {
        try (Socket socket = ProxyClients.open(system.socksPort())) {
            socket.getOutputStream().write(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0}); // SOCKS4, not 5

            assertThat(ProxyClients.readAll(socket.getInputStream(), 1024)).isEmpty();
        }
    }

    @Test
    void refusesASocksClientOfferingNoPasswordMethod() throws IOException {
        try (Socket socket = ProxyClients.open(system.socksPort())) {
            socket.getOutputStream().write(new byte[] {5, 1, 0}); // "no authentication" only

            assertThat(ProxyClients.readAll(socket.getInputStream(), 1024)).containsExactly(5, 0xff);
        }
    }

    @Test
    void refusesBindAndUdpAssociateWithCommandNotSupported() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        try (Socket socket = ProxyClients.open(system.socksPort())) {
            var out = socket.getOutputStream();
            InputStream in = socket.getInputStream();
            out.write(new byte[] {5, 1, 2});
            assertThat(in.readNBytes(2)).containsExactly(5, 2);
            byte[] user = socks.connection().username().getBytes(StandardCharsets.US_ASCII);
            byte[] pass = socks.password().getBytes(StandardCharsets.US_ASCII);
            out.write(1);
            out.write(user.length);
            out.write(user);
            out.write(pass.length);
            out.write(pass);
            assertThat(in.readNBytes(2)).containsExactly(1, 0);

            out.write(new byte[] {5, 3, 0, 1, 127, 0, 0, 1, 0, 80}); // UDP ASSOCIATE

            byte[] reply = in.readNBytes(10);
            assertThat(reply[1]).isEqualTo((byte) 0x07);
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void closesAClientThatSendsNothingAfterTheHeadDeadline() throws IOException {
        try (Socket http = ProxyClients.open(system.httpProxyPort());
                Socket socks = ProxyClients.open(system.socksPort())) {
            assertThat(http.getInputStream().read()).isEqualTo(-1);
            assertThat(socks.getInputStream().read()).isEqualTo(-1);
        }
    }

    @Test
    void closesAClientThatTricklesItsHeadPastTheDeadline() throws Exception {
        try (Socket socket = ProxyClients.open(system.httpProxyPort())) {
            var out = socket.getOutputStream();
            AtomicLong sent = new AtomicLong();
            // The slow client: one byte every 50 ms, for 5 s if nobody stops it.
            ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
            trickle.scheduleAtFixedRate(
                    () -> {
                        try {
                            if (sent.get() < 100) {
                                out.write('G');
                                out.flush();
                                sent.incrementAndGet();
                            }
                        } catch (IOException e) {
                            trickle.shutdown(); // closed by the relay: expected
                        }
                    },
                    0,
                    50,
                    TimeUnit.MILLISECONDS);

            // Closed by the relay: an orderly end, or a reset when a trickled byte reached the relay's socket after it
            // had stopped reading (the kernel then answers its close with RST). Either way the relay cut it off.
            int read;
            try {
                read = socket.getInputStream().read();
            } catch (SocketException e) {
                assertThat(e).hasMessageContaining("Connection reset");
                read = -1;
            }
            assertThat(read).isEqualTo(-1);
            trickle.shutdownNow();
            assertThat(sent.get()).isLessThan(100);
        }
    }

    @Test
    void aCustomerWhoStopsReadingStopsTheDownloadInsteadOfFillingMemory() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        long size = 1L << 30; // a gigabyte on offer; a reader that stops must not make the relay hold it
        ProxyClients.HttpHead answer = ProxyClients.forward(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "GET",
                system.http().url("/bytes/" + size),
                null);
        assertThat(answer.status()).isEqualTo(200);

        long plateau = settledUsage(http);

        // What is in flight is bounded by windows and buffers: a few MiB per hop, not the gigabyte.
        assertThat(plateau).isLessThan(64L << 20);
        byte[] some = answer.in().readNBytes(1 << 20);
        assertThat(some).hasSize(1 << 20);
        answer.socket().close();
    }

    @Test
    void customersWhoStopReadingDoNotStallTheDeviceForEveryoneElse() throws IOException {
        IssuedPassword stalling = system.newConnection(ConnectionType.HTTP, 0);
        List<Socket> stalled = new ArrayList<>();
        try {
            // Enough stalled downloads to fill any link window that counted what their streams hold.
            for (int i = 0; i < 12; i++) {
                ProxyClients.HttpHead answer = ProxyClients.forward(
                        system.httpProxyPort(),
                        stalling.connection().username(),
                        stalling.password(),
                        "GET",
                        system.http().url("/bytes/" + (1L << 30)),
                        null);
                assertThat(answer.status()).isEqualTo(200);
                stalled.add(answer.socket());
            }
            settledUsage(stalling);

            IssuedPassword other = system.newConnection(ConnectionType.HTTP, 0);
            ProxyClients.HttpHead hello = ProxyClients.forward(
                    system.httpProxyPort(),
                    other.connection().username(),
                    other.password(),
                    "GET",
                    system.http().url("/bytes/100000"),
                    null);
            hello.socket().setSoTimeout(5_000);
            assertThat(hello.status()).isEqualTo(200);
            assertThat(hello.in().readNBytes(100_000)).hasSize(100_000);
        } finally {
            for (Socket socket : stalled) {
                socket.close();
            }
        }
    }

    /** Polls the stored usage until it stops growing: the download has stalled on back-pressure. */
    private static long settledUsage(IssuedPassword http) {
        AtomicLong last = new AtomicLong(-1);
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    long now = system.storedUsage(http.connection().id());
                    return now > 0 && now == last.getAndSet(now);
                });
        return last.get();
    }
}
