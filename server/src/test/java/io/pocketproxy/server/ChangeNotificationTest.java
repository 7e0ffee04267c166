package io.pocketproxy.server;

import static io.pocketproxy.server.Fixtures.createConnection;
import static io.pocketproxy.server.Fixtures.createDevice;
import static org.assertj.core.api.Assertions.assertThat;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.testkit.ApiClient;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** Every change the relays must apply is announced on {@code pocketproxy_changes}, and only once it commits. */
class ChangeNotificationTest {

    @RegisterExtension
    static final RunningServer server = new RunningServer();

    private Connection listener;
    private ApiClient api;
    private String device;
    private String connection;

    @BeforeEach
    void listenAndCreateAConnection() throws SQLException {
        api = server.newOperator().api();
        device = createDevice(api, "phone").get("id").asText();
        connection = createConnection(api, device, "HTTP", 1000L).get("id").asText();
        listener = DriverManager.getConnection(server.server().config().databaseUrl());
        try (Statement statement = listener.createStatement()) {
            statement.execute("LISTEN " + Change.CHANNEL);
        }
    }

    @AfterEach
    void stopListening() throws SQLException {
        listener.close();
    }

    @Test
    void announcesALimitChange() throws SQLException {
        api.patch("/api/connections/" + connection, Map.of("bandwidth_limit", 2000));

        assertThat(next(1)).containsExactly("connection.limit:" + connection);
    }

    @Test
    void announcesDisablingAndMovingInOneTransaction() throws SQLException {
        String otherDevice = createDevice(api, "other").get("id").asText();

        api.patch("/api/connections/" + connection, Map.of("active", false, "device_id", otherDevice));

        assertThat(next(2)).containsExactly("connection.active:" + connection, "connection.device:" + connection);
    }

    @Test
    void announcesAUsageReset() throws SQLException {
        api.post("/api/connections/" + connection + "/reset-bandwidth", null);

        assertThat(next(1)).containsExactly("connection.reset:" + connection);
    }

    @Test
    void announcesANewPassword() throws SQLException {
        api.post("/api/connections/" + connection + "/regenerate-password", null);

        assertThat(next(1)).containsExactly("connection.password:" + connection);
    }

    @Test
    void announcesADeletedConnectionAndThenItsDeletedDevice() throws SQLException {
        api.delete("/api/connections/" + connection);
        api.delete("/api/devices/" + device);

        assertThat(next(2)).containsExactly("connection.deleted:" + connection, "device.deleted:" + device);
    }

    @Test
    void announcesNothingForAChangeThatChangesNothingOrFails() throws SQLException {
        api.patch("/api/connections/" + connection, Map.of("bandwidth_limit", 1000)); // the same limit
        api.patch(
                "/api/connections/" + connection,
                Map.of("device_id", UUID.randomUUID().toString())); // refused
        api.delete("/api/devices/" + device); // refused: a connection uses it
        api.patch("/api/connections/" + connection, Map.of("active", false)); // the first real change

        assertThat(next(1)).containsExactly("connection.active:" + connection);
    }

    @Test
    void parsesBackIntoTheChangeRelaysApply() throws SQLException {
        api.post("/api/connections/" + connection + "/reset-bandwidth", null);

        Change change = Change.parse(next(1).get(0));

        assertThat(change).isEqualTo(new Change(Change.Kind.CONNECTION_RESET, UUID.fromString(connection)));
    }

    /** The next {@code count} notifications, in commit order; fails if they do not come within 10 s. */
    private List<String> next(int count) throws SQLException {
        PGConnection pg = listener.unwrap(PGConnection.class);
        List<String> payloads = new ArrayList<>();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (payloads.size() < count && System.nanoTime() < deadline) {
            PGNotification[] notifications = pg.getNotifications(500);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    payloads.add(notification.getParameter());
                }
            }
        }
        return payloads.subList(0, Math.min(count, payloads.size()));
    }
}
