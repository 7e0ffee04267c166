package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.testkit.ApiClient;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The usage history as an operator reads it (docs/architecture.md section 6): written by the relay's flush in
 * the transaction of the usage itself, kept across resets, attributed to the device the bytes went through.
 * The server's clock stands still at {@link #NOW}; flushes are dated by moving it.
 */
class UsageHistoryTest {

    static final Instant NOW = Instant.parse("2026-11-20T18:20:00Z");

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    static RelayUsage relay;
    static ApiClient operator;

    @BeforeAll
    static void anOperatorAtAFixedTime() {
        server.clock().set(NOW);
        operator = server.newOperator().api();
        relay = new RelayUsage(server);
    }

    @AfterAll
    static void closeRelay() {
        relay.close();
    }

    @Test
    void theBucketsOfAUsagePeriodAddUpToBandwidthUsedAndAResetKeepsTheHistory() {
        UUID connection = newConnection(newDevice("phone"));

        relay.flush(NOW.minus(Duration.ofMinutes(130)), connection, 1_000); // 16:10
        relay.flush(NOW.minus(Duration.ofMinutes(100)), connection, 500); // 16:40, the same hour
        relay.flush(NOW, connection, 300); // 18:20

        assertThat(RelayUsage.bandwidthUsed(server, connection)).isEqualTo(1_800);
        assertThat(RelayUsage.historyOfPeriod(server, connection, 0)).isEqualTo(1_800);

        expect(200, operator.post("/api/connections/" + connection + "/reset-bandwidth", Map.of()));
        relay.flush(NOW, connection, 200);
        // A delta counted before the reset and flushed after it counts nowhere: not in the usage, not in history.
        assertThat(relay.flush(NOW, connection, 0, 999)).isEmpty();

        assertThat(RelayUsage.bandwidthUsed(server, connection)).isEqualTo(200);
        assertThat(RelayUsage.historyOfPeriod(server, connection, 1)).isEqualTo(200);
        assertThat(RelayUsage.historyOfPeriod(server, connection, 0)).isEqualTo(1_800);
        assertThat(nonZero(usage("/api/connections/" + connection + "/usage?from=2026-11-20T15:00:00Z&to=" + NOW)))
                .containsExactly(entry("2026-11-20T16:00:00Z", 1_500L), entry("2026-11-20T18:00:00Z", 500L));
    }

