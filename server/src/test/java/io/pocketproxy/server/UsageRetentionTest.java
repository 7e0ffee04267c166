package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static io.pocketproxy.server.Fixtures.expect;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

import io.pocketproxy.server.usage.UsageRetention;
import io.pocketproxy.testkit.ApiClient;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Old history is rolled up and pruned on the server's settable clock: hourly buckets of whole UTC days older
 * than 90 days become daily ones (period and device kept, so a period still adds up to its usage), daily ones
 * older than two years are deleted, each in transactions of a bounded number of rows.
 */
class UsageRetentionTest {

    static final Instant START = Instant.parse("2024-03-10T05:30:00Z");
    static final int BATCH = 2;

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    @Test
    void rollsUpOldHoursIntoDaysAndPrunesOldDaysInBoundedBatches() {
        server.clock().set(START);
        RunningServer.Operator alice = server.newOperator();
        UUID phone = device(alice.api(), "phone");
        UUID spare = device(alice.api(), "spare phone");
        UUID connection = connection(alice.api(), phone);
        UUID other = connection(alice.api(), spare);
        try (RelayUsage relay = new RelayUsage(server)) {
            relay.flush(Instant.parse("2024-03-08T10:15:00Z"), connection, 100);
            relay.flush(Instant.parse("2024-03-08T23:45:00Z"), connection, 50);
            relay.flush(Instant.parse("2024-03-09T01:05:00Z"), connection, 70);
            relay.flush(Instant.parse("2024-03-08T10:30:00Z"), other, 1_000);
            expect(200, alice.api().post("/api/connections/" + connection + "/reset-bandwidth", Map.of()));
            relay.flush(Instant.parse("2024-03-09T12:00:00Z"), connection, 30);
            relay.flush(Instant.parse("2024-03-10T05:10:00Z"), connection, 5);
        }
        UsageRetention retention = new UsageRetention(server.jdbi(), server.clock(), BATCH);

        // 90 days on, the hours of March 8 and 9 are due; March 10 is not a whole day older than 90 days yet.
        server.clock().set(Instant.parse("2024-06-08T12:00:00Z"));
        assertThat(retention.rollUpBatch(server.clock().instant())).isEqualTo(BATCH);
        assertThat(rows("hour")).hasSize(4);
        assertThat(retention.run()).isEqualTo(new UsageRetention.Pass(3, 0, 3));

        assertThat(rows("hour")).containsExactly("hour 2024-03-10T05:00:00Z gen 1: 5");
        assertThat(rows("day"))
                .containsExactlyInAnyOrder(
                        "day 2024-03-08T00:00:00Z gen 0: 150",
                        "day 2024-03-09T00:00:00Z gen 0: 70",
                        "day 2024-03-09T00:00:00Z gen 1: 30",
                        "day 2024-03-08T00:00:00Z gen 0: 1000");
        assertThat(RelayUsage.historyOfPeriod(server, connection, 0)).isEqualTo(220);
        assertThat(RelayUsage.historyOfPeriod(server, connection, 1))
                .isEqualTo(RelayUsage.bandwidthUsed(server, connection))
                .isEqualTo(35);
        ApiClient api = server.anonymous().login(alice.email(), alice.password()); // the old session expired
        String days = "/usage?step=day&from=2024-03-08T00:00:00Z&to=2024-03-11T00:00:00Z";
        assertThat(UsageHistoryTest.points(expect(200, api.get("/api/connections/" + connection + days))))
                .containsExactly(
                        entry("2024-03-08T00:00:00Z", 150L),
                        entry("2024-03-09T00:00:00Z", 100L),
                        entry("2024-03-10T00:00:00Z", 5L));
        assertThat(UsageHistoryTest.points(expect(200, api.get("/api/devices/" + spare + days))))
                .containsExactly(
                        entry("2024-03-08T00:00:00Z", 1_000L),
                        entry("2024-03-09T00:00:00Z", 0L),
                        entry("2024-03-10T00:00:00Z", 0L));
        assertThat(api.get("/api/connections/" + connection + "/usage?from=2024-03-08T00:00:00Z")
                        .status())
                .isEqualTo(400);

        // Two years after March 9, the days before it are deleted; March 9 itself is still kept.
        server.clock().set(Instant.parse("2026-03-09T12:00:00Z"));
        assertThat(retention.run()).isEqualTo(new UsageRetention.Pass(1, 2, 3));

        assertThat(rows("hour")).isEmpty();
        assertThat(rows("day"))
                .containsExactlyInAnyOrder(
                        "day 2024-03-09T00:00:00Z gen 0: 70",
                        "day 2024-03-09T00:00:00Z gen 1: 30",
                        "day 2024-03-10T00:00:00Z gen 1: 5");
        assertThat(RelayUsage.historyOfPeriod(server, connection, 1))
                .isEqualTo(RelayUsage.bandwidthUsed(server, connection));
    }

    @Test
    void aPassWithNothingDueTakesOneTransactionEach() {
        UsageRetention retention = new UsageRetention(server.jdbi(), server.clock(), BATCH);
        server.clock().set(Instant.parse("2000-01-01T00:00:00Z"));

        assertThat(retention.run()).isEqualTo(new UsageRetention.Pass(0, 0, 2));
    }

    private static List<String> rows(String resolution) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT resolution, bucket_start, usage_generation, bytes FROM usage_buckets
                                 WHERE resolution = :resolution ORDER BY bucket_start, usage_generation, bytes""")
                        .bind("resolution", resolution)
                        .map((rows, ctx) -> rows.getString("resolution") + " "
                                + rows.getObject("bucket_start", Timestamp.class)
                                        .toInstant() + " gen "
                                + rows.getLong("usage_generation") + ": " + rows.getLong("bytes"))
                        .list());
    }

    private static UUID device(ApiClient api, String name) {
        return UUID.fromString(createDevice(api, name).get("id").asText());
    }

    private static UUID connection(ApiClient api, UUID device) {
        return UUID.fromString(
                createConnection(api, device.toString(), "HTTP", null).get("id").asText());
    }
}
