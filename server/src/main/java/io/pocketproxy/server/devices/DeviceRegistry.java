package io.pocketproxy.server.devices;

import io.pocketproxy.link.Threads;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.relay.directory.DeviceDirectory;
import io.pocketproxy.server.db.Rows;
import io.pocketproxy.server.webhooks.WebhookOutbox;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The relay's view of devices: tokens checked by digest, and heartbeats recorded in batches. A heartbeat
 * from a device that was {@code pending} or {@code offline} makes it {@code online} and writes a
 * {@code device_status_log} row, in one transaction; coming back from {@code offline} also queues a
 * {@code device.online} webhook event in that transaction.
 */
public final class DeviceRegistry implements DeviceDirectory, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DeviceRegistry.class);

    private record Beat(StatusReport report, Instant at) {}

    private final Jdbi jdbi;
    private final Map<UUID, Beat> pending = new ConcurrentHashMap<>();
    private final ExecutorService lookups = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("device-lookup-", 0).factory());
    private final ScheduledExecutorService writer;

    public DeviceRegistry(Jdbi jdbi, Duration batchInterval) {
        this.jdbi = jdbi;
        this.writer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("heartbeat-writer"));
        long millis = batchInterval.toMillis();
        writer.scheduleWithFixedDelay(this::writeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public CompletableFuture<Optional<UUID>> findDeviceByTokenDigest(byte[] tokenDigest) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(
                        handle -> handle.createQuery("SELECT id FROM devices WHERE token_digest = :digest")
                                .bind("digest", tokenDigest)
                                .mapTo(UUID.class)
                                .findOne()),
                lookups);
    }

    @Override
    public void recordHeartbeat(UUID deviceId, StatusReport report, Instant at) {
        pending.put(deviceId, new Beat(report, at));
    }

    /** Writes the heartbeats received so far now (tests, shutdown). */
    public void flush() {
        try {
            writer.submit(this::write).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("writing heartbeats failed", e);
        }
    }

    private void writeQuietly() {
        try {
            write();
        } catch (RuntimeException e) {
            log.warn("writing heartbeats failed; will retry", e);
        }
    }

    private void write() {
        if (pending.isEmpty()) {
            return;
        }
        for (UUID deviceId : pending.keySet()) {
            Beat beat = pending.remove(deviceId);
            if (beat != null) {
                try {
                    jdbi.useTransaction(handle -> record(handle, deviceId, beat));
                } catch (RuntimeException e) {
                    pending.putIfAbsent(deviceId, beat); // kept for the next run, unless a newer one came
                    throw e;
                }
            }
        }
    }

    private record Before(UUID ownerId, String name, String status, Instant lastHeartbeat) {}

    private static void record(Handle handle, UUID deviceId, Beat beat) {
        StatusReport report = beat.report();
        Timestamp at = Timestamp.from(beat.at());
        Optional<Before> found = handle.createQuery(
                        "SELECT owner_id, name, status, last_heartbeat FROM devices WHERE id = :id FOR UPDATE")
                .bind("id", deviceId)
                .map((rows, ctx) -> new Before(
                        rows.getObject("owner_id", UUID.class),
                        rows.getString("name"),
                        rows.getString("status"),
                        Rows.instant(rows, "last_heartbeat")))
                .findOne();
        if (found.isEmpty()) {
            return; // deleted since
        }
        Before before = found.get();
        handle.createUpdate("""
                        UPDATE devices
                           SET status = 'online', last_heartbeat = :at, egress_ip = COALESCE(:egressIp, egress_ip),
                               battery = :battery, signal = :signal, network_type = :networkType, agent_version = :agentVersion
                         WHERE id = :id""")
                .bind("at", at)
                .bind("egressIp", report.egressIp())
                .bind("battery", report.battery())
                .bind("signal", report.signal())
                .bind("networkType", report.networkType())
                .bind("agentVersion", report.agentVersion())
                .bind("id", deviceId)
                .execute();
        if ("online".equals(before.status())) {
            return;
        }
        handle.createUpdate("""
                        INSERT INTO device_status_log (device_id, status, previous_status, at)
                        VALUES (:id, 'online', :previous, :at)""")
                .bind("id", deviceId)
                .bind("previous", before.status())
                .bind("at", at)
                .execute();
        if ("offline".equals(before.status())) {
            // Always told, in the same transaction: the operator's last word must match the device's state.
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("device_id", deviceId.toString());
            data.put("device_name", before.name());
            data.put(
                    "offline_since",
                    before.lastHeartbeat() == null
                            ? null
                            : before.lastHeartbeat().toString());
            data.put("reconnected_at", beat.at().toString());
            WebhookOutbox.enqueue(handle, before.ownerId(), WebhookOutbox.DEVICE_ONLINE, data, beat.at());
            handle.createUpdate("UPDATE devices SET last_alert = 'device.online' WHERE id = :id")
                    .bind("id", deviceId)
                    .execute();
        }
    }

    @Override
    public void close() {
        flush();
        writer.shutdownNow();
        lookups.shutdown();
    }
}
