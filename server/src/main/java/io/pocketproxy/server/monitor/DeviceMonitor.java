package io.pocketproxy.server.monitor;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.pocketproxy.link.Threads;
import io.pocketproxy.server.db.Rows;
import io.pocketproxy.server.webhooks.WebhookOutbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Marks devices offline when their heartbeats stop, and alerts their owners (docs/architecture.md section 8).
 *
 * <p>Every scan, a device online whose last heartbeat is older than {@code offlineAfter} becomes offline:
 * one conditional {@code UPDATE} (two server processes cannot both make the change), a
 * {@code device_status_log} row and, in the same transaction, a {@code device.offline} event unless one
 * went out for the device within {@code cooldown}. Such a suppressed alert is deferred, not dropped: once
 * the cooldown has passed, a device still offline whose owner last heard {@code device.online} gets its
 * {@code device.offline} then. The way back online is written by the heartbeat itself
 * ({@code DeviceRegistry}).
 *
 * <p>For {@code offlineAfter} after it starts the monitor marks nothing offline: heartbeats that stopped
 * because this server was down are not the devices' fault, and their agents are reconnecting. The same holds for
 * {@code offlineAfter} after the database comes back from an outage: the heartbeats of that time could not be
 * written, and an outage of the server's own database is not a device outage.
 */
