package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.pocketproxy.testkit.LogCapture;
import io.pocketproxy.testkit.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An alert is neither lost nor sent twice because the server's database went away: a delivery the receiver
 * answered while the database was stopped is recorded once it is back, and not sent again, however long the outage
 * outlasted the delivery's lease (the server's clock is moved on past it).
 */
class WebhookOutageTest {

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    @Order(1)
    static final LogCapture logs = new LogCapture();

    @RegisterExtension
    @Order(2)
    static final RunningServer server = RunningServer.onOwnPostgres(
            config -> config.allowPrivateWebhooks(true).webhookPoll(Duration.ofMillis(50)));

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void aDeliveryAnsweredWhileTheDatabaseIsAwayIsRecordedWhenItIsBackAndNotSentAgain() {
        server.clock().set(Instant.now());
        RunningServer.Operator operator = server.newOperator();
        assertThat(operator.api()
                        .put("/api/settings/webhook", Map.of("webhook_url", receiver.url()))
                        .status())
                .isEqualTo(200);
        receiver.hold();
        server.enqueueWebhook(operator.id(), "device.offline");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 1);

        server.postgres().stop();
        try {
            receiver.release(); // answered 200 while the database is away
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> logs.text().contains("cannot record webhook deliveries while the database is away"));
            server.clock().advance(Duration.ofHours(1)); // long past the delivery's lease
        } finally {
            server.postgres().startAgain();
        }

        // The test's own read may fail for a moment while the pool finds the database again.
        await().ignoreExceptions()
                .atMost(Duration.ofSeconds(30))
                .until(() -> "delivered".equals(status(operator.id())));
        assertThat(receiver.requests()).as("requests the receiver got").hasSize(1);
    }

    private static String status(UUID ownerId) {
        return server.jdbi()
                .withHandle(
                        handle -> handle.createQuery("SELECT status FROM webhook_deliveries WHERE owner_id = :owner")
                                .bind("owner", ownerId)
                                .mapTo(String.class)
                                .one());
    }
}
