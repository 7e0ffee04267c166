package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Customer traffic leaves through the device byte for byte, whichever way the customer speaks. */
class ProxyPathsTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void forwardsAPlainHttpRequestByteForByte() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);

        ProxyClients.HttpHead answer = ProxyClients.forward(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "GET",
                system.http().url("/bytes/300000"),
                null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(LocalHttpTarget.patternBytes(300_000));
        assertThat(system.http().requestHeaders())
                .last()
                .satisfies(headers ->
                        assertThat(headers.keySet()).noneMatch(name -> name.equalsIgnoreCase("Proxy-Authorization")));
    }

    @Test
    void givesTheOriginTheRequestTargetsHostRatherThanTheCustomersHostHeader() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);

        assertThat(forwardRaw(http, "http://" + system.http().authority() + "/hello", "somewhere.else.example"))
                .isEqualTo(200);

        assertThat(system.http().requestHeaders())
                .last()
                .satisfies(headers -> assertThat(headers.get("Host"))
                        .containsExactly(system.http().authority()));
    }

    @Test
    void neverPutsTheRequestTargetsUserinfoIntoHost() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);

        assertThat(forwardRaw(http, "http://visitor:secret@" + system.http().authority() + "/hello", null))
                .isEqualTo(200);

        assertThat(system.http().requestHeaders())
                .last()
                .satisfies(headers -> assertThat(headers.get("Host"))
                        .containsExactly(system.http().authority()));
    }

    /** A plain request for {@code url} written by hand, with the given Host header (or none); its answer's status. */
    private static int forwardRaw(IssuedPassword http, String url, String host) throws IOException {
        try (Socket socket = ProxyClients.open(system.httpProxyPort())) {
            socket.getOutputStream()
                    .write(("GET " + url + " HTTP/1.1\r\n" + (host == null ? "" : "Host: " + host + "\r\n")
                                    + "Proxy-Authorization: "
                                    + ProxyClients.basic(http.connection().username(), http.password())
                                    + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return ProxyClients.readHead(socket, socket.getInputStream()).status();
        }
    }

    @Test
    void carriesLargeDownloadsWithoutPausing() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        int size = 32 * 1024 * 1024;

        // One after another, so that the customers' channels land on other event loops than the link's.
        for (int download = 0; download < 4; download++) {
            ProxyClients.SocksResult result = ProxyClients.socks5(
                    system.socksPort(),
                    socks.connection().username(),
                    socks.password(),
                    "127.0.0.1",
                    system.http().port());
            try (Socket socket = result.socket()) {
                // A window update left unsent holds a stream until the link's next ping, 15 s on: no read may wait 5 s.
                socket.setSoTimeout(5_000);
                socket.getOutputStream()
                        .write(("GET /bytes/" + size + " HTTP/1.1\r\nHost: target\r\nConnection: close\r\n\r\n")
                                .getBytes(StandardCharsets.US_ASCII));
                ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());

                assertThat(answer.status()).isEqualTo(200);
                long received = 0;
                byte[] buffer = new byte[64 * 1024];
                for (int n; received < size && (n = answer.in().read(buffer)) > 0; ) {
                    received += n;
                }
                assertThat(received).isEqualTo(size);
            }
        }
    }

    @Test
    void refusesEachConnectionOnTheListenerOfAnotherType() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        ProxyClients.HttpHead onHttp = ProxyClients.connect(
                system.httpProxyPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1:" + system.echo().port());
        ProxyClients.SocksResult onSocks = ProxyClients.socks5(
                system.socksPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1",
                system.echo().port());
        onHttp.socket().close();

        assertThat(onHttp.status()).isEqualTo(403);
        assertThat(onHttp.headers()).containsEntry("proxy-status", "pocketproxy; error=connection_type_mismatch");
        assertThat(onSocks.authStatus()).isZero();
        assertThat(onSocks.reply()).isEqualTo(0x02);
    }

    @Test
    void tunnelsWithConnectByteForByte() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);

        ProxyClients.HttpHead answer = ProxyClients.connect(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());

        assertThat(answer.status()).isEqualTo(200);
        assertEchoes(answer.socket(), 200_000);
    }

    @Test
    void tunnelsSocks5ToAnIpAddressByteForByte() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        ProxyClients.SocksResult result = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());

        assertThat(result.reply()).isZero();
        assertEchoes(result.socket(), 200_000);
    }

    @Test
    void tunnelsSocks5ToADomainResolvedOnTheDevice() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        ProxyClients.SocksResult result = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "localhost",
                system.echo().port());

        assertThat(result.reply()).isZero();
        assertEchoes(result.socket(), 50_000);
    }

    @Test
    void carriesCurlThroughEveryKindOfProxy() throws Exception {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);
        String httpProxy = "http://" + http.connection().username() + ":" + http.password() + "@127.0.0.1:"
                + system.httpProxyPort();
        String socksProxy = "socks5h://" + socks.connection().username() + ":" + socks.password() + "@127.0.0.1:"
                + system.socksPort();

        assertThat(curl("-x", httpProxy, system.http().url("/hello"))).isEqualTo("hello");
        assertThat(curl("-x", httpProxy, "--proxytunnel", system.http().url("/hello")))
                .isEqualTo("hello");
        assertThat(curl("-x", socksProxy, system.http().url("/hello"))).isEqualTo("hello");
        assertThat(curl("-x", socksProxy, "http://localhost:" + system.http().port() + "/hello"))
                .isEqualTo("hello");
    }

    @Test
    void keepsAForwardConnectionAliveAcrossRequestsAndStreamsChunkedBodies() throws Exception {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        String proxy = "http://" + http.connection().username() + ":" + http.password() + "@127.0.0.1:"
                + system.httpProxyPort();

        // Two URLs on one curl command line share one connection when keep-alive works.
        String output = curl(
                "-x",
                proxy,
                "-w",
                "[%{num_connects}]",
                system.http().url("/chunked/70000"),
                system.http().url("/hello"));

        assertThat(output).endsWith("hello[0]");
        assertThat(output.substring(0, 70000).getBytes(StandardCharsets.ISO_8859_1))
                .isEqualTo(LocalHttpTarget.patternBytes(70000));
    }

    @Test
    void streamsAnUploadToTheOrigin() throws Exception {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        byte[] upload = LocalHttpTarget.patternBytes(1_000_000);

        ProxyClients.HttpHead answer = ProxyClients.forward(
                system.httpProxyPort(),
                http.connection().username(),
                http.password(),
                "POST",
                system.http().url("/count"),
                upload);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(new String(answer.body(), StandardCharsets.US_ASCII)).isEqualTo("1000000");
    }

    static void assertEchoes(Socket socket, int length) throws IOException {
        try (socket) {
            byte[] sent = LocalHttpTarget.patternBytes(length);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                    socket.getOutputStream().flush();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            byte[] received = new byte[length];
            new DataInputStream(socket.getInputStream()).readFully(received);
            assertThat(received).isEqualTo(sent);
            try {
                writer.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Runs the real curl, ISO-8859-1 output so bytes map one to one to chars. */
    static String curl(String... args) throws Exception {
        java.util.List<String> command =
                new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "--max-time", "20"));
        command.addAll(java.util.List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] output = process.getInputStream().readAllBytes();
        String errors = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = process.waitFor();
        assertThat(exit).as("curl " + String.join(" ", args) + ": " + errors).isZero();
        return new String(output, StandardCharsets.ISO_8859_1);
    }
}
