package io.pocketproxy.server.signin;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.server.RunningServer;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Guesses sent all at once get no more password checks than guesses sent one by one: each check takes its
 * throttle token when it starts. And correct sign-ins sent all at once share one check, so none of them is
 * throttled.
 */
class ParallelGuessesTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @BeforeEach
    void forgetEarlierFailures() {
        server.clock().advance(Duration.ofHours(1)); // every throttle bucket full again
    }

    @Test
    void aHundredParallelProxyGuessesGetNoMoreThanTenChecks() throws Exception {
        String username = newConnection("HTTP").get("username").asText();
        int port = server.server().relay().httpPort();
        long checksBefore = server.passwordChecks("customers");

        List<Integer> statuses = Parallel.run(
                100,
                // Ten bcrypt checks in a row on one hashing thread: on a loaded machine the last answer comes after
                // a client's usual 15 s.
                i -> () -> ProxyClients.connect(
                                port, username, "wrong-guess-" + i, "example.com:443", Duration.ofMinutes(2))
                        .status());

        Map<Integer, Long> tally = Parallel.tally(statuses);
        assertThat(tally.getOrDefault(407, 0L))
                .as("answered 'wrong password': %s", tally)
                .isEqualTo(10);
        assertThat(tally.getOrDefault(429, 0L)).as("throttled: %s", tally).isEqualTo(90);
        assertThat(server.passwordChecks("customers") - checksBefore).isEqualTo(10);
    }

    @Test
    void thirtyParallelDashboardGuessesGetNoMoreThanFiveChecks() throws Exception {
        RunningServer.Operator operator = server.newOperator();
        long checksBefore = server.passwordChecks("operators");

        List<Integer> statuses = Parallel.run(
                30, i -> () -> login(operator.email(), "wrong-guess-" + i).status());

        Map<Integer, Long> tally = Parallel.tally(statuses);
        assertThat(tally.getOrDefault(401, 0L))
                .as("answered 'wrong password': %s", tally)
                .isEqualTo(5);
        assertThat(tally.getOrDefault(429, 0L)).as("throttled: %s", tally).isEqualTo(25);
        assertThat(server.passwordChecks("operators") - checksBefore).isEqualTo(5);
    }

    @Test
    void fiftyParallelCorrectDashboardSignInsAllSucceed() throws Exception {
        RunningServer.Operator operator = server.newOperator(); // never signed in here: nothing is remembered

        List<Integer> statuses = Parallel.run(
                50, i -> () -> login(operator.email(), operator.password()).status());

        assertThat(Parallel.tally(statuses)).isEqualTo(Map.of(200, 50L));
    }

    @Test
    void fiftyParallelCorrectProxySignInsWithANewPasswordAllSucceedOnOneCheck() throws Exception {
        JsonNode connection = newConnection("SOCKS5");
        int port = server.server().relay().socksPort();
        long checksBefore = server.passwordChecks("customers");

        List<Integer> statuses = Parallel.run(
                50,
                i -> () -> ProxyClients.socks5SignIn(
                        port,
                        connection.get("username").asText(),
                        connection.get("password").asText()));

        assertThat(Parallel.tally(statuses)).isEqualTo(Map.of(0, 50L));
        // Merged while the first check runs, or answered from the verified cache after it: never fifty bcrypts.
        assertThat(server.passwordChecks("customers") - checksBefore).isBetween(1L, 5L);
    }

    @Test
    void twoThousandParallelSocksSignInsWithNewCredentialsAreAllAccepted() throws Exception {
        JsonNode connection = newConnection("SOCKS5");
        int port = server.server().relay().socksPort();

        List<Integer> statuses = Parallel.run(
                2000,
                i -> () -> ProxyClients.socks5SignIn(
                        port,
                        connection.get("username").asText(),
                        connection.get("password").asText()));

        // -1 would be a connection closed with no answer at all.
        assertThat(Parallel.tally(statuses)).isEqualTo(Map.of(0, 2000L));
    }

    @Test
    void aFloodOfBogusProxySignInsLeavesTheDashboardSignInAnswering() throws Exception {
        RunningServer.Operator operator = server.newOperator();
        int port = server.server().relay().httpPort();
        try (ExecutorService flood = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Integer>> floodAnswers = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                String username = "flood-" + i;
                // Queued behind each other's bcrypt, the last of them wait long on a loaded machine: as long as the
                // whole wait below allows, not a client's usual timeout.
                floodAnswers.add(flood.submit(
                        () -> ProxyClients.connect(port, username, "wrong", "example.com:443", Duration.ofMinutes(2))
                                .status()));
            }
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> server.passwordMetric("pocketproxy_password_queue", "customers") > 0);

            long start = System.nanoTime();
            int status = login(operator.email(), operator.password()).status();
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            double stillWaiting = server.passwordMetric("pocketproxy_password_queue", "customers");

            assertThat(status).isEqualTo(200);
            assertThat(stillWaiting)
                    .as("proxy sign-ins still waiting when the dashboard sign-in answered (in %d ms)", millis)
                    .isPositive();
            for (Future<Integer> answer : floodAnswers) {
                assertThat(answer.get(2, TimeUnit.MINUTES)).isIn(407, 429);
            }
        }
    }

    private static JsonNode newConnection(String type) {
        ApiClient api = server.newOperator().api();
        return createConnection(api, createDevice(api, "phone").get("id").asText(), type, null);
    }

    private static ApiClient.Response login(String email, String password) {
        return server.anonymous().post("/api/auth/login", Map.of("email", email, "password", password));
    }
}
