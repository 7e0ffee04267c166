package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.testkit.ApiClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LoginThrottlePerAddressTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void turnsAwayAnAddressThatTriesManyEmails() {
        for (int attempt = 1; attempt <= 20; attempt++) {
            login("guess-" + attempt + "@example.com", "wrong-password");
        }

        ApiClient.Response throttled = login("yet-another@example.com", "wrong-password");

        assertThat(throttled.status()).isEqualTo(429);
        server.clock().advance(Duration.ofMinutes(2));
        assertThat(login("yet-another@example.com", "wrong-password").status()).isEqualTo(401);
    }

    private static ApiClient.Response login(String email, String password) {
        return server.anonymous().post("/api/auth/login", Map.of("email", email, "password", password));
    }
}
