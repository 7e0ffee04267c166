package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The usage history after real traffic through the relay and a real agent: the relay's flushes write it in the
 * transaction of the usage, so the buckets of a usage period add up to {@code bandwidth_used} exactly, and a
 * reset starts a new period without erasing the old one.
 */
class UsageHistoryTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    static ApiClient api;

    @BeforeAll
    static void signIn() {
        api = ApiClient.anonymous(system.apiUrl()).login("operator@example.com", "operator password");
    }

    @Test
    void aPeriodsBucketsAddUpToItsUsageAndAResetKeepsTheOldPeriod() throws IOException {
        long limit = 200_000;
        IssuedPassword socks = system.newConnection(ConnectionType.SOCKS5, limit);
        UUID id = socks.connection().id();

        ProxyPathsTest.assertEchoes(system.socksTunnel(socks), 40_000); // 80,000 bytes
        system.useUpLimit(socks); // and the rest, up to the limit: the relay cuts off at exactly 200,000
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(limit));
        assertThat(historyOfPeriod(id, 0)).isEqualTo(limit);

        system.server().connections().resetUsage(system.operator().id(), id);
        // Refused at the limit until the relay has applied the reset: then the new period counts.
        await().atMost(Duration.ofSeconds(5)).until(() -> socksReply(socks) == 0);
        ProxyPathsTest.assertEchoes(system.socksTunnel(socks), 30_000); // 60,000 bytes
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(60_000));

        assertThat(historyOfPeriod(id, 1)).isEqualTo(system.connection(id).bandwidthUsed());
        assertThat(historyOfPeriod(id, 0)).isEqualTo(limit);
        assertThat(total(api.get("/api/connections/" + id + "/usage"))).isEqualTo(limit + 60_000);
    }

    @Test
    void parallelTunnelsOnSeveralConnectionsAddUpPerConnectionAndPerDevice() throws Exception {
        List<IssuedPassword> connections = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            connections.add(system.newConnection(ConnectionType.SOCKS5, 0));
        }
        List<Thread> tunnels = new ArrayList<>();
        for (IssuedPassword connection : connections) {
            for (int i = 0; i < 3; i++) {
                tunnels.add(Thread.ofVirtual().start(() -> {
                    try {
                        ProxyPathsTest.assertEchoes(system.socksTunnel(connection), 50_000);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
            }
        }
        for (Thread tunnel : tunnels) {
            tunnel.join(20_000);
        }

        for (IssuedPassword connection : connections) {
            UUID id = connection.connection().id();
            await().atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(system.storedUsage(id)).isEqualTo(300_000));
            assertThat(historyOfPeriod(id, 0)).isEqualTo(300_000);
            assertThat(total(api.get("/api/connections/" + id + "/usage"))).isEqualTo(300_000);
        }
        long everyConnectionOfTheDevice = 0;
        for (JsonNode connection : api.get("/api/connections").json()) {
            everyConnectionOfTheDevice +=
                    total(api.get("/api/connections/" + connection.get("id").asText() + "/usage"));
        }
        UUID device = system.device().device().id();
        assertThat(total(api.get("/api/devices/" + device + "/usage"))).isEqualTo(everyConnectionOfTheDevice);
    }

    private static int socksReply(IssuedPassword socks) throws IOException {
        ProxyClients.SocksResult result = ProxyClients.socks5(
                system.socksPort(),
                socks.connection().username(),
                socks.password(),
                "127.0.0.1",
                system.echo().port());
        result.socket().close();
        return result.reply();
    }

    /** The sum of a usage answer's points. */
    private static long total(ApiClient.Response response) {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        long total = 0;
        for (JsonNode point : response.json().get("points")) {
            total += point.get("bytes").asLong();
        }
        return total;
    }

    private static long historyOfPeriod(UUID connection, long generation) {
        return system.server()
                .database()
                .jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT coalesce(sum(bytes), 0) FROM usage_buckets
                                 WHERE connection_id = :id AND usage_generation = :generation""")
                        .bind("id", connection)
                        .bind("generation", generation)
                        .mapTo(Long.class)
                        .one());
    }
}
