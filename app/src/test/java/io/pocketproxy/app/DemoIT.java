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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command: {@code pocketproxy demo} prints a login that works. What one first start prints is read
 * by several tests from one demo (every start of a fresh demo costs a new embedded PostgreSQL); the test about what
 * changes from one start to the next has a data directory of its own.
 */
class DemoIT {

    private static final Pattern PASSWORD = Pattern.compile("Password:\\s+(\\S+)");
    private static final Pattern URL = Pattern.compile("API and dashboard:\\s+(http://\\S+?)/?\\n");

    @TempDir
    static Path firstStartDataDir;

    /** A first start, as a new user's: nothing in its data directory before. */
    private static PocketProxyProcess firstStart;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startTheDemoOnce() {
        firstStart = start(firstStartDataDir);
    }

    @AfterAll
    static void stopIt() {
        if (firstStart != null) {
            firstStart.close();
        }
    }

    @Test
    void printsASignInThatWorksAndANewOneAtEveryStart() {
        String firstPassword;
        try (PocketProxyProcess demo = start(dataDir)) {
            firstPassword = signInWithPrintedCredentials(demo);
        }
        try (PocketProxyProcess demo = start(dataDir)) {
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
        PocketProxyProcess demo = firstStart;
        signInWithPrintedCredentials(demo);
        Matcher proxy = httpProxy.matcher(demo.stdout());
        assertThat(proxy.find()).as(demo.stdout()).isTrue();

        // The demo's agent, like a phone's, keeps customers off private networks: the answer comes from the
        // device, which proves the credentials, the relay and the link all work.
        ProxyClients.HttpHead answer =
                ProxyClients.connect(Integer.parseInt(proxy.group(3)), proxy.group(1), proxy.group(2), "127.0.0.1:9");
        answer.socket().close();

        assertThat(answer.status()).isEqualTo(502);
        assertThat(answer.header("Proxy-Status")).isEqualTo("pocketproxy; error=destination_ip_prohibited");
    }

    @Test
    void printsCurlCommandsForTheApi() {
        PocketProxyProcess demo = firstStart;
        signInWithPrintedCredentials(demo);

        assertThat(demo.stdout())
                .contains("curl -s " + printed(demo, URL) + "/api/auth/login")
                .contains("/api/devices");
    }

    /** The first thing a new user sees: a JVM warning there would look like something is broken. */
    @Test
    void startsWithoutJvmWarnings() {
        PocketProxyProcess demo = firstStart;
        signInWithPrintedCredentials(demo);

        assertThat(demo.stderr()).doesNotContain("WARNING:");
        assertThat(demo.stdout()).doesNotContain("WARNING:");
    }

    private static PocketProxyProcess start(Path dataDir) {
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
