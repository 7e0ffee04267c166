package io.pocketproxy.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.pocketproxy.server.webhooks.WebhookDispatcher;
import io.pocketproxy.testkit.ApiClient;
import io.pocketproxy.testkit.WebhookReceiver;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One operator's hostile receivers against everyone else's webhooks, on loopback: a receiver that answers
 * 200 at once and then trickles its body a byte every 300 ms (each read well within any per-read timeout) is
 * cut at the deadline, and while it trickles other operators' deliveries and tests go through at once. The
 * deadline is 4 s here instead of 15 s so the tests do not wait long.
 */
class WebhookFairShareTest {

    private static final Duration DEADLINE = Duration.ofSeconds(4);
    private static final Duration TRICKLE = Duration.ofMillis(300);
    /** How late after the deadline a trickling receiver may notice the hang-up: its next two writes. */
    private static final Duration NOTICED_WITHIN = TRICKLE.multipliedBy(2).plusMillis(400);

    @RegisterExtension
    static final RunningServer server = new RunningServer(config ->
            config.allowPrivateWebhooks(true).webhookPoll(Duration.ofMillis(50)).webhookTimeout(DEADLINE));

    @BeforeEach
    void emptyQueue() {
        server.jdbi().useHandle(handle -> handle.execute("DELETE FROM webhook_deliveries WHERE status = 'pending'"));
        server.clock().set(Instant.now());
    }

