package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the usage endpoints accept and refuse: a bad step or instant, {@code from} not before {@code to}, more
 * than 1,000 points, or hours older than the hourly history answer 400 with a sentence naming the field and
 * change nothing; another operator's connection or device is not found. The server's clock stands at
 * {@link #NOW}.
 */
class UsageApiTest {

    static final Instant NOW = Instant.parse("2026-11-20T18:20:00Z");

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static RelayUsage relay;
    static ApiClient alice;
    static ApiClient bob;
    static String device;
    static UUID connection;

    @BeforeAll
    static void anOperatorWithUsage() {
        server.clock().set(NOW);
        alice = server.newOperator().api();
        bob = server.newOperator().api();
        device = createDevice(alice, "phone").get("id").asText();
        connection = UUID.fromString(
                createConnection(alice, device, "SOCKS5", null).get("id").asText());
        relay = new RelayUsage(server);
        relay.flush(NOW, connection, 777);
    }

    @AfterAll
    static void closeRelay() {
        relay.close();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "connections | step=week                                                  | invalid_field   | step: \"week\" is no step (expected: hour or day)",
                "devices     | step=Hour                                                  | invalid_field   | step: \"Hour\" is no step",
                "connections | from=yesterday                                             | invalid_field   | from: \"yesterday\" is not an ISO-8601 instant",
                "devices     | to=2026-13-01T00:00:00Z                                    | invalid_field   | to: \"2026-13-01T00:00:00Z\" is not an ISO-8601 instant",
                "connections | from=2026-11-20T18:00:00+01:00                             | invalid_field   | write a + offset as %2B",
                "devices     | from=1969-12-31T00:00:00Z&step=day                         | invalid_field   | from: 1969-12-31T00:00:00Z (expected: an instant from 1970 to 9999)",
                "connections | from=2026-11-20T18:00:00Z&to=2026-11-20T18:00:00Z          | invalid_range   | from: 2026-11-20T18:00:00Z is not before to: 2026-11-20T18:00:00Z (expected: from earlier than to)",
                "devices     | from=2026-11-20T19:00:00Z&to=2026-11-20T18:00:00Z          | invalid_range   | is not before to",
                "connections | to=2026-11-19T00:00:00Z                                    | ok              | ",
                "connections | from=2026-10-01T00:00:00Z&to=2026-11-20T00:00:00Z          | too_many_points | from 2026-10-01T00:00:00Z to 2026-11-20T00:00:00Z by hour is 1200 points (expected: at most 1000; ask for a shorter range or step=day)",
                "devices     | from=2023-01-01T00:00:00Z&to=2026-01-01T00:00:00Z&step=day | too_many_points | by day is 1096 points",
                "connections | from=2026-08-01T00:00:00Z&to=2026-08-02T00:00:00Z          | invalid_range   | from: 2026-08-01T00:00:00Z is more than 90 days ago, where usage is kept by day only (expected: step=day, or from at or after 2026-08-22T18:20:00Z)",
            })
    void refusesABadRangeWithASentenceAndChangesNothing(String resource, String query, String code, String sentence) {
        String path = "/api/" + resource + "/" + (resource.equals("devices") ? device : connection) + "/usage?" + query;
        long historyBefore = historyRows();

        ApiClient.Response response = alice.get(path);

        if (code.equals("ok")) {
            assertThat(response.status()).isEqualTo(200);
            return;
        }
        assertThat(response.status()).as(response.toString()).isEqualTo(400);
        assertThat(response.json().get("code").asText()).isEqualTo(code);
        assertThat(response.json().get("error").asText()).contains(sentence);
        assertThat(historyRows()).isEqualTo(historyBefore);
        assertThat(RelayUsage.bandwidthUsed(server, connection)).isEqualTo(777);
    }

    @Test
    void answersAtMostAThousandPoints() {
        Instant lastHour = NOW.truncatedTo(ChronoUnit.HOURS);
        Instant from = lastHour.minus(Duration.ofHours(999));

        JsonNode thousand = expect(200, alice.get("/api/connections/" + connection + "/usage?from=" + from));
        ApiClient.Response more =
                alice.get("/api/connections/" + connection + "/usage?from=" + from.minus(Duration.ofHours(1)));

        assertThat(thousand.get("points")).hasSize(1000);
        assertThat(thousand.get("points").get(999).get("bytes").asLong()).isEqualTo(777);
        assertThat(more.status()).isEqualTo(400);
        assertThat(more.json().get("code").asText()).isEqualTo("too_many_points");
    }

    @Test
    void takesInstantsWithAnOffsetAndAnswersInUtc() {
        JsonNode answer = expect(
                200,
                alice.get("/api/devices/" + device
                        + "/usage?from=2026-11-20T20:00:00%2B02:00&to=2026-11-20T21:20:00%2B02:00"));

        assertThat(UsageHistoryTest.points(answer))
                .containsExactly(
                        org.assertj.core.api.Assertions.entry("2026-11-20T18:00:00Z", 777L),
                        org.assertj.core.api.Assertions.entry("2026-11-20T19:00:00Z", 0L));
    }

    @Test
    void anotherOperatorsConnectionOrDeviceIsNotFoundLikeAnUnknownOne() {
        for (String resource : new String[] {"/api/connections/", "/api/devices/"}) {
            String id = resource.equals("/api/devices/") ? device : connection.toString();
            ApiClient.Response foreign = bob.get(resource + id + "/usage");
            ApiClient.Response unknown = bob.get(resource + UUID.randomUUID() + "/usage");
            ApiClient.Response malformed = bob.get(resource + "not-an-id/usage");

            assertThat(foreign.status()).isEqualTo(404);
            assertThat(foreign.body()).isEqualTo(unknown.body()).isEqualTo(malformed.body());
        }
    }

    @Test
    void needsASession() {
        assertThat(server.anonymous()
                        .get("/api/connections/" + connection + "/usage")
                        .status())
                .isEqualTo(401);
    }

    private static long historyRows() {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT count(*) FROM usage_buckets")
                        .mapTo(Long.class)
                        .one());
    }
}
