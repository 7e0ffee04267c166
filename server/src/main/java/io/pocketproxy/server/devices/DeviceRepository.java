package io.pocketproxy.server.devices;

import io.pocketproxy.link.status.DeviceHealth;
import io.pocketproxy.server.db.Rows;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** SQL for {@code devices} and their status history. Every method is filtered by owner. */
final class DeviceRepository {

    private static final String COLUMNS = """
            d.id, d.name, d.status, d.last_heartbeat, d.egress_ip, d.link_address, d.agent_version, d.battery,
            d.charging, d.signal, d.network_type, d.carrier, d.status_updated_at, d.rotation_interval, d.created_at""";

    private static final RowMapper<Device> DEVICE = (rows, ctx) -> new Device(
            rows.getObject("id", UUID.class),
            rows.getString("name"),
            DeviceStatus.fromWireName(rows.getString("status")),
            Rows.instant(rows, "last_heartbeat"),
            rows.getString("egress_ip"),
            rows.getString("link_address"),
            rows.getString("agent_version"),
            new DeviceHealth(
                    rows.getObject("battery", Integer.class),
                    rows.getObject("charging", Boolean.class),
                    rows.getObject("signal", Integer.class),
                    rows.getString("network_type"),
                    rows.getString("carrier")),
            Rows.instant(rows, "status_updated_at"),
            rows.getObject("rotation_interval", Integer.class),
            rows.getTimestamp("created_at").toInstant());

    Device insert(Handle handle, UUID ownerId, String name, byte[] tokenDigest) {
        return handle.createQuery(
                        "INSERT INTO devices AS d (owner_id, name, token_digest) VALUES (:owner, :name, :digest)"
                                + " RETURNING " + COLUMNS)
                .bind("owner", ownerId)
                .bind("name", name)
                .bind("digest", tokenDigest)
                .map(DEVICE)
                .one();
    }

    List<Device> list(Handle handle, UUID ownerId) {
        return handle.createQuery(
                        "SELECT " + COLUMNS + " FROM devices d WHERE d.owner_id = :owner ORDER BY d.created_at, d.id")
                .bind("owner", ownerId)
                .map(DEVICE)
                .list();
    }

    Optional<Device> find(Handle handle, UUID ownerId, UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + " FROM devices d WHERE d.owner_id = :owner AND d.id = :id")
                .bind("owner", ownerId)
                .bind("id", id)
                .map(DEVICE)
                .findOne();
    }

    void updateTokenDigest(Handle handle, UUID ownerId, UUID id, byte[] tokenDigest) {
        handle.createUpdate("UPDATE devices SET token_digest = :digest WHERE owner_id = :owner AND id = :id")
                .bind("digest", tokenDigest)
                .bind("owner", ownerId)
                .bind("id", id)
                .execute();
    }

    int countConnections(Handle handle, UUID ownerId, UUID id) {
        return handle.createQuery("SELECT count(*) FROM proxy_connections WHERE owner_id = :owner AND device_id = :id")
                .bind("owner", ownerId)
                .bind("id", id)
                .mapTo(Integer.class)
                .one();
    }

    boolean delete(Handle handle, UUID ownerId, UUID id) {
        return handle.createUpdate("DELETE FROM devices WHERE owner_id = :owner AND id = :id")
                        .bind("owner", ownerId)
                        .bind("id", id)
                        .execute()
                == 1;
    }

    List<StatusChange> statusLog(Handle handle, UUID ownerId, UUID id, int limit) {
        return handle.createQuery("""
                        SELECT l.status, l.previous_status, l.at
                          FROM device_status_log l JOIN devices d ON d.id = l.device_id
                         WHERE d.owner_id = :owner AND d.id = :id
                         ORDER BY l.at DESC, l.id DESC
                         LIMIT :limit""")
                .bind("owner", ownerId)
                .bind("id", id)
                .bind("limit", limit)
                .map((rows, ctx) -> new StatusChange(
                        DeviceStatus.fromWireName(rows.getString("status")),
                        DeviceStatus.fromWireName(rows.getString("previous_status")),
                        rows.getTimestamp("at").toInstant()))
                .list();
    }
}
