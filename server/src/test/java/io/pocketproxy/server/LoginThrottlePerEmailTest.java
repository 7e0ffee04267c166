package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.ApiClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginThrottlePerEmailTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void turnsAwayAnEmailAfterFiveFailuresUntilTheBucketRefills() {
        RunningServer.Operator operator = server.newOperator();
        for (int attempt = 1; attempt <= 5; attempt++) {
            assertThat(login(operator.email(), "wrong-password").status()).isEqualTo(401);
        }

        ApiClient.Response throttled = login(operator.email(), operator.password());

        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.json().get("code").asText()).isEqualTo("too_many_attempts");
        assertThat(throttled.header("Retry-After")).isNotNull();
        assertThat(Long.parseLong(throttled.header("Retry-After"))).isBetween(1L, 60L);

        server.clock().advance(Duration.ofMinutes(1));
        assertThat(login(operator.email(), operator.password()).status()).isEqualTo(200);
    }

    private static ApiClient.Response login(String email, String password) {
        return server.anonymous().post("/api/auth/login", Map.of("email", email, "password", password));
    }
}
