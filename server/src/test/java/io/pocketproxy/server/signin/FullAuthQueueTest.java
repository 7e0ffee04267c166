package io.pocketproxy.server.signin;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.server.RunningServer;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * When more password checks wait than the queue takes (here two per client address), the rest are answered at once
 * with "busy, come back after" in each protocol's words, never queued and never left without an answer.
 */
class FullAuthQueueTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer(builder -> builder.authQueue(4, 2));

    @BeforeEach
    void forgetEarlierFailures() {
        server.clock().advance(Duration.ofHours(1));
    }

    @Test
    void theHttpProxyAnswers429WithRetryAfterAndABusyProxyStatus() throws Exception {
        int port = server.server().relay().httpPort();

        List<ProxyClients.HttpHead> answers = Parallel.run(20, i -> () -> {
            ProxyClients.HttpHead head = ProxyClients.connect(port, "nobody-" + i, "wrong", "example.com:443");
            head.socket().close();
            return head;
        });

        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).isIn(407, 429));
        List<ProxyClients.HttpHead> busy =
                answers.stream().filter(answer -> answer.status() == 429).toList();
        assertThat(busy).isNotEmpty().allSatisfy(answer -> {
            assertThat(answer.header("Proxy-Status"))
                    .isEqualTo("pocketproxy; error=proxy_internal_error; details=\"busy\"");
            assertThat(Long.parseLong(answer.header("Retry-After"))).isPositive();
        });
    }

    @Test
    void socks5Answers0x01() throws Exception {
        int port = server.server().relay().socksPort();

        List<Integer> statuses = Parallel.run(20, i -> () -> ProxyClients.socks5SignIn(port, "nobody-" + i, "wrong"));

        assertThat(Set.copyOf(statuses))
                .as("0xFF wrong, 0x01 busy, -1 no answer")
                .isEqualTo(Set.of(0xFF, 0x01));
    }

    @Test
    void theApiAnswers429BusyWithRetryAfterThenSignsInOnceTheQueueHasRoom() throws Exception {
        RunningServer.Operator operator = server.newOperator();

        List<ApiClient.Response> answers =
                Parallel.run(20, i -> () -> login("nobody-" + i + "@example.com", "wrong-password"));

        assertThat(answers).allSatisfy(answer -> assertThat(answer.status()).isIn(401, 429));
        List<ApiClient.Response> busy =
                answers.stream().filter(answer -> answer.status() == 429).toList();
        assertThat(busy).isNotEmpty().allSatisfy(answer -> {
            assertThat(answer.json().get("code").asText()).isEqualTo("busy");
            assertThat(Long.parseLong(answer.header("Retry-After"))).isPositive();
        });
        server.clock().advance(Duration.ofHours(1));
        assertThat(login(operator.email(), operator.password()).status()).isEqualTo(200);
    }

    @Test
    void aFullQueueEmptiesAgainAndServesTheNextCustomer() throws Exception {
        ApiClient api = server.newOperator().api();
        var connection =
                createConnection(api, createDevice(api, "phone").get("id").asText(), "SOCKS5", null);
        int port = server.server().relay().socksPort();

        Parallel.run(20, i -> () -> ProxyClients.socks5SignIn(port, "nobody-" + i, "wrong"));

        assertThat(ProxyClients.socks5SignIn(
                        port,
                        connection.get("username").asText(),
                        connection.get("password").asText()))
                .isZero();
    }

    private static ApiClient.Response login(String email, String password) {
        return server.anonymous().post("/api/auth/login", Map.of("email", email, "password", password));
    }
}
