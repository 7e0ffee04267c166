package io.pocketproxy.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.CustomerChannel;
import io.pocketproxy.relay.RelayParts;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The HTTP proxy steps on an embedded channel: the head, the credentials, and every refusal before a device is asked. */
class HttpStepsTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private static final String PASSWORD = "correct horse";

    private final RelayParts parts = new RelayParts(DeviceLinks.standalone(), 10, Duration.ofMinutes(5));
    private final ConnectionRecord alice =
            parts.directory().add("alice", PASSWORD, ConnectionType.HTTP, UUID.randomUUID(), 0, 0);

    @AfterEach
    void close() {
        parts.close();
    }

    @Test
    void asksForCredentialsWhenThereAreNone() {
        CustomerChannel customer = customer();

        customer.send("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n");

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 407 ")
                .contains("proxy-authenticate: Basic realm=\"pocketproxy\"");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersAMalformedHeadWith400() {
        CustomerChannel customer = customer();

        customer.send("NOT HTTP AT ALL\r\n\r\n");

        assertThat(customer.answered()).startsWith("HTTP/1.1 400 ");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersAConnectWithoutAPortWith400() {
        CustomerChannel customer = customer();
        parts.signInOnce("alice", PASSWORD);

        customer.send(connect("example.com"));

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 400 ")
                .contains("CONNECT target address: example.com has no port");
    }

    @Test
    void answersAnUnbracketedIpv6TargetWith400RatherThanGuessingWhereTheAddressEnds() {
        CustomerChannel customer = customer();
        parts.signInOnce("alice", PASSWORD);

        customer.send(connect("::1:80"));

        assertThat(customer.answered()).startsWith("HTTP/1.1 400 ").contains("ambiguous");
    }

    @Test
    void refusesADisabledConnectionAndDropsTheTunnelBytesThatCameWithTheHead() {
        parts.directory()
                .put(new ConnectionRecord(
                        alice.id(), "alice", alice.passwordHash(), alice.type(), false, 0, 0, 0, alice.deviceId()));
        parts.signInOnce("alice", PASSWORD);
        CustomerChannel customer = customer();

        customer.send(connect("example.com:443") + "\u0016\u0003\u0001 a TLS hello that did not wait");

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 403 ")
                .contains("Proxy-Status: pocketproxy; error=connection_disabled");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void refusesAConnectionSoldForSocks5OnceItsPasswordHasVerified() {
        parts.directory().add("carol", PASSWORD, ConnectionType.SOCKS5, UUID.randomUUID(), 0, 0);
        parts.signInOnce("carol", PASSWORD);
        CustomerChannel customer = customer();

        customer.send("CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: "
                + ProxyClients.basic("carol", PASSWORD) + "\r\n\r\n");

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 403 ")
                .contains("Proxy-Status: pocketproxy; error=connection_type_mismatch")
                .contains("not sold for the HTTP proxy");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void refusesAConnectionSoldForOpenVpnOnAForwardedRequest() {
        parts.directory().add("dave", PASSWORD, ConnectionType.OPENVPN, UUID.randomUUID(), 0, 0);
        parts.signInOnce("dave", PASSWORD);
        CustomerChannel customer = customer();

        customer.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: "
                + ProxyClients.basic("dave", PASSWORD) + "\r\n\r\n");

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 403 ")
                .contains("Proxy-Status: pocketproxy; error=connection_type_mismatch");
    }

    @Test
    void answersBadGatewayWhenTheDeviceIsNotLinked() {
        parts.signInOnce("alice", PASSWORD);
        CustomerChannel customer = customer();

        customer.send("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: "
                + ProxyClients.basic("alice", PASSWORD) + "\r\n\r\n");

        assertThat(customer.answered())
                .startsWith("HTTP/1.1 502 ")
                .contains("Proxy-Status: pocketproxy; error=device_offline");
    }

    @Test
    void refusesARequestWhoseConnectionHeaderNamesContentLengthRatherThanForwardItsBodyAsARequest() {
        parts.signInOnce("alice", PASSWORD);
        CustomerChannel customer = customer();

        customer.send("POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: "
                + ProxyClients.basic("alice", PASSWORD)
                + "\r\nConnection: keep-alive, Content-Length\r\nContent-Length: 41\r\n\r\n"
                + "GET /admin HTTP/1.1\r\nHost: example.com\r\n\r\n");

        assertThat(customer.answered()).startsWith("HTTP/1.1 400 ").contains("Content-Length");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void refusesARequestWhoseSecondConnectionHeaderNamesTransferEncoding() {
        parts.signInOnce("alice", PASSWORD);
        CustomerChannel customer = customer();

        customer.send("POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\nProxy-Authorization: "
                + ProxyClients.basic("alice", PASSWORD)
                + "\r\nConnection: keep-alive\r\nConnection: transfer-encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0\r\n\r\n");

        assertThat(customer.answered()).startsWith("HTTP/1.1 400 ").contains("Transfer-Encoding");
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersAStorageFailureWith503AndDoesNotCountItAsAFailedSignIn() {
        parts.signInOnce("alice", PASSWORD);
        parts.directory().unreachable(true);
        int attempts = RelayParts.LIMITS.failuresPerAddress() * 3;
        for (int attempt = 0; attempt < attempts; attempt++) {
            CustomerChannel customer = customer();
            customer.send("CONNECT example.com:443 HTTP/1.1\r\nProxy-Authorization: "
                    + ProxyClients.basic("bob", "whatever") + "\r\n\r\n");

            assertThat(customer.answered())
                    .startsWith("HTTP/1.1 503 ")
                    .contains("Proxy-Status: pocketproxy; error=proxy_internal_error");
        }
        parts.directory().unreachable(false);
        CustomerChannel customer = customer();

        // Had those counted as failures, this address would be answered 429 now.
        customer.send(connect("example.com:443"));

        assertThat(customer.answered()).contains("error=device_offline");
    }

    private CustomerChannel customer() {
        return new CustomerChannel(
                new HttpProxyInitializer(parts.authenticator(), parts.tunnels(), Duration.ofSeconds(10), 64 * 1024));
    }

    private static String connect(String authority) {
        return "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\nProxy-Authorization: "
                + ProxyClients.basic("alice", PASSWORD) + "\r\n\r\n";
    }
}
