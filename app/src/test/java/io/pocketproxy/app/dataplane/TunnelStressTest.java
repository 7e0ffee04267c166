package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Many short tunnels at once, each carrying one request of a random size past the first stream window, on a
 * freshly started system: every tunnel must finish. A stall in the hand-off between the customer's channel
 * and its device stream (a paused reader nobody resumes, a window update never sent) shows up here as one
 * tunnel in a few hundred that never answers.
 */
class TunnelStressTest {

    /** Tunnels open at once, and how many tunnels each test runs in all: enough to see a 1-in-200 event. */
    private static final int PARALLEL = 20;

    private static final int TUNNELS = 1_000;

    /** A tunnel that moves nothing for this long has stalled (a healthy one takes milliseconds). */
    private static final int STALL_MILLIS = 10_000;

    private static final int MAX_BODY = 300_000;

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void everyUploadThroughAFreshTunnelIsAnswered() throws Exception {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        List<String> failures = runTunnels(socks, TunnelStressTest::upload);

        assertThat(failures).as("tunnels that did not finish, of " + TUNNELS).isEmpty();
    }

    @Test
    void everyDownloadThroughAFreshTunnelArrivesWhole() throws Exception {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        List<String> failures = runTunnels(socks, TunnelStressTest::download);

        assertThat(failures).as("tunnels that did not finish, of " + TUNNELS).isEmpty();
    }

    /** One request through one tunnel; throws (or returns a complaint) when it did not come back whole. */
    private interface Exchange {
        String run(Socket tunnel, int size) throws IOException;
    }

    private static List<String> runTunnels(IssuedPassword socks, Exchange exchange) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(PARALLEL);
        try {
            SplittableRandom random = new SplittableRandom(TUNNELS);
            List<Future<String>> outcomes = new ArrayList<>();
            for (int tunnel = 0; tunnel < TUNNELS; tunnel++) {
                int size = 1 + random.nextInt(MAX_BODY);
                outcomes.add(clients.submit(() -> {
                    ProxyClients.SocksResult result = ProxyClients.socks5(
                            system.socksPort(),
                            socks.connection().username(),
                            socks.password(),
                            "127.0.0.1",
                            system.http().port());
                    if (result.reply() != 0) {
                        return "SOCKS5 reply " + result.reply();
                    }
                    try (Socket socket = result.socket()) {
                        socket.setSoTimeout(STALL_MILLIS);
                        return exchange.run(socket, size);
                    } catch (IOException e) {
                        return size + " bytes: " + e;
                    }
                }));
            }
            List<String> failures = new ArrayList<>();
            for (Future<String> outcome : outcomes) {
                String failure = outcome.get(STALL_MILLIS * 3L, TimeUnit.MILLISECONDS);
                if (failure != null) {
                    failures.add(failure);
                }
            }
            return failures;
        } finally {
            clients.shutdownNow();
        }
    }

    /** {@code POST /count} with a body of {@code size} random bytes: the target answers how many it read. */
    private static String upload(Socket socket, int size) throws IOException {
        byte[] body = new byte[size];
        new SplittableRandom(size).nextBytes(body);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /count HTTP/1.1\r\nHost: target\r\nContent-Length: " + size + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        ProxyClients.HttpHead answer = ProxyClients.readHead(socket, socket.getInputStream());
        String counted = new String(answer.body(), StandardCharsets.US_ASCII);
        return answer.status() == 200 && counted.equals(Integer.toString(size))
                ? null
                : size + " bytes: answered " + answer.status() + " " + counted;
    }

    /** {@code GET /bytes/size}: the whole pattern must arrive, then the end of the stream. */
    private static String download(Socket socket, int size) throws IOException {
        socket.getOutputStream()
                .write(("GET /bytes/" + size + " HTTP/1.1\r\nHost: target\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        InputStream in = socket.getInputStream();
        ProxyClients.HttpHead answer = ProxyClients.readHead(socket, in);
        byte[] body = ProxyClients.readAll(answer.in(), size + 1L);
        if (answer.status() != 200 || body.length != size) {
            return size + " bytes: answered " + answer.status() + " with " + body.length + " bytes";
        }
        byte[] expected = LocalHttpTarget.patternBytes(size);
        return java.util.Arrays.equals(body, expected) ? null : size + " bytes: content differs";
    }
}
