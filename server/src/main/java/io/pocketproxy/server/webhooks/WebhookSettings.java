package io.pocketproxy.server.webhooks;

import io.pocketproxy.server.db.Rows;
import io.pocketproxy.server.secrets.Secrets;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/** An operator's webhook URL and signing secret, and what was delivered to it. Every call is filtered by owner. */
public final class WebhookSettings {

    /** As the API shows it: the secret is the operator's own, shown to them so receivers can verify. */
    public record Settings(String webhookUrl, String webhookSecret) {}

    /** One row of the delivery log; never the receiver's answer body. */
    public record Delivery(
            UUID id,
            String event,
            String deviceName,
            String status,
            int attempts,
            Integer lastStatusCode,
            String lastError,
            Instant createdAt,
            Instant nextAttemptAt,
            Instant deliveredAt) {}

    private static final int LATEST = 50;

    private final Jdbi jdbi;
    private final WebhookUrls urls;

    public WebhookSettings(Jdbi jdbi, WebhookUrls urls) {
        this.jdbi = jdbi;
        this.urls = urls;
    }

    public Settings get(UUID ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT webhook_url, webhook_secret FROM users WHERE id = :id")
                .bind("id", ownerId)
                .map((rows, ctx) -> new Settings(rows.getString("webhook_url"), rows.getString("webhook_secret")))
                .one());
    }

    /** Saves {@code url} after checking it; blank clears it. Nothing changes if the URL is refused. */
    public Settings setUrl(UUID ownerId, String url) {
        String saved = url == null || url.isBlank() ? null : urls.check(url).toString();
        jdbi.useHandle(
                handle -> handle.createUpdate("UPDATE users SET webhook_url = :url, updated_at = now() WHERE id = :id")
                        .bind("url", saved)
                        .bind("id", ownerId)
                        .execute());
        return get(ownerId);
    }

    /** A new secret; the old one stops signing at once, including retries of events already queued. */
    public Settings rotateSecret(UUID ownerId) {
        jdbi.useHandle(handle -> handle.createUpdate(
                        "UPDATE users SET webhook_secret = :secret, updated_at = now() WHERE id = :id")
                .bind("secret", Secrets.newWebhookSecret())
                .bind("id", ownerId)
                .execute());
        return get(ownerId);
    }

    public List<Delivery> latestDeliveries(UUID ownerId) {
        return jdbi.withHandle(handle -> handle.createQuery("""
                        SELECT id, event, payload -> 'data' ->> 'device_name' AS device_name, status, attempts, last_status_code, last_error, created_at, next_attempt_at,
                               delivered_at
                          FROM webhook_deliveries
                         WHERE owner_id = :owner
                         ORDER BY created_at DESC, id
                         LIMIT :limit""")
                .bind("owner", ownerId)
                .bind("limit", LATEST)
                .map((rows, ctx) -> new Delivery(
                        rows.getObject("id", UUID.class),
                        rows.getString("event"),
                        rows.getString("device_name"),
                        rows.getString("status"),
                        rows.getInt("attempts"),
                        rows.getObject("last_status_code", Integer.class),
                        rows.getString("last_error"),
                        rows.getTimestamp("created_at").toInstant(),
                        "pending".equals(rows.getString("status"))
                                ? rows.getTimestamp("next_attempt_at").toInstant()
                                : null,
                        Rows.instant(rows, "delivered_at")))
                .list());
    }
}