    @Test
    void emptyHoursAreZeroAndTheDefaultIsTheLast24HoursByHour() {
        UUID connection = newConnection(newDevice("phone"));
        relay.flush(NOW.minus(Duration.ofHours(5)), connection, 42);

        JsonNode answer = expect(200, operator.get("/api/connections/" + connection + "/usage"));

        assertThat(answer.get("step").asText()).isEqualTo("hour");
        Map<String, Long> points = points(answer);
        // From 18:20 yesterday to 18:20 today: the hours from 18:00 yesterday to 18:00 today, the current one too.
        assertThat(points).hasSize(25);
        assertThat(points.keySet()).first().isEqualTo("2026-11-19T18:00:00Z");
        assertThat(points.keySet()).last().isEqualTo("2026-11-20T18:00:00Z");
        assertThat(points).containsEntry("2026-11-20T13:00:00Z", 42L);
        assertThat(points.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(42);
    }

    @Test
    void byDayAPointIsAWholeUtcDay() {
        UUID connection = newConnection(newDevice("phone"));
        relay.flush(Instant.parse("2026-11-18T23:30:00Z"), connection, 10);
        relay.flush(Instant.parse("2026-11-19T00:30:00Z"), connection, 20);
        relay.flush(Instant.parse("2026-11-19T23:30:00Z"), connection, 30);

        JsonNode answer = expect(
                200,
                operator.get("/api/connections/" + connection
                        + "/usage?step=day&from=2026-11-18T12:00:00Z&to=2026-11-19T01:00:00Z"));

        assertThat(answer.get("step").asText()).isEqualTo("day");
        assertThat(points(answer))
                .containsExactly(entry("2026-11-18T00:00:00Z", 10L), entry("2026-11-19T00:00:00Z", 50L));
    }

    @Test
    void aMovedConnectionsTrafficStaysWithTheDeviceItWentThrough() {
        UUID oldPhone = newDevice("old phone");
        UUID newPhone = newDevice("new phone");
        UUID connection = newConnection(oldPhone);
        relay.flush(NOW, connection, 1_000);

        expect(200, operator.patch("/api/connections/" + connection, Map.of("device_id", newPhone.toString())));
        relay.flush(NOW, connection, 400);

        String hour = "?from=2026-11-20T18:00:00Z&to=2026-11-20T19:00:00Z";
        assertThat(points(usage("/api/devices/" + oldPhone + "/usage" + hour)))
                .containsExactly(entry("2026-11-20T18:00:00Z", 1_000L));
        assertThat(points(usage("/api/devices/" + newPhone + "/usage" + hour)))
                .containsExactly(entry("2026-11-20T18:00:00Z", 400L));
        assertThat(points(usage("/api/connections/" + connection + "/usage" + hour)))
                .containsExactly(entry("2026-11-20T18:00:00Z", 1_400L));
        assertThat(RelayUsage.historyOfPeriod(server, connection, 0))
                .isEqualTo(RelayUsage.bandwidthUsed(server, connection));
    }

    @Test
    void aDeviceIsTheSumOfItsConnectionsAndKeepsADeletedOnesTraffic() {
        UUID phone = newDevice("phone");
        UUID kept = newConnection(phone);
        UUID deleted = newConnection(phone);
        relay.flush(NOW, kept, 100);
        relay.flush(NOW, deleted, 250);

        assertThat(operator.delete("/api/connections/" + deleted).status()).isEqualTo(204);

        String hour = "?from=2026-11-20T18:00:00Z&to=2026-11-20T19:00:00Z";
        assertThat(operator.get("/api/connections/" + deleted + "/usage" + hour).status())
                .isEqualTo(404);
        assertThat(points(usage("/api/devices/" + phone + "/usage" + hour)))
                .containsExactly(entry("2026-11-20T18:00:00Z", 350L));
    }

    @Test
    void theFleetIsTheSumOfTheOperatorsOwnDevicesOnly() {
        ApiClient fleetOwner = server.newOperator().api();
        UUID first = newConnection(fleetOwner, newDevice(fleetOwner, "first phone"));
        UUID second = newConnection(fleetOwner, newDevice(fleetOwner, "second phone"));
        UUID someoneElses = newConnection(newDevice("not theirs"));
        Instant halfPastOne = Instant.parse("2026-11-20T13:30:00Z");
        relay.flush(halfPastOne, first, 1_000);
        relay.flush(halfPastOne, second, 234);
        relay.flush(halfPastOne, someoneElses, 5_000);

        JsonNode fleet = expect(200, fleetOwner.get("/api/usage?from=2026-11-20T13:00:00Z&to=2026-11-20T14:00:00Z"));

        assertThat(points(fleet)).containsExactly(entry("2026-11-20T13:00:00Z", 1_234L));
        assertThat(fleetOwner.get("/api/usage?step=week").status()).isEqualTo(400);
    }

    private static UUID newDevice(String name) {
        return newDevice(operator, name);
    }

    private static UUID newDevice(ApiClient owner, String name) {
        return UUID.fromString(createDevice(owner, name).get("id").asText());
    }

    private static UUID newConnection(UUID device) {
        return newConnection(operator, device);
    }

    private static UUID newConnection(ApiClient owner, UUID device) {
        return UUID.fromString(createConnection(owner, device.toString(), "HTTP", null)
                .get("id")
                .asText());
    }

    private static JsonNode usage(String path) {
        return expect(200, operator.get(path));
    }

    /** The answer's points in order, {@code t} to {@code bytes}. */
    static Map<String, Long> points(JsonNode answer) {
        Map<String, Long> points = new LinkedHashMap<>();
        answer.get("points")
                .forEach(point ->
                        points.put(point.get("t").asText(), point.get("bytes").asLong()));
        return points;
    }

    static Map<String, Long> nonZero(JsonNode answer) {
        Map<String, Long> points = points(answer);
        points.values().removeIf(bytes -> bytes == 0);
        return points;
    }
}
