package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.pocketproxy.agent.Agent;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.PairingString;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.tls.RelayCertificate;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.server.devices.NewDevice;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A customer may come to any relay of the farm: when the connection's device is linked to another relay, the tunnel
 * is forwarded there over a relay-to-relay link, and that relay checks and meters it as its own.
 */
class RelayForwardingTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    static RunningSystem.SecondRelay second;
    static NewDevice secondsPhone;
    static Agent secondsAgent;

    @BeforeAll
    static void aSecondRelayWithAPhoneOfItsOwn() throws IOException {
        second = system.startSecondRelay();
        secondsPhone = system.server().devices().create(system.operator().id(), "second relay's phone");
        PairingString own = secondsPhone.pairing();
        secondsAgent = system.startAgent(
                new PairingString(
                        List.of(new HostAndPort("127.0.0.1", second.linkPort())),
                        own.deviceToken(),
                        own.relayFingerprint()),
                true);
        RunningSystem.awaitLinked(secondsAgent, 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> system.server()
                        .database()
                        .jdbi()
                        .withHandle(
                                handle -> handle.createQuery("SELECT relay_id IS NOT NULL FROM devices WHERE id = :id")
                                        .bind("id", secondsPhone.device().id())
                                        .mapTo(Boolean.class)
                                        .one()));
    }

    @AfterAll
    static void stopIt() throws Exception {
        secondsAgent.close();
        second.close();
    }

    @Test
    void aCustomerOfTheSecondRelayReachesADeviceOnTheServersRelayByteExact() throws IOException {
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, 0);

        try (Socket tunnel = system.socksTunnel(second.socksPort(), socks)) {
            ProxyPathsTest.assertEchoes(tunnel, 300_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() ->
                        assertThat(system.storedUsage(socks.connection().id())).isEqualTo(600_000));
    }

    @Test
    void aCustomerOfTheServersRelayReachesADeviceOnTheSecondRelayThroughCurl() throws Exception {
        IssuedPassword http = system.server()
                .connections()
                .create(system.operator().id(), secondsPhone.device().id(), ConnectionType.HTTP, 0L);
        String proxy = "http://" + http.connection().username() + ":" + http.password() + "@127.0.0.1:"
                + system.httpProxyPort();

        String body = ProxyPathsTest.curl(
                "-sS", "--proxytunnel", "-x", proxy, system.http().url("/bytes/200000"));

        assertThat(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(LocalHttpTarget.patternBytes(200_000));
        String plain = ProxyPathsTest.curl("-sS", "-x", proxy, system.http().url("/bytes/5000"));
        assertThat(plain.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))
                .isEqualTo(LocalHttpTarget.patternBytes(5_000));
    }

    @Test
    void theHoldingRelaysRefusalReachesTheCustomerAsItsOwn() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 50_000);
        system.useUpHttpLimit(http, second.httpPort());

        ProxyClients.HttpHead refused = ProxyClients.connect(
                second.httpPort(),
                http.connection().username(),
                http.password(),
                "127.0.0.1:" + system.echo().port());
        refused.socket().close();

        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.header("Proxy-Status")).isEqualTo("pocketproxy; error=bandwidth_limit_reached");
    }

    @Test
    void theLimitIsExactWithCustomersOnBothRelaysAtOnce() throws Exception {
        long limit = 400_000;
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, limit);
        UUID id = socks.connection().id();
        // This connection through the second relay works: a refusal there below is the limit, not the path.
        try (Socket tunnel = system.socksTunnel(second.socksPort(), socks)) {
            ProxyPathsTest.assertEchoes(tunnel, 10_000);
        }
        long echoedBefore = system.echo().echoed() - 10_000;
        AtomicLong received = new AtomicLong(10_000);

        Thread[] customers = new Thread[6];
        for (int i = 0; i < customers.length; i++) {
            int port = i % 2 == 0 ? system.socksPort() : second.socksPort();
            customers[i] = Thread.ofVirtual().start(() -> {
                try (Socket tunnel = system.socksTunnel(port, socks)) {
                    ProxyClients.exchangeUntilCut(tunnel, 100_000, received);
                } catch (IOException | InterruptedException e) {
                    // cut off before or while opening: expected once the limit is reached
                }
            });
        }
        for (Thread customer : customers) {
            customer.join(20_000);
        }

        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
        long reachedTheOrigin = system.echo().echoed() - echoedBefore;
        assertThat(received.get()).isGreaterThan(0);
        // 1.2 MB wanted; up to the origin plus down to the customers, through both relays: never more than the limit.
        assertThat(reachedTheOrigin + received.get()).isLessThanOrEqualTo(limit);
    }

    @Test
    void anOpenVpnCustomersNameLookupReachesADeviceOnTheOtherRelay() throws Exception {
        io.pocketproxy.relay.link.DeviceLink link = system.server()
                .relay()
                .tunnels()
                .linkTo(secondsPhone.device().id())
                .get(10, java.util.concurrent.TimeUnit.SECONDS)
                .orElseThrow();

        assertThat(link.throughPeer()).isTrue();
        // The device's resolver answers (its hosts file: no query leaves the machine).
        assertThat(link.resolve("localhost").get(10, java.util.concurrent.TimeUnit.SECONDS))
                .contains(java.net.InetAddress.getByName("127.0.0.1"));
    }

    @Test
    void thePeerLinkIsOpenOnlyToTheFarmsCertificate(@TempDir Path strangers) throws Exception {
        String device = system.device().device().id().toString();
        RelayCertificate farms = RelayCertificate.loadOrCreate(system.dataDir());

        assertThat(askForPeerLink(null, device)).as("no certificate").startsWith("HTTP/1.1 403");
        assertThat(askForPeerLink(RelayCertificate.loadOrCreate(strangers), device))
                .as("another certificate: the TLS handshake fails")
                .isEqualTo(TLS_REFUSED);
        assertThat(askForPeerLink(farms, UUID.randomUUID().toString()))
                .as("the farm's, for a device not linked there")
                .startsWith("HTTP/1.1 404");
        assertThat(askForPeerLink(farms, device)).as("the farm's").startsWith("HTTP/1.1 101");
    }

    private static final String TLS_REFUSED = "the TLS handshake failed";

    /** The status line the server's link port answers {@code GET /v1/peer} with, or {@link #TLS_REFUSED}. */
    private static String askForPeerLink(RelayCertificate shown, String device) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        if (shown != null) {
            store.setKeyEntry("relay", shown.privateKey(), new char[0], new Certificate[] {shown.certificate()});
        }
        keys.init(store, new char[0]);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(keys.getKeyManagers(), InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", system.linkPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream()
                    .write(("GET /v1/peer HTTP/1.1\r\nHost: relay\r\nUpgrade: pocketproxy-link/1\r\n"
                                    + "Connection: upgrade\r\npp-device: " + device + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            return new java.io.BufferedReader(
                            new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
                    .readLine();
        } catch (javax.net.ssl.SSLException e) {
            return TLS_REFUSED;
        }
    }
}