public final class DeviceMonitor implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceMonitor.class);

    private record WentOffline(UUID id, UUID ownerId, String name, Instant lastSeen, Instant lastAlert) {}

    /**
     * A device in a rotation is not offline: its link often drops while its IP changes, and a planned rotation must
     * not alert anyone. Rotations end by their timeout at the latest ({@code RotationService}).
     */
    private static final String NOT_ROTATING =
            "NOT EXISTS (SELECT 1 FROM device_rotations r WHERE r.device_id = d.id AND r.status = 'running')";

    /** Reads {@code id, owner_id, name, last_heartbeat, last_offline_alert_at}. */
    private static final RowMapper<WentOffline> WENT_OFFLINE = (rows, ctx) -> new WentOffline(
            rows.getObject("id", UUID.class),
            rows.getObject("owner_id", UUID.class),
            rows.getString("name"),
            rows.getTimestamp("last_heartbeat").toInstant(),
            Rows.instant(rows, "last_offline_alert_at"));

    private final Jdbi jdbi;
    private final Duration offlineAfter;
    private final Duration cooldown;
    private final Clock clock;
    private volatile Instant quietUntil;
    private volatile boolean databaseLost;
    private final ScheduledExecutorService scanner;
    private final AtomicLong online = new AtomicLong();
    private final AtomicLong offline = new AtomicLong();

    public DeviceMonitor(
            Jdbi jdbi,
            Duration offlineAfter,
            Duration cooldown,
            Duration interval,
            Clock clock,
            MeterRegistry registry) {
        this.jdbi = jdbi;
        this.offlineAfter = offlineAfter;
        this.cooldown = cooldown;
        this.clock = clock;
        this.quietUntil = clock.instant().plus(offlineAfter);
        Gauge.builder("pocketproxy.devices", online, AtomicLong::get)
                .description("devices by status, as of the monitor's last scan")
                .tag("status", "online")
                .register(registry);
        Gauge.builder("pocketproxy.devices", offline, AtomicLong::get)
                .description("devices by status, as of the monitor's last scan")
                .tag("status", "offline")
                .register(registry);
        this.scanner = Executors.newSingleThreadScheduledExecutor(Threads.daemon("device-monitor"));
        scanner.scheduleWithFixedDelay(this::scanQuietly, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void scanQuietly() {
        try {
            scan();
        } catch (RuntimeException e) {
            if (!databaseLost) {
                log.warn("device scan failed; marking no device offline until the database is back", e);
            }
            databaseLost = true;
        }
    }

    /** One pass: offline transitions, then deferred alerts, then the device counts. Scanner thread only. */
    void scan() {
        Instant now = clock.instant();
        if (databaseLost) {
            jdbi.useHandle(handle ->
                    handle.createQuery("SELECT 1").mapTo(Integer.class).one());
            databaseLost = false;
            quietUntil = now.plus(offlineAfter);
            log.info("the database is back; no device is marked offline before {}", quietUntil);
        }
        if (!now.isBefore(quietUntil)) {
            for (UUID id : silentDevices(now.minus(offlineAfter))) {
                jdbi.useTransaction(handle -> markOffline(handle, id, now));
            }
        }
        jdbi.useTransaction(handle -> sendDeferredAlerts(handle, now));
        countDevices();
    }

    private List<UUID> silentDevices(Instant cutoff) {
        return jdbi.withHandle(handle -> handle.createQuery(
                        "SELECT id FROM devices d WHERE status = 'online' AND last_heartbeat < :cutoff AND "
                                + NOT_ROTATING)
                .bind("cutoff", Timestamp.from(cutoff))
                .mapTo(UUID.class)
                .list());
    }

    private void markOffline(Handle handle, UUID id, Instant now) {
        // Conditional: a heartbeat that arrived meanwhile, or another process that got here first, wins.
        var wentOffline = handle.createQuery("UPDATE devices d SET status = 'offline'"
                        + " WHERE id = :id AND status = 'online' AND last_heartbeat < :cutoff AND " + NOT_ROTATING
                        + " RETURNING id, owner_id, name, last_heartbeat, last_offline_alert_at")
                .bind("id", id)
                .bind("cutoff", Timestamp.from(now.minus(offlineAfter)))
                .map(WENT_OFFLINE)
                .findOne();
        if (wentOffline.isEmpty()) {
            return;
        }
        WentOffline device = wentOffline.get();
        handle.createUpdate("""
                        INSERT INTO device_status_log (device_id, status, previous_status, at)
                        VALUES (:id, 'offline', 'online', :at)""").bind("id", id).bind("at", Timestamp.from(now)).execute();
        boolean cooledDown = device.lastAlert() == null || !device.lastAlert().isAfter(now.minus(cooldown));
        if (cooledDown) {
            alertOffline(handle, device, now);
        } else {
            log.info("device {} is offline; alert deferred, one went out at {}", id, device.lastAlert());
        }
    }

    /** Offline alerts suppressed by the cooldown, for devices still offline now that it has passed. */
    private void sendDeferredAlerts(Handle handle, Instant now) {
        List<WentOffline> due = handle.createQuery("""
                        SELECT id, owner_id, name, last_heartbeat, last_offline_alert_at FROM devices
                         WHERE status = 'offline' AND last_alert = 'device.online' AND last_offline_alert_at <= :cooled
                         FOR UPDATE SKIP LOCKED""")
                .bind("cooled", Timestamp.from(now.minus(cooldown)))
                .map(WENT_OFFLINE)
                .list();
        for (WentOffline device : due) {
            alertOffline(handle, device, now);
        }
    }

    private static void alertOffline(Handle handle, WentOffline device, Instant now) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("device_id", device.id().toString());
        data.put("device_name", device.name());
        data.put("last_seen", device.lastSeen().toString());
        WebhookOutbox.enqueue(handle, device.ownerId(), WebhookOutbox.DEVICE_OFFLINE, data, now);
        handle.createUpdate("""
                        UPDATE devices SET last_offline_alert_at = :now, last_alert = 'device.offline'
                         WHERE id = :id""")
                .bind("now", Timestamp.from(now))
                .bind("id", device.id())
                .execute();
    }

    private void countDevices() {
        Map<String, Long> counts = new java.util.HashMap<>();
        jdbi.useHandle(handle -> handle.createQuery("SELECT status, count(*) FROM devices GROUP BY status")
                .map((rows, ctx) -> Map.entry(rows.getString(1), rows.getLong(2)))
                .forEach(entry -> counts.put(entry.getKey(), entry.getValue())));
        online.set(counts.getOrDefault("online", 0L));
        offline.set(counts.getOrDefault("offline", 0L));
    }

    @Override
    public void close() {
        scanner.shutdownNow();
        try {
            scanner.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
