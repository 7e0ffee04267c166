package io.pocketproxy.relay.socks;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.CustomerChannel;
import io.pocketproxy.relay.RelayParts;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The SOCKS5 steps on an embedded channel: greeting, password, command, and every refusal before a device is asked. */
class SocksStepsTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private static final String PASSWORD = "correct horse";

    private final RelayParts parts = new RelayParts(DeviceLinks.standalone(), 10, Duration.ofMinutes(5));
    private final ConnectionRecord alice =
            parts.directory().add("alice", PASSWORD, ConnectionType.SOCKS5, UUID.randomUUID(), 0, 0);

    @AfterEach
    void close() {
        parts.close();
    }

    @Test
    void closesOnAGreetingThatIsNotSocks5() {
        CustomerChannel customer = customer();

        customer.send(new byte[] {4, 1, 0, 80, 127, 0, 0, 1, 0});

        assertThat(customer.answeredBytes()).isEmpty();
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void turnsAwayAClientThatOffersNoPasswordMethod() {
        CustomerChannel customer = customer();

        customer.send(new byte[] {5, 1, 0});

        assertThat(customer.answeredBytes()).containsExactly(5, 0xFF);
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersCommandsOtherThanConnectWithCommandNotSupported() {
        CustomerChannel customer = signedIn();

        customer.send(new byte[] {5, 2, 0, 1, 127, 0, 0, 1, 0, 80}); // BIND

        assertThat(customer.answeredBytes()[1]).isEqualTo((byte) 0x07);
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void refusesADisabledConnectionAndDropsWhatCameWithTheCommand() {
        parts.directory().put(disabled(alice));
        parts.signInOnce("alice", PASSWORD);
        CustomerChannel customer = signedInWithoutWarmUp();

        customer.send(concat(
                ProxyClients.socks5ConnectRequest("example.com", 443),
                "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII)));

        assertThat(customer.answeredBytes()[1]).isEqualTo((byte) 0x02); // not allowed by ruleset
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void refusesAConnectionSoldForHttpAtTheCommandAfterItsPasswordSucceeded() {
        parts.directory().add("carol", PASSWORD, ConnectionType.HTTP, UUID.randomUUID(), 0, 0);
        parts.signInOnce("carol", PASSWORD);
        CustomerChannel customer = customer();
        customer.send(new byte[] {5, 1, 2});
        customer.send(ProxyClients.socks5PasswordRequest("carol", PASSWORD));
        // The password step succeeds as for any right password: the refusal says nothing about unknown usernames.
        assertThat(customer.answeredBytes()).containsExactly(5, 2, 1, 0);

        customer.send(ProxyClients.socks5ConnectRequest("example.com", 443));

        assertThat(customer.answeredBytes()[1]).isEqualTo((byte) 0x02); // not allowed by ruleset
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersNetworkUnreachableWhenTheDeviceIsNotLinked() {
        CustomerChannel customer = signedIn();

        customer.send(ProxyClients.socks5ConnectRequest("example.com", 443));

        assertThat(customer.answeredBytes()[1]).isEqualTo((byte) 0x03);
        assertThat(customer.isOpen()).isFalse();
    }

    @Test
    void answersAStorageFailureWithItsOwnStatusAndDoesNotCountItAsAFailedSignIn() {
        parts.signInOnce("alice", PASSWORD);
        parts.directory().unreachable(true);
        int attempts = RelayParts.LIMITS.failuresPerAddress() * 3;
        for (int attempt = 0; attempt < attempts; attempt++) {
            CustomerChannel customer = customer();
            customer.send(new byte[] {5, 1, 2});
            customer.send(ProxyClients.socks5PasswordRequest("bob", "whatever"));

            assertThat(customer.answeredBytes()).containsExactly(5, 2, 1, 0x01);
            assertThat(customer.isOpen()).isFalse();
        }
        parts.directory().unreachable(false);

        // Had those counted as failures, this address would be throttled now.
        assertThat(signedInWithoutWarmUp().isOpen()).isTrue();
    }

    private CustomerChannel customer() {
        return new CustomerChannel(
                new SocksInitializer(parts.authenticator(), parts.tunnels(), Duration.ofSeconds(10)));
    }

    private CustomerChannel signedIn() {
        parts.signInOnce("alice", PASSWORD);
        return signedInWithoutWarmUp();
    }

    /** Greeting and password, answered from the verified cache (warm it first). */
    private CustomerChannel signedInWithoutWarmUp() {
        CustomerChannel customer = customer();
        customer.send(new byte[] {5, 1, 2});
        customer.send(ProxyClients.socks5PasswordRequest("alice", PASSWORD));
        assertThat(customer.answeredBytes()).containsExactly(5, 2, 1, 0);
        return customer;
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(first);
        both.writeBytes(second);
        return both.toByteArray();
    }

    private static ConnectionRecord disabled(ConnectionRecord record) {
        return new ConnectionRecord(
                record.id(),
                record.username(),
                record.passwordHash(),
                record.type(),
                false,
                record.bandwidthLimit(),
                record.bandwidthUsed(),
                record.usageGeneration(),
                record.deviceId());
    }
}
