package io.pocketproxy.server.webhooks;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Webhook events written in the caller's transaction (a transactional outbox): the event exists if and
 * only if the change it reports was committed, and {@link WebhookDispatcher} delivers it from there.
 */
@SuppressWarnings("unchecked")
public final class WebhookOutbox {

    public static final String DEVICE_OFFLINE = "device.offline";
    public static final String DEVICE_ONLINE = "device.online";
    public static final String TEST = "test";

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String INSERT = """
            INSERT INTO webhook_deliveries (id, owner_id, event, payload, next_attempt_at, created_at)
            SELECT :id, u.id, :event, CAST(:payload AS jsonb), :at, :at
              FROM users u
             WHERE u.id = :owner AND u.webhook_url IS NOT NULL""";

    /**
     * An event to queue: type {@code type} for {@code ownerId}, due at {@code at}.
     *
     * @param data the event's {@code data} object, keys as they go on the wire
     */
    public record Event(UUID ownerId, String type, Map<String, Object> data, Instant at) {}

    private WebhookOutbox() {}

    /**
     * Queues event {@code type} for {@code ownerId} if they have a webhook URL, due at once.
     *
     * @param data the event's {@code data} object, keys as they go on the wire
     * @return whether an event was queued
     */
    public static boolean enqueue(Handle handle, UUID ownerId, String type, Map<String, Object> data, Instant at) {
        UUID id = UUID.randomUUID();
        return handle.createUpdate(INSERT)
                        .bind("id", id)
                        .bind("owner", ownerId)
                        .bind("event", type)
                        .bind("payload", payload(id, type, data, at))
                        .bind("at", Timestamp.from(at))
                        .execute()
                == 1;
    }

    /** Queues every event whose owner has a webhook URL, in one batch (one round trip). */
    public static void enqueueAll(Handle handle, List<Event> events) {
        PreparedBatch batch = handle.prepareBatch(INSERT);
        for (Event event : events) {
            UUID id = UUID.randomUUID();
            batch.bind("id", id)
                    .bind("owner", event.ownerId())
                    .bind("event", event.type())
                    .bind("payload", payload(id, event.type(), event.data(), event.at()))
                    .bind("at", Timestamp.from(event.at()))
                    .add();
        }
        if (batch.size() > 0) {
            batch.execute();
        }
    }

    /**
     * The body to send for a stored payload. PostgreSQL keeps {@code jsonb} in its own key order and
     * spacing; receivers read {@code type} first, as docs/architecture.md writes it, and every retry sends the same bytes.
     */
    static String wireBody(String stored) {
        try {
            Map<String, Object> fields =
                    JSON.readValue(stored, new com.fasterxml.jackson.core.type.TypeReference<>() {});
            Map<String, Object> data = (Map<String, Object>) fields.get("data");
            return payload(
                    UUID.fromString((String) fields.get("id")),
                    (String) fields.get("type"),
                    data,
                    Instant.parse((String) fields.get("timestamp")));
        } catch (JsonProcessingException | RuntimeException e) {
            return stored; // never ours to rewrite, then: send it as it is
        }
    }

    /** The JSON body of docs/architecture.md section 8.2: {@code {type, id, timestamp, data}}. */
    static String payload(UUID id, String type, Map<String, Object> data, Instant at) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", type);
        body.put("id", id.toString());
        body.put("timestamp", at.toString());
        body.put("data", data);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("webhook payload", e);
        }
    }
}