    @Test
    void aTricklingReceiverIsCutAtTheDeadlineAndDoesNotDelayAnotherOperatorsDelivery() {
        try (WebhookReceiver trickling = WebhookReceiver.start().trickle(TRICKLE);
                WebhookReceiver fast = WebhookReceiver.start()) {
            RunningServer.Operator mallory = operatorWithWebhook(trickling);
            RunningServer.Operator alice = operatorWithWebhook(fast);
            for (int i = 0; i < 6; i++) {
                server.enqueueWebhook(mallory.id(), "device.offline");
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> trickling.open() == WebhookDispatcher.DELIVERIES_PER_OPERATOR);

            Instant queued = Instant.now();
            server.enqueueWebhook(alice.id(), "device.offline");
            await().atMost(Duration.ofSeconds(10)).until(() -> fast.requests().size() == 1);
            Instant aliceHeard = fast.requests().getFirst().at();

            await().atMost(DEADLINE.multipliedBy(2))
                    .until(() -> trickling.hangUps().size() >= WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            List<WebhookReceiver.HangUp> cut =
                    trickling.hangUps().subList(0, WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            System.out.printf(
                    "alice's delivery took %d ms while mallory's trickled; mallory's were cut after %s ms%n",
                    Duration.between(queued, aliceHeard).toMillis(),
                    cut.stream().map(hangUp -> hangUp.after().toMillis()).toList());
            assertThat(cut)
                    .as("cut at the deadline; the receiver would have trickled for 18 s")
                    .allSatisfy(hangUp -> assertThat(hangUp.after())
                            .isGreaterThan(DEADLINE.minusSeconds(1))
                            .isLessThan(DEADLINE.plus(NOTICED_WITHIN)));
            assertThat(aliceHeard)
                    .as("alice heard her event before any of mallory's was cut")
                    .isBefore(cut.stream()
                            .map(WebhookReceiver.HangUp::at)
                            .min(Comparator.naturalOrder())
                            .orElseThrow());
            assertThat(Duration.between(queued, aliceHeard)).isLessThan(DEADLINE.dividedBy(2));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> deliveries(mallory).stream()
                                    .filter(delivery -> delivery.get("attempts").asInt() == 1)
                                    .count()
                            >= WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            assertThat(deliveries(mallory))
                    .filteredOn(delivery -> delivery.get("attempts").asInt() == 1)
                    .allSatisfy(delivery -> {
                        assertThat(delivery.get("status").asText()).isEqualTo("pending"); // retried later
                        assertThat(delivery.get("last_error").asText()).isEqualTo("no complete answer within 4 s");
                    });
        }
    }

    @Test
    void anOperatorsDeliveriesBeyondTheCapWaitInTheOutboxAndAreAllDelivered() {
        try (WebhookReceiver slow = WebhookReceiver.start().hold()) {
            RunningServer.Operator operator = operatorWithWebhook(slow);
            for (int i = 0; i < 10; i++) {
                server.enqueueWebhook(operator.id(), "device.offline");
            }

            await().atMost(Duration.ofSeconds(3)).until(() -> slow.open() == WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            await().during(Duration.ofMillis(300))
                    .atMost(Duration.ofSeconds(2))
                    .until(() -> slow.requests().size() == WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            assertThat(deliveries(operator))
                    .allSatisfy(delivery ->
                            assertThat(delivery.get("status").asText()).isEqualTo("pending"))
                    .as("the rest wait in the outbox, due and unclaimed (a claimed one is leased 13 s ahead)")
                    .filteredOn(delivery -> Instant.parse(
                                    delivery.get("next_attempt_at").asText())
                            .isBefore(server.clock().instant().plusSeconds(1)))
                    .hasSize(10 - WebhookDispatcher.DELIVERIES_PER_OPERATOR);
            slow.release();

            await().atMost(Duration.ofSeconds(10))
                    .until(() -> deliveries(operator).stream()
                            .allMatch(
                                    delivery -> delivery.get("status").asText().equals("delivered")));
            assertThat(deliveries(operator)).hasSize(10);
            assertThat(slow.requests()).hasSize(10);
            assertThat(slow.mostOpen()).isEqualTo(WebhookDispatcher.DELIVERIES_PER_OPERATOR);
        }
    }

    @Test
    void sendTestsBeyondTheCapAreRefusedAndNeverDelayRealDeliveries() throws Exception {
        List<WebhookReceiver> trickling = new ArrayList<>();
        try (WebhookReceiver fast = WebhookReceiver.start();
                ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int host = 0; host < 8; host++) {
                trickling.add(WebhookReceiver.start().trickle(TRICKLE));
            }
            RunningServer.Operator mallory = operatorWithWebhook(fast);
            RunningServer.Operator alice = operatorWithWebhook(fast);

            // The attack as reported: 64 tests at once, spread over 8 receivers.
            long started = System.nanoTime();
            List<Future<ApiClient.Response>> tests = new ArrayList<>();
            for (int i = 0; i < 64; i++) {
                String url = trickling.get(i % trickling.size()).url();
                tests.add(callers.submit(
                        () -> mallory.api().post("/api/settings/webhook/test", Map.of("webhook_url", url))));
            }
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            tests.stream().filter(Future::isDone).count() == 64 - WebhookDispatcher.TESTS_PER_OPERATOR);
            await().atMost(Duration.ofSeconds(3))
                    .until(() ->
                            trickling.stream().mapToInt(WebhookReceiver::open).sum()
                                    == WebhookDispatcher.TESTS_PER_OPERATOR);
            ApiClient.Response refused = tests.stream()
                    .filter(Future::isDone)
                    .findFirst()
                    .orElseThrow()
                    .get();
            assertThat(refused.status()).isEqualTo(429);
            assertThat(refused.header("Retry-After")).isEqualTo("4");
            assertThat(refused.json().get("code").asText()).isEqualTo("too_many_webhook_tests");
            assertThat(refused.json().get("error").asText())
                    .isEqualTo("too many webhook tests in flight (at most 2 per operator and 64 on the server at"
                            + " once); each ends within 4 s, try again then");

            // While mallory's tests trickle: her own and alice's real deliveries, and alice's test, go at once.
            Instant queued = Instant.now();
            server.enqueueWebhook(mallory.id(), "device.offline");
            server.enqueueWebhook(alice.id(), "device.offline");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> fast.requestsOfType("device.offline").size() == 2);
            ApiClient.Response aliceTest = alice.api().post("/api/settings/webhook/test", null);
            Instant aliceTested = Instant.now();
            assertThat(aliceTest.json().get("ok").asBoolean()).isTrue();

            List<ApiClient.Response> accepted = new ArrayList<>();
            for (Future<ApiClient.Response> test : tests) {
                ApiClient.Response response = test.get();
                if (response.status() != 429) {
                    accepted.add(response);
                }
            }
            Duration testsTook = Duration.ofNanos(System.nanoTime() - started);
            await().atMost(NOTICED_WITHIN.multipliedBy(2))
                    .until(() -> trickling.stream()
                                    .mapToInt(receiver -> receiver.hangUps().size())
                                    .sum()
                            == WebhookDispatcher.TESTS_PER_OPERATOR);
            Instant firstCut = trickling.stream()
                    .flatMap(receiver -> receiver.hangUps().stream())
                    .map(WebhookReceiver.HangUp::at)
                    .min(Comparator.naturalOrder())
                    .orElseThrow();
            System.out.printf(
                    "real deliveries took %s ms and alice's test %d ms while mallory's 2 tests trickled; those"
                            + " answered after %d ms%n",
                    fast.requestsOfType("device.offline").stream()
                            .map(request ->
                                    Duration.between(queued, request.at()).toMillis())
                            .toList(),
                    aliceTest.json().get("latency_ms").asLong(),
                    testsTook.toMillis());
            assertThat(fast.requestsOfType("device.offline"))
                    .allSatisfy(request -> assertThat(request.at()).isBefore(firstCut));
            assertThat(aliceTested).isBefore(firstCut);
            assertThat(accepted).hasSize(WebhookDispatcher.TESTS_PER_OPERATOR).allSatisfy(response -> {
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.json().get("ok").asBoolean()).isFalse();
                assertThat(response.json().get("error").asText()).isEqualTo("no complete answer within 4 s");
            });
            assertThat(testsTook).isLessThan(DEADLINE.plusSeconds(2));
        } finally {
            trickling.forEach(WebhookReceiver::close);
        }
    }

    private static RunningServer.Operator operatorWithWebhook(WebhookReceiver receiver) {
        RunningServer.Operator operator = server.newOperator();
        Fixtures.expect(200, operator.api().put("/api/settings/webhook", Map.of("webhook_url", receiver.url())));
        return operator;
    }

    private static List<JsonNode> deliveries(RunningServer.Operator operator) {
        JsonNode all = operator.api().get("/api/webhook-deliveries").json();
        return StreamSupport.stream(all.spliterator(), false).toList();
    }
}
