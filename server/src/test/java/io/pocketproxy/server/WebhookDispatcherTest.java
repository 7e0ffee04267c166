package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.standardwebhooks.Webhook;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox delivered to a real receiver on loopback: signed, retried on the default schedule (driven by
 * the server's settable clock), {@code Retry-After} and 410 honoured, the receiver's body never shown.
 */
class WebhookDispatcherTest {

    private static final WebhookReceiver receiver = WebhookReceiver.start();

    @RegisterExtension
    static final RunningServer server =
            new RunningServer(config -> config.allowPrivateWebhooks(true).webhookPoll(Duration.ofMillis(50)));

    private RunningServer.Operator operator;

    @BeforeEach
    void operatorWithWebhook() {
        // Each test starts from an empty queue at the real time (signatures are checked against it).
        server.jdbi().useHandle(handle -> handle.execute("DELETE FROM webhook_deliveries WHERE status = 'pending'"));
        server.clock().set(Instant.now());
        receiver.clear();
        operator = server.newOperator();
        assertThat(operator.api()
                        .put("/api/settings/webhook", Map.of("webhook_url", receiver.url()))
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    static void stopReceiver() {
        receiver.close();
    }

    @Test
    void signsEachRequestSoThatTheStandardWebhooksLibraryVerifiesIt() throws Exception {
        UUID id = enqueue("device.offline");

        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 1);

        WebhookReceiver.Request request = receiver.requests().getFirst();
        assertThat(request.header("webhook-id")).isEqualTo(id.toString());
        assertThat(request.header("content-type")).startsWith("application/json");
        String secret = operator.api()
                .get("/api/settings/webhook")
                .json()
                .get("webhook_secret")
                .asText();
        new Webhook(secret).verify(request.body(), request.headers()); // throws unless the signature is right
        JsonNode body = new com.fasterxml.jackson.databind.ObjectMapper().readTree(request.body());
        assertThat(body.get("type").asText()).isEqualTo("device.offline");
        assertThat(body.get("id").asText()).isEqualTo(id.toString());
        assertThat(body.get("data").get("device_name").asText()).isEqualTo("phone");
        assertThat(delivery(id).get("status").asText()).isEqualTo("delivered");
        assertThat(delivery(id).get("device_name").asText()).isEqualTo("phone");
    }

    @Test
    void aSignatureWithAnotherSecretDoesNotVerify() {
        enqueue("device.offline");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 1);

        WebhookReceiver.Request request = receiver.requests().getFirst();
        String otherSecret = server.newOperator()
                .api()
                .get("/api/settings/webhook")
                .json()
                .get("webhook_secret")
                .asText();
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new Webhook(otherSecret).verify(request.body(), request.headers()))
                .isInstanceOf(com.standardwebhooks.exceptions.WebhookVerificationException.class);
    }

    @Test
    void retriesOnTheScheduleWithTheSameIdUntilDelivered() {
        receiver.answer(500, 503);
        UUID id = enqueue("device.offline");
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("attempts").asInt() == 1);
        assertThat(delivery(id).get("status").asText()).isEqualTo("pending");
        assertThat(delivery(id).get("last_status_code").asInt()).isEqualTo(500);

        server.clock().advance(Duration.ofSeconds(29));
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> receiver.requests().size() == 1);
        server.clock().advance(Duration.ofSeconds(1)); // 30 s after the first attempt
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.requests().size() == 2);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("attempts").asInt() == 2);
        server.clock().advance(Duration.ofMinutes(2));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("status").asText().equals("delivered"));

        assertThat(receiver.requests()).hasSize(3);
        assertThat(receiver.requests())
                .allSatisfy(request -> assertThat(request.header("webhook-id")).isEqualTo(id.toString()));
        JsonNode delivered = delivery(id);
        assertThat(delivered.get("attempts").asInt()).isEqualTo(3);
        assertThat(delivered.get("last_status_code").asInt()).isEqualTo(200);
        assertThat(delivered.get("delivered_at").isNull()).isFalse();
    }

    @Test
    void waitsAsLongAsRetryAfterSays() {
        receiver.answer(new WebhookReceiver.Answer(503, Map.of("Retry-After", "120")));
        UUID id = enqueue("device.online");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("attempts").asInt() == 1);

        server.clock().advance(Duration.ofSeconds(30)); // the schedule's wait, but the receiver asked for 2 min
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> receiver.requests().size() == 1);
        server.clock().advance(Duration.ofSeconds(90));
        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("status").asText().equals("delivered"));
        assertThat(receiver.requests()).hasSize(2);
    }

    @Test
    void goneStopsRetrying() {
        receiver.answer(410);
        UUID id = enqueue("device.offline");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("status").asText().equals("failed"));
        server.clock().advance(Duration.ofHours(7));
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> receiver.requests().size() == 1);
        assertThat(delivery(id).get("attempts").asInt()).isEqualTo(1);
        assertThat(delivery(id).get("last_status_code").asInt()).isEqualTo(410);
    }

    @Test
    void failsAfterTheLastRetryAndNeverShowsTheReceiversBody() {
        receiver.answer(500, 500, 500, 500, 500, 500);
        UUID id = enqueue("device.offline");
        List<Duration> waits = List.of(
                Duration.ofSeconds(30),
                Duration.ofMinutes(2),
                Duration.ofMinutes(10),
                Duration.ofHours(1),
                Duration.ofHours(6));
        for (int attempt = 1; attempt <= waits.size(); attempt++) {
            int done = attempt;
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> delivery(id).get("attempts").asInt() == done);
            assertThat(delivery(id).get("status").asText()).isEqualTo("pending");
            server.clock().advance(waits.get(attempt - 1));
        }

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("status").asText().equals("failed"));
        assertThat(delivery(id).get("attempts").asInt()).isEqualTo(6);
        assertThat(receiver.requests()).hasSize(6);
        assertThat(operator.api().get("/api/webhook-deliveries").body()).doesNotContain("answer 500");
    }

    @Test
    void sendTestAnswersWithStatusAndLatencyOnly() {
        ApiClient.Response ok =
                operator.api().post("/api/settings/webhook/test", Map.of("webhook_url", receiver.url()));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().get("ok").asBoolean()).isTrue();
        assertThat(ok.json().get("status").asInt()).isEqualTo(200);
        assertThat(ok.json().get("latency_ms").asLong()).isGreaterThanOrEqualTo(0);
        assertThat(receiver.requestsOfType("test")).hasSize(1);

        receiver.answer(500);
        ApiClient.Response failed = operator.api().post("/api/settings/webhook/test", null);
        assertThat(failed.json().get("ok").asBoolean()).isFalse();
        assertThat(failed.json().get("status").asInt()).isEqualTo(500);
        assertThat(failed.json().get("error").asText()).isEqualTo("the receiver answered HTTP 500");
        assertThat(failed.body()).doesNotContain("answer 500");

        ApiClient.Response nobody =
                operator.api().post("/api/settings/webhook/test", Map.of("webhook_url", "http://127.0.0.1:1/none"));
        assertThat(nobody.json().get("ok").asBoolean()).isFalse();
        assertThat(nobody.json().get("error").asText()).startsWith("connection refused");
        assertThat(nobody.json().has("status")).isFalse();

        JsonNode deliveries = operator.api().get("/api/webhook-deliveries").json();
        assertThat(deliveries).hasSize(3);
        assertThat(deliveries.get(0).get("event").asText()).isEqualTo("test");

        String metrics = server.anonymous().get("/metrics").body();
        assertThat(metrics)
                .containsPattern("pocketproxy_webhook_deliveries_total\\{outcome=\"delivered\"\\} [1-9]")
                .containsPattern("pocketproxy_webhook_deliveries_total\\{outcome=\"failed\"\\} [1-9]")
                .contains("pocketproxy_webhook_delivery_latency_seconds_count")
                .contains("pocketproxy_devices{status=\"online\"}")
                .contains("pocketproxy_devices{status=\"offline\"}");
    }

    @Test
    void doesNotFollowRedirects() {
        receiver.answer(new WebhookReceiver.Answer(302, Map.of("Location", "http://169.254.169.254/")));
        UUID id = enqueue("device.offline");

        await().atMost(Duration.ofSeconds(10))
                .until(() -> delivery(id).get("attempts").asInt() == 1);
        assertThat(delivery(id).get("last_status_code").asInt()).isEqualTo(302);
        assertThat(delivery(id).get("status").asText()).isEqualTo("pending");
        assertThat(receiver.requests()).hasSize(1);
    }

    private UUID enqueue(String type) {
        server.enqueueWebhook(operator.id(), type);
        return server.jdbi()
                .withHandle(handle -> handle.createQuery(
                                "SELECT id FROM webhook_deliveries WHERE owner_id = :owner ORDER BY created_at DESC LIMIT 1")
                        .bind("owner", operator.id())
                        .mapTo(UUID.class)
                        .one());
    }

    private JsonNode delivery(UUID id) {
        for (JsonNode delivery : operator.api().get("/api/webhook-deliveries").json()) {
            if (delivery.get("id").asText().equals(id.toString())) {
                return delivery;
            }
        }
        throw new AssertionError("no delivery " + id);
    }
}
