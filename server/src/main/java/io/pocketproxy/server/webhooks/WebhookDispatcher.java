package io.pocketproxy.server.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pocketproxy.link.Threads;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox. Every {@code poll} it claims due deliveries with {@code FOR UPDATE SKIP LOCKED}
 * (so several server processes share the work without sending an event twice) and leases them: a claimed
 * row is due again only when the lease runs out, which is how a delivery in flight when a process dies is
 * retried. Each delivery is one signed POST on its own virtual thread; 2xx is delivered, 410 stops, any
 * other answer or no answer is retried after the next of {@code retryDelays} (or the receiver's
 * {@code Retry-After}), and after the last one it is {@code failed}.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final int BATCH = 32;
    private static final Duration LONGEST_RETRY_AFTER = Duration.ofHours(24);

    private record Claimed(UUID id, String event, String payload, int attempts, String url, String secret) {}

    private final Jdbi jdbi;
    private final WebhookClient client;
    private final WebhookUrls urls;
    private final List<Duration> retryDelays;
    private final Duration lease;
    private final Clock clock;
    private final ScheduledExecutorService poller;
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("webhook-", 0).factory());
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final Counter delivered;
    private final Counter retried;
    private final Counter failed;
    private final Timer latency;
    private volatile boolean closing;

    public WebhookDispatcher(
            Jdbi jdbi,
            WebhookClient client,
            WebhookUrls urls,
            List<Duration> retryDelays,
            Duration timeout,
            Duration poll,
            Clock clock,
            MeterRegistry registry) {
        this.jdbi = jdbi;
        this.client = client;
        this.urls = urls;
        this.retryDelays = List.copyOf(retryDelays);
        // Longer than any attempt can take, so a live attempt is never claimed twice.
        this.lease = timeout.multipliedBy(2).plusSeconds(5);
        this.clock = clock;
        this.delivered = outcome(registry, "delivered");
        this.retried = outcome(registry, "retry");
        this.failed = outcome(registry, "failed");
        this.latency = Timer.builder("pocketproxy.webhook.delivery.latency")
                .description("time from sending a webhook request to the receiver's answer")
                .register(registry);
        this.poller = Executors.newSingleThreadScheduledExecutor(Threads.daemon("webhook-dispatcher"));
        poller.scheduleWithFixedDelay(this::pollQuietly, 0, poll.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Counter outcome(MeterRegistry registry, String outcome) {
        return Counter.builder("pocketproxy.webhook.deliveries")
                .description("webhook delivery attempts by outcome: delivered, retry (will be tried again), failed")
                .tag("outcome", outcome)
                .register(registry);
    }

    private void pollQuietly() {
        try {
            for (Claimed delivery : claim()) {
                senders.execute(() -> deliver(delivery));
            }
        } catch (RuntimeException e) {
            log.warn("claiming webhook deliveries failed; will retry", e);
        }
    }

    private List<Claimed> claim() {
        Instant now = clock.instant();
        return jdbi.inTransaction(handle -> {
            List<Claimed> claimed = handle.createQuery("""
                            UPDATE webhook_deliveries w
                               SET next_attempt_at = :leaseUntil
                              FROM users u
                             WHERE u.id = w.owner_id
                               AND w.id IN (SELECT id FROM webhook_deliveries
                                             WHERE status = 'pending' AND next_attempt_at <= :now
                                             ORDER BY next_attempt_at
                                             LIMIT :batch
                                             FOR UPDATE SKIP LOCKED)
                            RETURNING w.id, w.event, w.payload::text AS payload, w.attempts, u.webhook_url,
                                      u.webhook_secret""")
                    .bind("now", Timestamp.from(now))
                    .bind("leaseUntil", Timestamp.from(now.plus(lease)))
                    .bind("batch", BATCH)
                    .map((rows, ctx) -> new Claimed(
                            rows.getObject("id", UUID.class),
                            rows.getString("event"),
                            WebhookOutbox.wireBody(rows.getString("payload")),
                            rows.getInt("attempts"),
                            rows.getString("webhook_url"),
                            rows.getString("webhook_secret")))
                    .list();
            claimed.forEach(delivery -> inFlight.add(delivery.id()));
            return claimed;
        });
    }

    private void deliver(Claimed delivery) {
        try {
            if (delivery.url() == null) {
                record(delivery, null, "no webhook URL is set", null, true);
                return;
            }
            WebhookClient.Attempt attempt = client.post(
                    URI.create(delivery.url()), delivery.id().toString(), delivery.payload(), delivery.secret());
            if (closing) {
                return; // the lease is given back on close; this attempt does not count
            }
            if (attempt.status() != null) {
                latency.record(attempt.latency());
            }
            if (attempt.delivered()) {
                record(delivery, attempt.status(), null, null, false);
                return;
            }
            boolean gone = attempt.status() != null && attempt.status() == 410;
            Duration retryIn = retryDelay(delivery.attempts() + 1, attempt);
            record(delivery, attempt.status(), attempt.error(), gone ? null : retryIn, true);
        } catch (RuntimeException e) {
            log.warn(
                    "webhook delivery {} could not be recorded; its lease will run out and it will be retried",
                    delivery.id(),
                    e);
        } finally {
            if (!closing) {
                inFlight.remove(delivery.id()); // while closing, close() gives it back
            }
        }
    }

    /** When to try again after attempt number {@code attempts} failed, or {@code null} if that was the last. */
    private Duration retryDelay(int attempts, WebhookClient.Attempt attempt) {
        if (attempts > retryDelays.size()) {
            return null;
        }
        return attempt.retryAfter()
                .map(wait -> wait.compareTo(LONGEST_RETRY_AFTER) > 0 ? LONGEST_RETRY_AFTER : wait)
                .orElse(retryDelays.get(attempts - 1));
    }

    /**
     * Writes an attempt's outcome: delivered when {@code unsuccessful} is false, else pending again in
     * {@code retryIn}, or failed when there is no {@code retryIn}.
     */
    private void record(Claimed delivery, Integer status, String error, Duration retryIn, boolean unsuccessful) {
        Instant now = clock.instant();
        String outcome = !unsuccessful ? "delivered" : retryIn == null ? "failed" : "pending";
        jdbi.useHandle(handle -> handle.createUpdate("""
                        UPDATE webhook_deliveries
                           SET status = :status, attempts = attempts + 1, last_status_code = :code,
                               last_error = :error, next_attempt_at = :next, delivered_at = :deliveredAt
                         WHERE id = :id AND status = 'pending'""")
                .bind("status", outcome)
                .bind("code", status)
                .bind("error", error)
                .bind("next", Timestamp.from(retryIn == null ? now : now.plus(retryIn)))
                .bind("deliveredAt", unsuccessful ? null : Timestamp.from(now))
                .bind("id", delivery.id())
                .execute());
        switch (outcome) {
            case "delivered" -> delivered.increment();
            case "failed" -> {
                failed.increment();
                log.info(
                        "webhook {} ({}) failed for good: {}",
                        delivery.id(),
                        delivery.event(),
                        describe(status, error));
            }
            default -> retried.increment();
        }
    }

    private static String describe(Integer status, String error) {
        return status != null ? "HTTP " + status : error;
    }

    /**
     * Sends a {@code test} event to {@code url} at once, signed with the operator's secret, and records it
     * among their deliveries; no retries.
     */
    public WebhookClient.Attempt sendTest(UUID ownerId, String url) {
        URI target = urls.check(url);
        String secret = jdbi.withHandle(handle -> handle.createQuery("SELECT webhook_secret FROM users WHERE id = :id")
                .bind("id", ownerId)
                .mapTo(String.class)
                .one());
        UUID id = UUID.randomUUID();
        Instant at = clock.instant();
        String payload =
                WebhookOutbox.payload(id, WebhookOutbox.TEST, Map.of("message", "a test from PocketProxy"), at);
        WebhookClient.Attempt attempt = client.post(target, id.toString(), payload, secret);
        if (attempt.status() != null) {
            latency.record(attempt.latency());
        }
        (attempt.delivered() ? delivered : failed).increment();
        Instant done = clock.instant();
        jdbi.useHandle(handle -> handle.createUpdate("""
                        INSERT INTO webhook_deliveries (id, owner_id, event, payload, status, attempts, next_attempt_at,
                                                        last_status_code, last_error, created_at, delivered_at)
                        VALUES (:id, :owner, :event, CAST(:payload AS jsonb), :status, 1, :at, :code, :error, :at,
                                :deliveredAt)""")
                .bind("id", id)
                .bind("owner", ownerId)
                .bind("event", WebhookOutbox.TEST)
                .bind("payload", payload)
                .bind("status", attempt.delivered() ? "delivered" : "failed")
                .bind("at", Timestamp.from(at))
                .bind("code", attempt.status())
                .bind("error", attempt.error())
                .bind("deliveredAt", attempt.delivered() ? Timestamp.from(done) : null)
                .execute());
        return attempt;
    }

    /** Stops sending; deliveries in flight are given back at once, to be retried by the next process. */
    @Override
    public void close() {
        closing = true;
        poller.shutdownNow();
        senders.shutdownNow();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!inFlight.isEmpty()) {
            try {
                jdbi.useHandle(handle -> handle.createUpdate("""
                                UPDATE webhook_deliveries SET next_attempt_at = :now
                                 WHERE id = ANY(:ids) AND status = 'pending'""")
                        .bind("now", Timestamp.from(clock.instant()))
                        .bindArray("ids", UUID.class, inFlight.toArray(UUID[]::new))
                        .execute());
            } catch (RuntimeException e) {
                log.warn(
                        "could not give back {} webhook deliveries; they are retried when their lease ends",
                        inFlight.size(),
                        e);
            }
        }
        try {
            client.close();
        } catch (java.io.IOException e) {
            log.debug("closing the webhook client", e);
        }
    }
}
