package io.pocketproxy.app.dataplane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.server.connections.IssuedPassword;
import io.pocketproxy.testkit.NettyLeakDetection;
import io.pocketproxy.testkit.ProxyClients;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A change announced while the relay was not listening (its listening connection to the database broke) is not
 * lost: once it listens again it re-reads what it holds. Connection details are otherwise re-read only every
 * minute here (the default), so a test that waits seconds sees the re-read, not the periodic refresh.
 */
class MissedChangesTest {

    @RegisterExtension
    @Order(1)
    static final NettyLeakDetection leaks = new NettyLeakDetection();

    @RegisterExtension
    @Order(2)
    static final RunningSystem system = new RunningSystem();

    @Test
    void aConnectionDisabledWhileTheRelayWasNotListeningLosesItsTunnelsOnceItListensAgain() throws IOException {
        IssuedPassword http = system.newConnection(ConnectionType.HTTP, 0);
        ProxyClients.HttpHead open = system.connectTunnel(http);
        assertThat(open.status()).isEqualTo(200);

        try (Socket tunnel = open.socket()) {
            disableWhileTheRelayIsNotListening(http);

            assertThat(open.in().read()).as("the tunnel, closed by the relay").isEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> system.connectStatus(http.connection().username(), http.password()) == 403);
    }

    /**
     * Ends the relay's listening session (waiting until it is gone), then disables the connection and announces it
     * in one transaction: the notice goes out before the relay can be listening again, so it never hears it.
     */
    private static void disableWhileTheRelayIsNotListening(IssuedPassword http) {
        system.server().database().jdbi().useTransaction(handle -> {
            // Materialized first: a filter may otherwise be evaluated on every session of the server, this one too.
            int ended = handle.createQuery("""
                            WITH listening AS MATERIALIZED (
                                SELECT pid FROM pg_stat_activity
                                 WHERE application_name = 'pocketproxy-changes' AND datname = current_database()
                            )
                            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM listening""").mapTo(Integer.class).one();
            assertThat(ended).as("listening sessions ended").isEqualTo(1);
            handle.createUpdate("UPDATE proxy_connections SET active = false WHERE id = :id")
                    .bind("id", http.connection().id())
                    .execute();
            handle.execute(
                    "SELECT pg_notify(?, ?)",
                    Change.CHANNEL,
                    new Change(Change.Kind.CONNECTION_ACTIVE, http.connection().id()).payload());
        });
    }
}
