package io.pocketproxy.server.rotation;

import io.pocketproxy.link.AggregatedWarning;
import io.pocketproxy.link.Threads;
import io.pocketproxy.link.rotation.RotationReport;
import io.pocketproxy.relay.link.DeviceLink;
import io.pocketproxy.relay.link.DeviceLinks;
import io.pocketproxy.relay.link.DeviceRefusal;
import io.pocketproxy.server.errors.BusyException;
import io.pocketproxy.server.errors.InvalidInputException;
import io.pocketproxy.server.errors.NotFoundException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates devices' IPs: starts a rotation (one at a time per device, at most one per
 * {@link RotationSettings#minInterval}), asks the device over its link, and ends the rotation with the device's
 * answer, or with the report its heartbeat carries when the link dropped on the way ({@code DeviceRegistry}), or as
 * failed after {@link RotationSettings#timeout}. A rotation a previous run of the server left running ends as failed
 * at start: none stays {@code running}.
 */
public final class RotationService implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RotationService.class);

    static final int HISTORY_LIMIT = 50;

    private static final Duration AWAIT_POLL = Duration.ofMillis(250);

    /** A rotation, and whether this call started it (else it was already running). */
    public record Started(Rotation rotation, boolean isNew) {}

    private final AggregatedWarning backgroundFailed = new AggregatedWarning(
            log,
            "cannot time out or start rotations now (the database?); trying again every second",
            Duration.ofMinutes(1));
    private final Jdbi jdbi;
    private final DeviceLinks links;
    private final RotationSettings settings;
    private final Clock clock;
    private final ExecutorService writers = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("rotation-", 0).factory());
    private final ScheduledExecutorService sweeper =
            Executors.newSingleThreadScheduledExecutor(Threads.daemon("rotation-timeouts"));

    public RotationService(Jdbi jdbi, DeviceLinks links, RotationSettings settings, Clock clock) {
        this.jdbi = jdbi;
        this.links = links;
        this.settings = settings;
        this.clock = clock;
        Instant now = clock.instant();
        int left = jdbi.withHandle(handle -> RotationLedger.failRunning(handle, now, "server restarted", now));
        if (left > 0) {
            log.info("{} rotations left running by the previous start ended as failed (server restarted)", left);
        }
        sweeper.scheduleWithFixedDelay(this::timeOutQuietly, 1, 1, TimeUnit.SECONDS);
        sweeper.scheduleWithFixedDelay(this::rotateDueQuietly, 1, 1, TimeUnit.SECONDS);
    }

    /**
     * Starts rotating the device's IP, or answers the rotation already running.
     *
     * @throws NotFoundException when the owner has no such device
     * @throws BusyException when the last rotation started less than the minimum interval ago
     */
    public Started start(UUID ownerId, UUID deviceId) {
        Instant now = clock.instant();
        Started started = jdbi.inTransaction(handle -> {
            // The device's row is the lock: two calls at once start one rotation.
            Optional<String> egressIp = handle.createQuery(
                            "SELECT coalesce(egress_ip, '') FROM devices WHERE id = :id AND owner_id = :owner FOR UPDATE")
                    .bind("id", deviceId)
                    .bind("owner", ownerId)
                    .mapTo(String.class)
                    .findOne();
            if (egressIp.isEmpty()) {
                throw new NotFoundException("device");
            }
            Optional<Rotation> running = handle.createQuery("SELECT " + RotationLedger.COLUMNS + """
                             FROM device_rotations r WHERE r.device_id = :device AND r.status = 'running'""")
                    .bind("device", deviceId)
                    .map(RotationLedger.ROTATION)
                    .findOne();
            if (running.isPresent()) {
                return new Started(running.get(), false);
            }
            Optional<Instant> last = handle.createQuery(
                            "SELECT max(started_at) FROM device_rotations WHERE device_id = :device")
                    .bind("device", deviceId)
                    .mapTo(Timestamp.class)
                    .findOne()
                    .map(Timestamp::toInstant);
            if (last.isPresent()) {
                Duration since = Duration.between(last.get(), now);
                if (since.compareTo(settings.minInterval()) < 0) {
                    Duration wait = settings.minInterval().minus(since);
                    throw new BusyException(
                            "rotation_too_soon",
                            "this device rotated less than "
                                    + settings.minInterval().toSeconds() + " s ago; try again in "
                                    + Math.max(1, (wait.toMillis() + 999) / 1000) + " s",
                            wait);
                }
            }
            Rotation rotation = handle.createQuery("""
                            INSERT INTO device_rotations AS r (device_id, owner_id, status, old_ip, started_at)
                            VALUES (:device, :owner, 'running', nullif(:oldIp, ''), :at)
                            RETURNING\s""" + RotationLedger.COLUMNS)
                    .bind("device", deviceId)
                    .bind("owner", ownerId)
                    .bind("oldIp", egressIp.get())
                    .bind("at", Timestamp.from(now))
                    .map(RotationLedger.ROTATION)
                    .one();
            return new Started(rotation, true);
        });
        if (started.isNew()) {
            ask(started.rotation());
        }
        return started;
    }

    /** The device's rotations, newest first (the latest {@value #HISTORY_LIMIT}). */
    public List<Rotation> list(UUID ownerId, UUID deviceId) {
        return jdbi.withHandle(handle -> {
            handle.createQuery("SELECT 1 FROM devices WHERE id = :id AND owner_id = :owner")
                    .bind("id", deviceId)
                    .bind("owner", ownerId)
                    .mapTo(Integer.class)
                    .findOne()
                    .orElseThrow(() -> new NotFoundException("device"));
            return RotationLedger.list(handle, ownerId, deviceId, HISTORY_LIMIT);
        });
    }

    /** One rotation of the owner's. */
    public Rotation get(UUID ownerId, UUID rotationId) {
        return jdbi.withHandle(handle -> RotationLedger.find(handle, ownerId, rotationId))
                .orElseThrow(() -> new NotFoundException("rotation"));
    }

    /**
     * Waits, at most {@code patience}, for the rotation to end; answers it as it is then (still {@code running} if it
     * did not end). It may end in another thread or process (the device's heartbeat, the timeout), so this reads the
     * database, a few times a second.
     */
    public Rotation awaitEnd(UUID ownerId, UUID rotationId, Duration patience) throws InterruptedException {
        Instant deadline = Instant.now().plus(patience);
        Rotation rotation = get(ownerId, rotationId);
        while (rotation.status() == Rotation.Status.RUNNING && Instant.now().isBefore(deadline)) {
            Thread.sleep(AWAIT_POLL.toMillis());
            rotation = get(ownerId, rotationId);
        }
        return rotation;
    }

    /**
     * Rotates the device every {@code seconds} while it is online, or only on request ({@code null}).
     *
     * @throws NotFoundException when the owner has no such device
     * @throws io.pocketproxy.server.errors.InvalidInputException when the interval is shorter than the minimum
     */
    public void setInterval(UUID ownerId, UUID deviceId, Integer seconds) {
        if (seconds != null && Duration.ofSeconds(seconds).compareTo(settings.minInterval()) < 0) {
            throw InvalidInputException.unacceptable(
                    "invalid_rotation_interval",
                    "rotation_interval: " + seconds + " (expected: "
                            + settings.minInterval().toSeconds()
                            + " seconds or more, the server's --rotation-min-interval, or null)");
        }
        int updated = jdbi.withHandle(handle -> handle.createUpdate(
                        "UPDATE devices SET rotation_interval = :seconds WHERE id = :id AND owner_id = :owner")
                .bind("seconds", seconds)
                .bind("id", deviceId)
                .bind("owner", ownerId)
                .execute());
        if (updated == 0) {
            throw new NotFoundException("device");
        }
    }

    private record Due(UUID ownerId, UUID deviceId) {}

    /** Starts the rotations automatic rotation asks for: online devices whose interval has passed since the last. */
    private void rotateDueQuietly() {
        try {
            List<Due> due = jdbi.withHandle(handle -> handle.createQuery("""
                            SELECT d.owner_id, d.id FROM devices d
                             WHERE d.rotation_interval IS NOT NULL AND d.status = 'online'
                               AND NOT EXISTS (SELECT 1 FROM device_rotations r
                                                WHERE r.device_id = d.id
                                                  AND r.started_at > CAST(:now AS timestamptz) - make_interval(secs => d.rotation_interval))""")
                    .bind("now", Timestamp.from(clock.instant()))
                    .map((rows, ctx) ->
                            new Due(rows.getObject("owner_id", UUID.class), rows.getObject("id", UUID.class)))
                    .list());
            for (Due device : due) {
                try {
                    start(device.ownerId(), device.deviceId());
                } catch (BusyException | NotFoundException e) {
                    // another process started it, or the device went meanwhile
                }
            }
        } catch (RuntimeException e) {
            backgroundFailed.warn(e);
        }
    }

    /** Asks the device over its link; its answer arrives on the link's event loop and is written on another thread. */
    private void ask(Rotation rotation) {
        Optional<DeviceLink> link = links.find(rotation.deviceId());
        if (link.isEmpty()) {
            fail(rotation, "the device is offline");
            return;
        }
        log.info("rotation {} of device {} started", rotation.id(), rotation.deviceId());
        link.get()
                .rotate(rotation.id(), settings.timeout())
                .whenCompleteAsync((report, error) -> end(rotation, report, error), writers);
    }

    private void end(Rotation rotation, RotationReport report, Throwable error) {
        if (error == null) {
            try {
                jdbi.useTransaction(
                        handle -> RotationLedger.finish(handle, rotation.deviceId(), report, clock.instant()));
            } catch (RuntimeException e) {
                log.warn(
                        "cannot record the end of rotation {}; the device's heartbeat or the timeout will",
                        rotation.id(),
                        e);
            }
            return;
        }
        Throwable cause = error instanceof CompletionException ? error.getCause() : error;
        if (!(cause instanceof DeviceRefusal refusal)) {
            fail(rotation, "the relay could not ask the device: " + cause.getMessage());
            return;
        }
        switch (refusal.reason()) {
            // The agent keeps the outcome and reports it in its heartbeats once it is linked again.
            case OFFLINE -> log.info("rotation {}: the device's link dropped; waiting for its report", rotation.id());
            case TIMEOUT -> fail(rotation, timedOut());
            case REFUSED -> fail(rotation, "the device's agent cannot rotate (it is older than rotation: update it)");
        }
    }

    private void fail(Rotation rotation, String why) {
        try {
            jdbi.useTransaction(handle ->
                    RotationLedger.finishFailed(handle, rotation.deviceId(), rotation.id(), why, clock.instant()));
        } catch (RuntimeException e) {
            log.warn("cannot record that rotation {} failed ({}); its timeout will end it", rotation.id(), why, e);
        }
    }

    private String timedOut() {
        return "no result from the device within " + settings.timeout().toSeconds() + " s";
    }

    /** Rotations past their timeout end as failed; a database away for a while only delays that. */
    private void timeOutQuietly() {
        try {
            Instant now = clock.instant();
            int ended = jdbi.withHandle(
                    handle -> RotationLedger.failRunning(handle, now.minus(settings.timeout()), timedOut(), now));
            if (ended > 0) {
                log.info("{} rotations timed out", ended);
            }
        } catch (RuntimeException e) {
            backgroundFailed.warn(e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
        writers.shutdown();
    }
}
