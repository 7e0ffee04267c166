package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.testkit.ApiClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: {@code pocketproxy demo} prints a login that works. */
class DemoIT {

    private static final Pattern PASSWORD = Pattern.compile("Password:\\s+(\\S+)");
    private static final Pattern URL = Pattern.compile("API and dashboard:\\s+(http://\\S+?)/?\\n");

    @TempDir
    Path dataDir;

    @Test
    void printsASignInThatWorksAndANewOneAtEveryStart() {
        String firstPassword;
        try (PocketProxyProcess demo = start()) {
            firstPassword = signInWithPrintedCredentials(demo);
        }
        try (PocketProxyProcess demo = start()) {
            String secondPassword = signInWithPrintedCredentials(demo);

            assertThat(secondPassword).isNotEqualTo(firstPassword);
            ApiClient.Response old = ApiClient.anonymous(printed(demo, URL))
                    .post("/api/auth/login", Map.of("email", DemoCommand.DEMO_EMAIL, "password", firstPassword));
            assertThat(old.status()).isEqualTo(401);
        }
    }

    @Test
    void printsCurlCommandsForTheApi() {
        try (PocketProxyProcess demo = start()) {
            signInWithPrintedCredentials(demo);

            assertThat(demo.stdout())
                    .contains("curl -s " + printed(demo, URL) + "/api/auth/login")
                    .contains("/api/devices");
        }
    }

    private PocketProxyProcess start() {
        return PocketProxyProcess.start(
                Map.of(),
                "demo",
                "--data-dir",
                dataDir.toString(),
                "--api-port",
                "0",
                "--http-proxy-port",
                "0",
                "--socks-port",
                "0",
                "--link-port",
                "0");
    }

    private static String signInWithPrintedCredentials(PocketProxyProcess demo) {
        String password = printed(demo, PASSWORD);
        ApiClient api = ApiClient.anonymous(printed(demo, URL)).login(DemoCommand.DEMO_EMAIL, password);
        assertThat(api.get("/api/me").json().get("email").asText()).isEqualTo(DemoCommand.DEMO_EMAIL);
        return password;
    }

    private static String printed(PocketProxyProcess demo, Pattern pattern) {
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> pattern.matcher(demo.stdout()).find());
        Matcher matcher = pattern.matcher(demo.stdout());
        matcher.find();
        return matcher.group(1);
    }
}
