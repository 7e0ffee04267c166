package io.pocketproxy.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.ProxyClients;
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
    void printsProxyCommandsThatReachTheDemoDevice() throws Exception {
        Pattern httpProxy = Pattern.compile("curl -x http://([a-z0-9]+):([A-Za-z0-9]+)@[^:]+:(\\d+) ");
        try (PocketProxyProcess demo = start()) {
            signInWithPrintedCredentials(demo);
            Matcher proxy = httpProxy.matcher(demo.stdout());
            assertThat(proxy.find()).as(demo.stdout()).isTrue();

            // The demo's agent, like a phone's, keeps customers off private networks: the answer comes from the
            // device, which proves the credentials, the relay and the link all work.
            ProxyClients.HttpHead answer = ProxyClients.connect(
                    Integer.parseInt(proxy.group(3)), proxy.group(1), proxy.group(2), "127.0.0.1:9");
            answer.socket().close();

            assertThat(answer.status()).isEqualTo(502);
            assertThat(answer.header("Proxy-Status")).isEqualTo("pocketproxy; error=destination_ip_prohibited");
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

    /** The first thing a new user sees: a JVM warning there would look like something is broken. */
    @Test
    void startsWithoutJvmWarnings() {
        try (PocketProxyProcess demo = start()) {
            signInWithPrintedCredentials(demo);

            assertThat(demo.stderr()).doesNotContain("WARNING:");
            assertThat(demo.stdout()).doesNotContain("WARNING:");
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
