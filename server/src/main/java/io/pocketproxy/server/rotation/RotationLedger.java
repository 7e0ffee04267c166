package io.pocketproxy.server.rotation;

import io.pocketproxy.link.rotation.RotationReport;
import io.pocketproxy.server.db.Rows;
import io.pocketproxy.server.webhooks.WebhookOutbox;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The SQL of {@code device_rotations}, and the one way a rotation ends: {@link #finish} moves it from {@code running}
 * to {@code done} or {@code failed} once (whoever comes second, the device's answer, its heartbeat or the timeout,
 * changes nothing), records the device's new egress IP and queues {@code device.ip_changed} when it changed, in the
 * caller's transaction. Reads are filtered by owner.
 */
public final class RotationLedger {

    public static final String DEVICE_IP_CHANGED = "device.ip_changed";

    /** What a {@link Rotation} is read from; its text ends with a space, so a clause can follow. */
    static final String COLUMNS =
            "r.id, r.device_id, r.status, r.old_ip, r.new_ip, r.changed, r.error, r.started_at, r.finished_at ";

    static final RowMapper<Rotation> ROTATION = (rows, ctx) -> {
        Instant started = Rows.instant(rows, "started_at");
        Instant finished = Rows.instant(rows, "finished_at");
        return new Rotation(
                rows.getObject("id", UUID.class),
                rows.getObject("device_id", UUID.class),
                Rotation.Status.fromWireName(rows.getString("status")),
                rows.getString("old_ip"),
                rows.getString("new_ip"),
                rows.getObject("changed", Boolean.class),
                rows.getString("error"),
                started,
                finished,
                finished == null ? null : finished.toEpochMilli() - started.toEpochMilli());
    };

    private RotationLedger() {}

    /** Ends the device's rotation as the device reported it; false if it was not running (any more). */
    public static boolean finish(Handle handle, UUID deviceId, RotationReport report, Instant at) {
        return report.succeeded()
                ? finishDone(handle, deviceId, report.rotationId(), report.newIp(), at)
                : finishFailed(handle, deviceId, report.rotationId(), report.error(), at);
    }

    static boolean finishFailed(Handle handle, UUID deviceId, UUID rotationId, String error, Instant at) {
        return handle.createUpdate("""
                        UPDATE device_rotations SET status = 'failed', error = left(:error, 400), finished_at = :at
                         WHERE id = :id AND device_id = :device AND status = 'running'""")
                        .bind("error", error)
                        .bind("at", Timestamp.from(at))
                        .bind("id", rotationId)
                        .bind("device", deviceId)
                        .execute()
                == 1;
    }

    private record Changed(UUID ownerId, String deviceName, String oldIp, boolean changed) {}

    private static boolean finishDone(Handle handle, UUID deviceId, UUID rotationId, String newIp, Instant at) {
        Optional<Changed> done = handle.createQuery("""
                        UPDATE device_rotations r
                           SET status = 'done', new_ip = :ip, changed = r.old_ip IS DISTINCT FROM :ip,
                               finished_at = :at
                          FROM devices d
                         WHERE r.id = :id AND r.device_id = :device AND r.status = 'running' AND d.id = r.device_id
                        RETURNING r.owner_id, d.name, r.old_ip, r.changed""")
                .bind("ip", newIp)
                .bind("at", Timestamp.from(at))
                .bind("id", rotationId)
                .bind("device", deviceId)
                .map((rows, ctx) -> new Changed(
                        rows.getObject("owner_id", UUID.class),
                        rows.getString("name"),
                        rows.getString("old_ip"),
                        rows.getBoolean("changed")))
                .findOne();
        if (done.isEmpty()) {
            return false;
        }
        handle.createUpdate("UPDATE devices SET egress_ip = :ip WHERE id = :device")
                .bind("ip", newIp)
                .bind("device", deviceId)
                .execute();
        Changed rotation = done.get();
        if (rotation.changed()) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("device_id", deviceId.toString());
            data.put("device_name", rotation.deviceName());
            data.put("old_ip", rotation.oldIp());
            data.put("new_ip", newIp);
            data.put("rotation_id", rotationId.toString());
            WebhookOutbox.enqueue(handle, rotation.ownerId(), DEVICE_IP_CHANGED, data, at);
        }
        return true;
    }

    /** Rotations running since before {@code startedBefore} end as failed with {@code error}; returns how many. */
    static int failRunning(Handle handle, Instant startedBefore, String error, Instant at) {
        return handle.createUpdate("""
                        UPDATE device_rotations SET status = 'failed', error = :error, finished_at = :at
                         WHERE status = 'running' AND started_at < :before""")
                .bind("error", error)
                .bind("at", Timestamp.from(at))
                .bind("before", Timestamp.from(startedBefore))
                .execute();
    }

    static Optional<Rotation> find(Handle handle, UUID ownerId, UUID rotationId) {
        return handle.createQuery(
                        "SELECT " + COLUMNS + "FROM device_rotations r WHERE r.id = :id AND r.owner_id = :owner")
                .bind("id", rotationId)
                .bind("owner", ownerId)
                .map(ROTATION)
                .findOne();
    }

    static List<Rotation> list(Handle handle, UUID ownerId, UUID deviceId, int limit) {
        return handle.createQuery("SELECT " + COLUMNS + """
                         FROM device_rotations r
                        WHERE r.device_id = :device AND r.owner_id = :owner
                        ORDER BY r.started_at DESC, r.id
                        LIMIT :limit""")
                .bind("device", deviceId)
                .bind("owner", ownerId)
                .bind("limit", limit)
                .map(ROTATION)
                .list();
    }
}
