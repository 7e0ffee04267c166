package io.pocketproxy.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryFile;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pocketproxy.relay.CustomerChannel;
import io.pocketproxy.relay.FuzzedCustomers;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Fuzzes the HTTP proxy's first steps with any request line, headers, {@code Proxy-Authorization} and bytes
 * after the head, in two reads: the relay answers nothing (the head is incomplete) or exactly one complete
 * response with an error status and closes; it never answers 2xx (no device is linked), never repeats the
 * password, handles each input without waiting, and releases every buffer it was given.
 */
class HttpProxyFuzzTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    private static final FuzzedCustomers customers = new FuzzedCustomers(ConnectionType.HTTP);
    private static final String AUTHORIZATION =
            "Proxy-Authorization: " + ProxyClients.basic(FuzzedCustomers.USERNAME, FuzzedCustomers.PASSWORD) + "\r\n";
    /** "alice:" in base64, the start of every credential naming the signed-in customer. */
    private static final byte[] KNOWN_NAME_BASE64 = "YWxpY2U6".getBytes(StandardCharsets.US_ASCII);

    private static final Pattern RESPONSE =
            Pattern.compile("HTTP/1\\.1 (\\d{3}) [^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n", Pattern.DOTALL);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: (\\d+)\r\n");

    static {
        // A signed-in CONNECT (refused: no device) and a head refused for its form: the classes of both paths loaded.
        customers.warmUp(
                initializer(),
                ("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n" + AUTHORIZATION + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
        customers.warmUp(initializer(), "GET / HTTP/1.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    private static HttpProxyInitializer initializer() {
        return new HttpProxyInitializer(
                customers.parts().authenticator(), customers.parts().tunnels(), Duration.ofSeconds(10), 16 * 1024);
    }

    // The words of a proxy request head, so that the fuzzer gets past the request line within seconds. In a file, in
    // libFuzzer's syntax (CR LF as \x0d\x0a): Jazzer 0.30 writes @DictionaryEntries' CR and LF unescaped, which
    // breaks libFuzzer's line-based dictionary, and the fuzzing run then stops before its first input.
    @DictionaryFile(resourcePath = "HttpProxyFuzzTest.dict")
    @FuzzTest
    void answersOneErrorAndClosesOrWaitsForTheRestOfTheHead(FuzzedDataProvider data) {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        head.writeBytes(fuzzed(data, 200)); // request line and headers, as they come
        if (data.consumeBoolean()) {
            head.writeBytes(AUTHORIZATION.getBytes(StandardCharsets.US_ASCII));
            head.writeBytes(fuzzed(data, 100)); // more headers
        }
        int split = data.consumeInt(0, head.size());
        byte[] after = fuzzed(data, Integer.MAX_VALUE);
        byte[] whole = head.toByteArray();
        CustomerChannel customer = customers.connect(initializer());

        long start = System.nanoTime();
        customers.send(customer, java.util.Arrays.copyOfRange(whole, 0, split));
        customers.send(customer, concat(java.util.Arrays.copyOfRange(whole, split, whole.length), after));
        long elapsed = System.nanoTime() - start;

        String answer = customer.answered();
        boolean open = customer.isOpen();
        if (!answer.isEmpty()) {
            Matcher response = RESPONSE.matcher(answer);
            assertThat(response.lookingAt()).as("a response head in %s", answer).isTrue();
            assertThat(Integer.parseInt(response.group(1))).isIn(400, 407, 414, 431, 502, 503);
            Matcher length = CONTENT_LENGTH.matcher(response.group());
            assertThat(length.find()).as("a content-length in %s", answer).isTrue();
            assertThat(answer.length() - response.end())
                    .as("exactly one response")
                    .isEqualTo(Integer.parseInt(length.group(1)));
            assertThat(answer).doesNotContain(FuzzedCustomers.PASSWORD);
            assertThat(open).as("open after an error").isFalse();
        }
        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(1));
        customer.finishAndReleaseAll();
        assertThat(customers.releasedAllSent())
                .as("every buffer sent was released")
                .isTrue();
    }

    private static byte[] fuzzed(FuzzedDataProvider data, int max) {
        byte[] bytes =
                max == Integer.MAX_VALUE ? data.consumeRemainingAsBytes() : data.consumeBytes(data.consumeInt(0, max));
        return FuzzedCustomers.without(FuzzedCustomers.withoutTheKnownName(bytes), KNOWN_NAME_BASE64);
    }

    private static byte[] concat(byte[] first, byte[] second) {
        ByteArrayOutputStream both = new ByteArrayOutputStream();
        both.writeBytes(first);
        both.writeBytes(second);
        return both.toByteArray();
    }
}
