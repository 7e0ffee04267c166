package io.pocketproxy.server.webhooks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.Threads;
import io.pocketproxy.server.db.DatabaseUnavailable;
import io.pocketproxy.server.errors.BusyException;
import java.net.URI;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox. Every {@code poll} it claims due deliveries with {@code FOR UPDATE SKIP LOCKED}
 * (so several server processes share the work without sending an event twice) and leases them: a claimed
 * row is due again only when the lease runs out, which is how a delivery in flight when a process dies is
 * retried. Each delivery is one signed POST on its own virtual thread, cut at the timeout; 2xx is
 * delivered, 410 stops, any other answer or no answer is retried after the next of {@code retryDelays} (or
 * the receiver's {@code Retry-After}), and after the last one it is {@code failed}.
 *
 * <p>One operator's receivers must not slow anyone else's webhooks, so each operator has a fair share: at
 * most {@value #DELIVERIES_PER_OPERATOR} deliveries in flight (their other due events wait in the outbox,
 * oldest first, and are claimed as places free up), and send-tests go through a client of their own, under
 * caps of their own, so they never take a place or a connection from a real delivery.
 */
public final class WebhookDispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);
    private static final AggregatedWarning claimFailed =
            new AggregatedWarning(log, "claiming webhook deliveries failed; will retry", Duration.ofMinutes(1));
    private static final Duration RECORD_FIRST_BACKOFF = Duration.ofMillis(250);
    private static final Duration RECORD_LAST_BACKOFF = Duration.ofSeconds(5);
    private static final int BATCH = 32;

    /** Real deliveries in flight per operator in one server process; the rest wait, due, in the outbox. */
    public static final int DELIVERIES_PER_OPERATOR = 4;
    /** Real deliveries in flight in one server process, all operators together. */
    public static final int DELIVERIES_IN_FLIGHT = 256;
    /** Send-tests in flight per operator; one more is refused with 429. */
    public static final int TESTS_PER_OPERATOR = 2;
    /** Send-tests in flight in one server process, all operators together; one more is refused with 429. */
    public static final int TESTS_IN_FLIGHT = 64;

    private static final Duration LONGEST_RETRY_AFTER = Duration.ofHours(24);

    private record Claimed(
            UUID id, UUID ownerId, String event, String payload, int attempts, String url, String secret) {}

    private final Jdbi jdbi;
    private final WebhookClient client;
    private final WebhookClient testClient;
    private final FairShare deliveries = new FairShare(DELIVERIES_PER_OPERATOR, DELIVERIES_IN_FLIGHT);
    private final FairShare tests = new FairShare(TESTS_PER_OPERATOR, TESTS_IN_FLIGHT);
    private final Duration timeout;
    private final WebhookUrls urls;
    private final List<Duration> retryDelays;
    private final Duration lease;
    private final Clock clock;
    private final ScheduledExecutorService poller;
    private final ExecutorService senders = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("webhook-", 0).factory());
    private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
    private final AggregatedWarning recordFailed = new AggregatedWarning(
            log,
            "cannot record webhook deliveries while the database is away; keeping them to record",
            Duration.ofMinutes(1));
    private final AtomicBoolean pollAsked = new AtomicBoolean();
    private final Counter delivered;
    private final Counter retried;
    private final Counter failed;
    private final Timer latency;
    private volatile boolean closing;

    /**
     * @param timeout the deadline of one request, from asking for a connection to the answer's last byte
     */
    public WebhookDispatcher(
            Jdbi jdbi,
            WebhookUrls urls,
            List<Duration> retryDelays,
            Duration timeout,
            Duration poll,
            Clock clock,
            MeterRegistry registry) {
        this.jdbi = jdbi;
        // A connection for every place: a request never waits for another one's connection.
        this.client = new WebhookClient(urls, timeout, deliveries.total(), "webhook-delivery", clock);
        this.testClient = new WebhookClient(urls, timeout, tests.total(), "webhook-test", clock);
        this.timeout = timeout;
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
        pollAsked.set(false);
        try {
            for (Claimed delivery : claim()) {
                senders.execute(() -> deliver(delivery));
            }
        } catch (RuntimeException e) {
            // The database is away: its events wait in the outbox, and the next poll tries again.
            claimFailed.warn(e);
        }
    }

    /** Polls now rather than at the next tick: a place came free, and events may be waiting for it. */
    private void pollSoon() {
        if (closing || !pollAsked.compareAndSet(false, true)) {
            return;
        }
        try {
            poller.execute(this::pollQuietly);
        } catch (RejectedExecutionException stopped) {
            // closing
        }
    }

    /**
     * Leases the oldest due deliveries that fit in the free places: each operator's due rows are ranked oldest
     * first, and only those within the operator's free places are taken, so one operator's backlog waits in
     * the outbox instead of crowding out everyone else's.
     */
    private List<Claimed> claim() {
        int room = Math.min(BATCH, deliveries.free());
        if (room == 0) {
            return List.of();
        }
        List<UUID> owners = new ArrayList<>();
        List<Integer> places = new ArrayList<>();
        deliveries.taken().forEach((owner, held) -> {
            owners.add(owner);
            places.add(held);
        });
        Instant now = clock.instant();
        List<Claimed> claimed = jdbi.inTransaction(handle -> handle.createQuery("""
                            WITH taken (owner_id, places) AS (
                                     SELECT * FROM unnest(CAST(:owners AS uuid[]), CAST(:places AS int[]))),
                                 due AS (
                                     SELECT w.id, w.next_attempt_at, coalesce(t.places, 0)
                                                + row_number() OVER (PARTITION BY w.owner_id
                                                                     ORDER BY w.next_attempt_at, w.id) AS place
                                       FROM webhook_deliveries w
                                       LEFT JOIN taken t ON t.owner_id = w.owner_id
                                      WHERE w.status = 'pending' AND w.next_attempt_at <= :now
                                        AND w.id <> ALL(CAST(:inFlight AS uuid[])))
                            UPDATE webhook_deliveries w
                               SET next_attempt_at = :leaseUntil
                              FROM users u
                             WHERE u.id = w.owner_id
                               AND w.id IN (SELECT id FROM webhook_deliveries
                                             WHERE id IN (SELECT id FROM due
                                                           WHERE place <= :perOperator
                                                           ORDER BY next_attempt_at
                                                           LIMIT :batch)
                                               AND status = 'pending' AND next_attempt_at <= :now
                                             FOR UPDATE SKIP LOCKED)
                            RETURNING w.id, w.owner_id, w.event, w.payload::text AS payload, w.attempts,
                                      u.webhook_url, u.webhook_secret""")
                .bindArray("owners", UUID.class, owners.toArray(UUID[]::new))
                .bindArray("places", Integer.class, places.toArray(Integer[]::new))
                .bindArray("inFlight", UUID.class, inFlight.toArray(UUID[]::new))
                .bind("now", Timestamp.from(now))
                .bind("leaseUntil", Timestamp.from(now.plus(lease)))
                .bind("perOperator", deliveries.perOperator())
                .bind("batch", room)
                .map((rows, ctx) -> new Claimed(
                        rows.getObject("id", UUID.class),
                        rows.getObject("owner_id", UUID.class),
                        rows.getString("event"),
                        WebhookOutbox.wireBody(rows.getString("payload")),
                        rows.getInt("attempts"),
                        rows.getString("webhook_url"),
                        rows.getString("webhook_secret")))
                .list());
        for (Claimed delivery : claimed) {
            inFlight.add(delivery.id());
            deliveries.take(delivery.ownerId());
        }
        return claimed;
    }

    private void deliver(Claimed delivery) {
        try {
            if (delivery.url() == null) {
                recordUntilWritten(delivery, null, "no webhook URL is set", null, true);
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
                recordUntilWritten(delivery, attempt.status(), null, null, false);
                return;
            }
            boolean gone = attempt.status() != null && attempt.status() == 410;
            Duration retryIn = retryDelay(delivery.attempts() + 1, attempt);
            recordUntilWritten(delivery, attempt.status(), attempt.error(), gone ? null : retryIn, true);
        } catch (RuntimeException e) {
            log.warn(
                    "webhook delivery {} could not be recorded; its lease will run out and it will be retried",
                    delivery.id(),
                    e);
        } finally {
            if (!closing) {
                inFlight.remove(delivery.id()); // while closing, close() gives it back
            }
            deliveries.give(delivery.ownerId());
            pollSoon();
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
     * Writes an attempt's outcome, waiting for the database if it is away: the receiver has its request, and an
     * outcome not written would send it again once the lease runs out. Meanwhile the delivery keeps its place, and
     * {@link #claim} leaves it alone however long the outage lasts (it is in {@link #inFlight}). Only stopping
     * gives up, and then the next process sends it again.
     */
    private void recordUntilWritten(
            Claimed delivery, Integer status, String error, Duration retryIn, boolean unsuccessful) {
        long backoffMillis = RECORD_FIRST_BACKOFF.toMillis();
        while (true) {
            try {
                record(delivery, status, error, retryIn, unsuccessful);
                return;
            } catch (RuntimeException e) {
                if (closing || !DatabaseUnavailable.is(e)) {
                    throw e;
                }
                recordFailed.warn(e);
            }
            try {
                Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopped while waiting for the database to record a delivery", e);
            }
            backoffMillis = Math.min(backoffMillis * 2, RECORD_LAST_BACKOFF.toMillis());
        }
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
     * among their deliveries; no retries. Tests have their own client and caps: however many an operator
     * starts, real deliveries keep their places and connections.
     *
     * @throws BusyException when the operator already has {@value #TESTS_PER_OPERATOR} tests in flight, or the
     *     server {@value #TESTS_IN_FLIGHT}
     */
    public WebhookClient.Attempt sendTest(UUID ownerId, String url) {
        if (!tests.tryTake(ownerId)) {
            throw new BusyException(
                    "too_many_webhook_tests",
                    "too many webhook tests in flight (at most " + TESTS_PER_OPERATOR + " per operator and "
                            + TESTS_IN_FLIGHT + " on the server at once); each ends within "
                            + (timeout.toMillis() + 999) / 1000 + " s, try again then",
                    timeout);
        }
        try {
            return sendTest(ownerId, urls.check(url)); // checked within the cap: the check looks the name up
        } finally {
            tests.give(ownerId);
        }
    }

    private WebhookClient.Attempt sendTest(UUID ownerId, URI target) {
        String secret = jdbi.withHandle(handle -> handle.createQuery("SELECT webhook_secret FROM users WHERE id = :id")
                .bind("id", ownerId)
                .mapTo(String.class)
                .one());
        UUID id = UUID.randomUUID();
        Instant at = clock.instant();
        String payload =
                WebhookOutbox.payload(id, WebhookOutbox.TEST, Map.of("message", "a test from PocketProxy"), at);
        WebhookClient.Attempt attempt = testClient.post(target, id.toString(), payload, secret);
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
        for (WebhookClient each : List.of(client, testClient)) {
            try {
                each.close();
            } catch (java.io.IOException e) {
                log.debug("closing a webhook client", e);
            }
        }
    }
}
