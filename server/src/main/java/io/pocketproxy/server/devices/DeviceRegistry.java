package io.pocketproxy.server.devices;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.rotation.RotationReport;
import io.pocketproxy.link.status.DeviceHealth;
import io.pocketproxy.link.status.StatusReport;
import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.DeviceDirectory;
import io.pocketproxy.server.changes.ChangeAnnouncer;
import io.pocketproxy.server.db.Rows;
import io.pocketproxy.server.db.SqlArrays;
import io.pocketproxy.server.farm.RelayMembership;
import io.pocketproxy.server.rotation.RotationLedger;
import io.pocketproxy.server.webhooks.WebhookOutbox;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
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

    private final AggregatedWarning writeFailed = new AggregatedWarning(
            log,
            "writing heartbeats failed; keeping the newest of each device and trying again",
            Duration.ofMinutes(1));

    private record Beat(String linkAddress, StatusReport report, Instant at) {}

    private final Jdbi jdbi;
    private final UUID relayId;
    private final ChangeAnnouncer announcer = new ChangeAnnouncer();
    private final Map<UUID, Beat> pending = new ConcurrentHashMap<>();
    private final ExecutorService lookups = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("device-lookup-", 0).factory());
    private final ScheduledExecutorService writer;

    /** For the relay {@code relayId} ({@code relays.id}; {@link io.pocketproxy.server.farm.RelayMembership}). */
    public DeviceRegistry(Jdbi jdbi, Duration batchInterval, UUID relayId) {
        this.jdbi = jdbi;
        this.relayId = relayId;
        this.writer = Executors.newSingleThreadScheduledExecutor(Threads.daemon("heartbeat-writer"));
        long millis = batchInterval.toMillis();
        writer.scheduleWithFixedDelay(this::writeQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * One transaction: the device's row takes this relay's id, and unless it had it already, every relay hears
     * {@code device.linked} (the one that held the link closes it). The row is locked, so two relays linking one device
     * at once are serialized and the later one's id stays.
     */
    @Override
    public CompletableFuture<Optional<Linked>> linkDevice(byte[] tokenDigest) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.inTransaction(handle -> {
                    Optional<Taken> taken = handle.createQuery("""
                                    WITH device AS (
                                        SELECT id, relay_id FROM devices WHERE token_digest = :digest FOR UPDATE
                                    )
                                    UPDATE devices d SET relay_id = :relay
                                      FROM device
                                     WHERE d.id = device.id
                                    RETURNING d.id, device.relay_id AS previous, EXISTS (
                                        SELECT 1 FROM relays r WHERE r.id = device.relay_id
                                           AND r.last_seen_at > now() - make_interval(secs => :stale)
                                    ) AS previous_live""")
                            .bind("digest", tokenDigest)
                            .bind("relay", relayId)
                            .bind("stale", (double) RelayMembership.STALE_AFTER.toSeconds())
                            .map((rows, ctx) -> new Taken(
                                    rows.getObject("id", UUID.class),
                                    rows.getObject("previous", UUID.class),
                                    rows.getBoolean("previous_live")))
                            .findOne();
                    Optional<Taken> moved = taken.filter(device -> !relayId.equals(device.previousRelay()));
                    moved.ifPresent(
                            device -> announcer.announce(handle, new Change(Change.Kind.DEVICE_LINKED, device.id())));
                    return taken.map(device -> new Linked(
                            device.id(), moved.isPresent() && device.previousRelay() != null && device.previousLive()));
                }),
                lookups);
    }

    private record Taken(UUID id, UUID previousRelay, boolean previousLive) {}

    @Override
    public void released(UUID deviceId) {
        CompletableFuture.runAsync(
                        () -> jdbi.useHandle(handle ->
                                announcer.announce(handle, new Change(Change.Kind.DEVICE_RELEASED, deviceId))),
                        lookups)
                .exceptionally(error -> {
                    // The relay that took the link serves after its wait instead.
                    log.debug("cannot announce that device {} was released: {}", deviceId, error.getMessage());
                    return null;
                });
    }

    @Override
    public void unlinkDevice(UUID deviceId) {
        CompletableFuture.runAsync(
                        () -> jdbi.useHandle(handle -> handle.createUpdate(
                                        "UPDATE devices SET relay_id = NULL WHERE id = :id AND relay_id = :relay")
                                .bind("id", deviceId)
                                .bind("relay", relayId)
                                .execute()),
                        lookups)
                .exceptionally(error -> {
                    // The next link of the device, here or elsewhere, writes its relay again.
                    log.debug("cannot record that device {} unlinked: {}", deviceId, error.getMessage());
                    return null;
                });
    }

    @Override
    public CompletableFuture<Optional<HostAndPort>> locate(UUID deviceId) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(handle -> handle.createQuery("""
                                        SELECT r.link_address FROM devices d JOIN relays r ON r.id = d.relay_id
                                         WHERE d.id = :id AND r.id <> :relay AND r.link_address IS NOT NULL
                                           AND r.last_seen_at > now() - make_interval(secs => :stale)""")
                                .bind("id", deviceId)
                                .bind("relay", relayId)
                                .bind("stale", (double) RelayMembership.STALE_AFTER.toSeconds())
                                .mapTo(String.class)
                                .findOne())
                        .flatMap(HostAndPort::tryParse),
                lookups);
    }

    @Override
    public CompletableFuture<Boolean> isLinkedHere(UUID deviceId) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(handle -> handle.createQuery(
                                        "SELECT relay_id IS NOT DISTINCT FROM :relay FROM devices WHERE id = :id")
                                .bind("id", deviceId)
                                .bind("relay", relayId)
                                .mapTo(Boolean.class)
                                .findOne())
                        .orElse(false),
                lookups);
    }

    @Override
    public void recordHeartbeat(UUID deviceId, String linkAddress, StatusReport report, Instant at) {
        pending.put(deviceId, new Beat(linkAddress, report, at));
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
            // Kept (the newest per device) and written when the database answers again.
            writeFailed.warn(e);
        }
    }

    /**
     * One transaction and, in the common case, one statement for every heartbeat since the last run:
     * transitions to {@code online} (rare) add one statement each for the status log and the webhooks.
     */
    private void write() {
        Map<UUID, Beat> beats = new HashMap<>();
        for (UUID deviceId : pending.keySet()) {
            Beat beat = pending.remove(deviceId);
            if (beat != null) {
                beats.put(deviceId, beat);
            }
        }
        if (beats.isEmpty()) {
            return;
        }
        try {
            jdbi.useTransaction(handle -> record(handle, beats, relayId));
        } catch (RuntimeException e) {
            beats.forEach(pending::putIfAbsent); // kept for the next run, unless a newer one came
            throw e;
        }
    }

    /**
     * A heartbeat carries how the device's newest rotation ended: the way a rotation whose link dropped on the way
     * still ends with the device's own result. Ends only a rotation of that device that is still running.
     */
    private static void finishReportedRotations(Handle handle, Map<UUID, Beat> beats) {
        beats.forEach((deviceId, beat) -> {
            RotationReport rotation = beat.report().lastRotation();
            if (rotation != null && RotationLedger.finish(handle, deviceId, rotation, beat.at())) {
                log.info("rotation {} of device {} ended as its heartbeat reported", rotation.rotationId(), deviceId);
            }
        });
    }

    private record Before(
            UUID deviceId, UUID ownerId, String name, String status, Instant lastHeartbeat, String statusNow) {}

    private static void record(Handle handle, Map<UUID, Beat> beats, UUID relayId) {
        int size = beats.size();
        List<UUID> ids = new ArrayList<>(size);
        List<String> ats = new ArrayList<>(size);
        List<String> linkAddresses = new ArrayList<>(size);
        List<String> egressIps = new ArrayList<>(size);
        List<Boolean> healthy = new ArrayList<>(size);
        List<Integer> batteries = new ArrayList<>(size);
        List<Boolean> charging = new ArrayList<>(size);
        List<Integer> signals = new ArrayList<>(size);
        List<String> networkTypes = new ArrayList<>(size);
        List<String> carriers = new ArrayList<>(size);
        List<String> agentVersions = new ArrayList<>(size);
        beats.forEach((deviceId, beat) -> {
            StatusReport report = beat.report();
            DeviceHealth health = report.health();
            ids.add(deviceId);
            ats.add(timestamp(beat.at()));
            linkAddresses.add(beat.linkAddress());
            egressIps.add(report.egressIp());
            healthy.add(!health.isUnknown());
            batteries.add(health.batteryPercent());
            charging.add(health.charging());
            signals.add(health.signalDbm());
            networkTypes.add(health.networkType());
            carriers.add(health.carrier());
            agentVersions.add(report.agentVersion());
        });
        // Locks in id order (no deadlock with another relay's batch) and hands back what each row said
        // before; a device deleted since drops out of the join.
        List<Before> updated = handle.createQuery("""
                        WITH beat AS (
                            SELECT * FROM unnest(:ids, :ats, :linkAddresses, :egressIps, :healthy, :batteries, :charging,
                                                 :signals, :networkTypes, :carriers, :agentVersions)
                                AS b(id, at, link_address, egress_ip, healthy, battery, charging, signal, network_type,
                                     carrier, agent_version)
                        ), prior AS MATERIALIZED (
                            SELECT d.id, d.owner_id, d.name, d.status, d.last_heartbeat
                              FROM devices d JOIN beat ON d.id = beat.id
                             ORDER BY d.id
                               FOR UPDATE OF d
                        )
                        UPDATE devices d
                           -- A heartbeat the device answered before the monitor marked it offline (written late: the
                           -- batch lags) is old news: it does not bring the device back, so a dying device cannot flap.
                           SET status = CASE WHEN prior.status = 'offline' AND beat.at <= (
                                                 SELECT max(l.at) FROM device_status_log l
                                                  WHERE l.device_id = d.id AND l.status = 'offline')
                                             THEN d.status ELSE 'online' END,
                               last_heartbeat = GREATEST(d.last_heartbeat, beat.at),
                               link_address = beat.link_address,
                               -- Likewise an egress IP answered before a rotation finished: the rotation's is newer.
                               egress_ip = CASE WHEN beat.at < (
                                                    SELECT max(r.finished_at) FROM device_rotations r
                                                     WHERE r.device_id = d.id AND r.status = 'done')
                                                THEN d.egress_ip ELSE COALESCE(beat.egress_ip, d.egress_ip) END,
                               battery = beat.battery, charging = beat.charging, signal = beat.signal,
                               network_type = beat.network_type, carrier = beat.carrier,
                               status_updated_at = CASE WHEN beat.healthy THEN beat.at ELSE d.status_updated_at END,
                               agent_version = beat.agent_version,
                               -- a link this relay holds whose record a late unlink cleared (never another relay's)
                               relay_id = COALESCE(d.relay_id, (SELECT id FROM relays WHERE id = :relay))
                          FROM beat, prior
                         WHERE d.id = beat.id AND d.id = prior.id
                        RETURNING d.id, prior.owner_id, prior.name, prior.status, prior.last_heartbeat,
                                  d.status AS status_now""")
                .bind("ids", SqlArrays.of("uuid", ids))
                .bind("ats", SqlArrays.of("timestamptz", ats))
                .bind("linkAddresses", SqlArrays.of("text", linkAddresses))
                .bind("egressIps", SqlArrays.of("text", egressIps))
                .bind("healthy", SqlArrays.of("boolean", healthy))
                .bind("batteries", SqlArrays.of("smallint", batteries))
                .bind("charging", SqlArrays.of("boolean", charging))
                .bind("signals", SqlArrays.of("smallint", signals))
                .bind("networkTypes", SqlArrays.of("text", networkTypes))
                .bind("carriers", SqlArrays.of("text", carriers))
                .bind("agentVersions", SqlArrays.of("text", agentVersions))
                .bind("relay", relayId)
                .map((rows, ctx) -> new Before(
                        rows.getObject("id", UUID.class),
                        rows.getObject("owner_id", UUID.class),
                        rows.getString("name"),
                        rows.getString("status"),
                        Rows.instant(rows, "last_heartbeat"),
                        rows.getString("status_now")))
                .list();
        finishReportedRotations(handle, beats);
        List<Before> cameOnline = updated.stream()
                .filter(before -> !"online".equals(before.status()) && "online".equals(before.statusNow()))
                .toList();
        if (cameOnline.isEmpty()) {
            return;
        }
        handle.createUpdate("""
                        INSERT INTO device_status_log (device_id, status, previous_status, at)
                        SELECT id, 'online', previous, at FROM unnest(:ids, :previous, :ats) AS t(id, previous, at)""")
                .bind(
                        "ids",
                        SqlArrays.of(
                                "uuid",
                                cameOnline.stream().map(Before::deviceId).toList()))
                .bind(
                        "previous",
                        SqlArrays.of(
                                "text", cameOnline.stream().map(Before::status).toList()))
                .bind(
                        "ats",
                        SqlArrays.of(
                                "timestamptz",
                                cameOnline.stream()
                                        .map(before -> timestamp(
                                                beats.get(before.deviceId()).at()))
                                        .toList()))
                .execute();
        List<Before> back = cameOnline.stream()
                .filter(before -> "offline".equals(before.status()))
                .toList();
        if (back.isEmpty()) {
            return;
        }
        // Always told, in the same transaction: the operator's last word must match the device's state.
        List<WebhookOutbox.Event> events = new ArrayList<>(back.size());
        for (Before before : back) {
            Instant at = beats.get(before.deviceId()).at();
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("device_id", before.deviceId().toString());
            data.put("device_name", before.name());
            data.put(
                    "offline_since",
                    before.lastHeartbeat() == null
                            ? null
                            : before.lastHeartbeat().toString());
            data.put("reconnected_at", at.toString());
            events.add(new WebhookOutbox.Event(before.ownerId(), WebhookOutbox.DEVICE_ONLINE, data, at));
        }
        WebhookOutbox.enqueueAll(handle, events);
        handle.createUpdate("UPDATE devices SET last_alert = 'device.online' WHERE id = ANY(:ids)")
                .bind(
                        "ids",
                        SqlArrays.of("uuid", back.stream().map(Before::deviceId).toList()))
                .execute();
    }

    /** An instant as PostgreSQL reads a {@code timestamptz}, to the microsecond it keeps. */
    private static String timestamp(Instant at) {
        return at.truncatedTo(ChronoUnit.MICROS).toString();
    }

    @Override
    public void close() {
        flush();
        writer.shutdownNow();
        lookups.shutdown();
    }
}
