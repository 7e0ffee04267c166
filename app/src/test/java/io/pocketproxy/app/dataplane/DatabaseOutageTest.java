package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.LocalHttpTarget;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The server's PostgreSQL stopped (as for an upgrade), hung (SIGSTOP) and killed (SIGKILL) under a running system:
 * the proxies keep serving the customers they know and count every byte, the API says "database unavailable"
 * within seconds instead of hanging, and everything comes back by itself, with no usage lost.
 *
 * <p>Connection details are re-read every 300 ms here, so the outages outlast every cached entry's freshness:
 * what keeps the known customers in is the relay keeping what it knew, not luck.
 */
class DatabaseOutageTest {

    private static final Duration ANSWERED_WITHIN = Duration.ofSeconds(5);

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system =
            RunningSystem.onOwnPostgres(config -> config.directoryRefresh(Duration.ofMillis(300)));

    private ApiClient operator;

    @BeforeEach
    void signIn() {
        operator = ApiClient.anonymous(system.apiUrl()).login("operator@example.com", "operator password");
    }

    @Test
    void aStoppedDatabaseLeavesKnownCustomersServedAndMeteredAndNoUsageIsLost() throws IOException {
        IssuedPassword known = system.newConnection(ConnectionType.HTTP, 0);
        IssuedPassword neverSeen = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead open = system.connectTunnel(known);
        assertThat(open.status()).isEqualTo(200);
        try (Socket tunnel = open.socket()) {
            echo(tunnel, 1_000);

            system.postgres().stop();
            try {
                echo(tunnel, 10_000); // an open tunnel keeps flowing

                ProxyClients.HttpHead unknown = system.connectTunnel(neverSeen);
                unknown.socket().close();
                assertThat(unknown.status()).isEqualTo(503);
                assertThat(unknown.header("Proxy-Status")).startsWith("pocketproxy; error=proxy_internal_error");

                ProxyClients.HttpHead again = system.connectTunnel(known); // a new tunnel, from memory
                assertThat(again.status()).isEqualTo(200);
                try (Socket second = again.socket()) {
                    echo(second, 50_000);
                }

                assertApiSaysDatabaseUnavailable();
                assertThat(ApiClient.anonymous(system.apiUrl()).get("/healthz").status())
                        .isEqualTo(503);
                assertThat(ApiClient.anonymous(system.apiUrl()).get("/readyz").status())
                        .isEqualTo(200);
            } finally {
                system.postgres().startAgain();
            }
        }

        // Every byte counted during the outage reaches the database once it is back: 2 × (1,000 + 10,000 + 50,000).
        // Reads may fail for a moment while the pool finds the database again.
        await().ignoreExceptions()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(system.storedUsage(known.connection().id())).isEqualTo(122_000));
        assertThat(operator.get("/api/connections").status()).isEqualTo(200); // the session outlived the outage
        assertThat(ApiClient.anonymous(system.apiUrl()).get("/healthz").status())
                .isEqualTo(200);
        await().ignoreExceptions()
                .atMost(Duration.ofSeconds(10))
                .until(() -> system.connectStatus(neverSeen.connection().username(), neverSeen.password()) == 200);
    }

    @Test
    void aHungDatabaseIsAnsweredWithinSecondsAndForgottenWhenItResumes() throws IOException {
        IssuedPassword known = system.newConnection(ConnectionType.SOCKS5, 0);
        try (Socket tunnel = system.socksTunnel(known)) {
            echo(tunnel, 1_000);

            system.postgres().hang();
            try {
                echo(tunnel, 20_000);
                try (Socket second = system.socksTunnel(known)) {
                    echo(second, 5_000);
                }
                assertApiSaysDatabaseUnavailable();
            } finally {
                system.postgres().resume();
            }
        }

        await().ignoreExceptions()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(system.storedUsage(known.connection().id())).isEqualTo(52_000));
        assertThat(operator.get("/api/connections").status()).isEqualTo(200);
    }

    @Test
    void aKilledDatabaseLosesNoUsageOnceItIsStartedAgain() throws IOException {
        IssuedPassword known = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead open = system.connectTunnel(known);
        assertThat(open.status()).isEqualTo(200);
        try (Socket tunnel = open.socket()) {
            echo(tunnel, 1_000);
            system.postgres().kill();
            try {
                echo(tunnel, 30_000);
                assertApiSaysDatabaseUnavailable();
            } finally {
                system.postgres().startAgain();
            }
        }

        await().ignoreExceptions()
                .atMost(Duration.ofSeconds(30))
                .untilAsserted(() ->
                        assertThat(system.storedUsage(known.connection().id())).isEqualTo(62_000));
    }

    /** The API answers 503 {@code database_unavailable} promptly, not after a connection or statement timeout. */
    private void assertApiSaysDatabaseUnavailable() {
        long started = System.nanoTime();
        ApiClient.Response answer = operator.get("/api/connections");
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(answer.status()).as(answer.toString()).isEqualTo(503);
        assertThat(answer.json().get("code").asText()).isEqualTo("database_unavailable");
        assertThat(answer.header("Retry-After")).isNotNull();
        assertThat(took).isLessThan(ANSWERED_WITHIN);
    }

    /** Sends {@code size} bytes through the tunnel to the echo target and reads them back. */
    private static void echo(Socket tunnel, int size) throws IOException {
        byte[] sent = LocalHttpTarget.patternBytes(size);
        tunnel.getOutputStream().write(sent);
        tunnel.getOutputStream().flush();
        byte[] back = new byte[size];
        new DataInputStream(tunnel.getInputStream()).readFully(back);
        assertThat(Arrays.equals(back, sent))
                .as("the echo of " + size + " bytes")
                .isTrue();
    }
}
