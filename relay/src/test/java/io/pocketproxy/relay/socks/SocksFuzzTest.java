package io.pocketproxy.relay.socks;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pocketproxy.relay.CustomerChannel;
import io.pocketproxy.relay.FuzzedCustomers;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the SOCKS5 steps with any greeting, sign-in and command bytes, each step sent as a read of its own:
 * the relay answers only the replies RFC 1928 and 1929 define, in their order, closes after any refusal, never
 * answers success to a command (no device is linked), handles each input without waiting, and releases every
 * buffer it was given.
 */
class SocksFuzzTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private static final FuzzedCustomers customers = new FuzzedCustomers(ConnectionType.SOCKS5);
    private static final byte[] SIGN_IN =
            ProxyClients.socks5PasswordRequest(FuzzedCustomers.USERNAME, FuzzedCustomers.PASSWORD);

    static {
        // Greeting, sign-in and a CONNECT to 192.0.2.1:80, refused (no device): the classes of every step loaded.
        customers.warmUp(
                initializer(), new byte[] {5, 1, 2}, SIGN_IN, new byte[] {5, 1, 0, 1, (byte) 192, 0, 2, 1, 0, 80});
    }

    private static SocksInitializer initializer() {
        return new SocksInitializer(
                customers.parts().authenticator(), customers.parts().tunnels(), Duration.ofSeconds(10));
    }

    @FuzzTest
    void answersInProtocolOrderOrClosesAndReleasesEverything(FuzzedDataProvider data) {
        byte[] greeting = data.consumeBytes(data.consumeInt(0, 16));
        byte[] signIn = data.consumeBoolean()
                ? SIGN_IN
                : FuzzedCustomers.withoutTheKnownName(data.consumeBytes(data.consumeInt(0, 80)));
        byte[] command = data.consumeRemainingAsBytes();
        CustomerChannel customer = customers.connect(initializer());

        long start = System.nanoTime();
        customers.send(customer, greeting);
        customers.send(customer, signIn);
        customers.send(customer, command);
        long elapsed = System.nanoTime() - start;

        byte[] answer = customer.answeredBytes();
        boolean open = customer.isOpen();
        assertReplies(answer, open);
        // Nothing on a customer's thread may wait (bcrypt and lookups go elsewhere): a second is an eternity.
        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(1));
        customer.finishAndReleaseAll();
        assertThat(customers.releasedAllSent())
                .as("every buffer sent was released")
                .isTrue();
    }

    /** The replies, step by step: greeting (2 bytes), password (2 bytes), command (10 bytes, IPv4 0.0.0.0:0). */
    private static void assertReplies(byte[] answer, boolean open) {
        if (answer.length == 0) {
            return; // nothing complete arrived yet, or it was not SOCKS5 and we hung up
        }
        assertThat(answer.length).as("a greeting reply").isGreaterThanOrEqualTo(2);
        assertThat(answer[0]).isEqualTo((byte) 5);
        assertThat(answer[1]).isIn((byte) 0x02, (byte) 0xFF);
        if (answer[1] == (byte) 0xFF) {
            assertThat(answer).hasSize(2);
            assertThat(open).as("open after refusing every method").isFalse();
            return;
        }
        if (answer.length == 2) {
            return;
        }
        assertThat(answer.length).as("a password reply").isGreaterThanOrEqualTo(4);
        assertThat(answer[2]).isEqualTo((byte) 1);
        assertThat(answer[3]).isIn((byte) 0x00, (byte) 0x01, (byte) 0xFF);
        if (answer[3] != 0) {
            assertThat(answer).hasSize(4);
            assertThat(open).as("open after a failed sign-in").isFalse();
            return;
        }
        if (answer.length == 4) {
            return;
        }
        assertThat(answer).as("a command reply").hasSize(14);
        assertThat(answer[4]).isEqualTo((byte) 5);
        // 0x03: no device linked; 0x07 command not supported; 0x08 address type not supported. Never 0x00.
        assertThat(answer[5]).isIn((byte) 0x03, (byte) 0x07, (byte) 0x08);
        assertThat(answer).endsWith(0, 1, 0, 0, 0, 0, 0, 0);
        assertThat(open).as("open after refusing the command").isFalse();
    }
}
