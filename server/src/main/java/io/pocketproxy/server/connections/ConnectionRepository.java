package io.pocketproxy.server.connections;

import io.pocketproxy.relay.directory.ConnectionType;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.mapper.RowMapper;

/** SQL for {@code proxy_connections}. Every method is filtered by owner; no method reads a password hash. */
final class ConnectionRepository {

    private static final String COLUMNS = """
            c.id, c.device_id, d.name AS device_name, c.type, c.username, c.active, c.bandwidth_limit,
            c.bandwidth_used, c.usage_generation, c.created_at, c.updated_at""";

    private static final String FROM = " FROM proxy_connections c JOIN devices d ON d.id = c.device_id ";

    private static final RowMapper<ProxyConnection> CONNECTION = (rows, ctx) -> new ProxyConnection(
            rows.getObject("id", UUID.class),
            rows.getObject("device_id", UUID.class),
            rows.getString("device_name"),
            ConnectionType.valueOf(rows.getString("type")),
            rows.getString("username"),
            rows.getBoolean("active"),
            rows.getLong("bandwidth_limit"),
            rows.getLong("bandwidth_used"),
            rows.getLong("usage_generation"),
            rows.getTimestamp("created_at").toInstant(),
            rows.getTimestamp("updated_at").toInstant());

    UUID insert(
            Handle handle,
            UUID ownerId,
            UUID deviceId,
            ConnectionType type,
            String username,
            String passwordHash,
            long limit) {
        return handle.createQuery("""
                        INSERT INTO proxy_connections (owner_id, device_id, type, username, password_hash, bandwidth_limit)
                        VALUES (:owner, :device, :type, :username, :hash, :limit)
                        RETURNING id""")
                .bind("owner", ownerId)
                .bind("device", deviceId)
                .bind("type", type.name())
                .bind("username", username)
                .bind("hash", passwordHash)
                .bind("limit", limit)
                .mapTo(UUID.class)
                .one();
    }

    List<ProxyConnection> list(Handle handle, UUID ownerId, UUID deviceId) {
        return handle.createQuery("SELECT " + COLUMNS + FROM
                        + " WHERE c.owner_id = :owner AND (CAST(:device AS uuid) IS NULL OR c.device_id = CAST(:device AS uuid))"
                        + " ORDER BY c.created_at, c.id")
                .bind("owner", ownerId)
                .bind("device", deviceId)
                .map(CONNECTION)
                .list();
    }

    Optional<ProxyConnection> find(Handle handle, UUID ownerId, UUID id) {
        return handle.createQuery("SELECT " + COLUMNS + FROM + " WHERE c.owner_id = :owner AND c.id = :id")
                .bind("owner", ownerId)
                .bind("id", id)
                .map(CONNECTION)
                .findOne();
    }

    /** Locks the row for a read-modify-write in the caller's transaction. */
    Optional<ProxyConnection> findForUpdate(Handle handle, UUID ownerId, UUID id) {
        return handle.createQuery(
                        "SELECT " + COLUMNS + FROM + " WHERE c.owner_id = :owner AND c.id = :id FOR UPDATE OF c")
                .bind("owner", ownerId)
                .bind("id", id)
                .map(CONNECTION)
                .findOne();
    }

    void update(Handle handle, UUID ownerId, UUID id, long limit, boolean active, UUID deviceId) {
        handle.createUpdate("""
                        UPDATE proxy_connections
                           SET bandwidth_limit = :limit, active = :active, device_id = :device, updated_at = now()
                         WHERE owner_id = :owner AND id = :id""")
                .bind("limit", limit)
                .bind("active", active)
                .bind("device", deviceId)
                .bind("owner", ownerId)
                .bind("id", id)
                .execute();
    }

    boolean updatePasswordHash(Handle handle, UUID ownerId, UUID id, String passwordHash) {
        return handle.createUpdate("""
                        UPDATE proxy_connections SET password_hash = :hash, updated_at = now()
                         WHERE owner_id = :owner AND id = :id""")
                        .bind("hash", passwordHash)
                        .bind("owner", ownerId)
                        .bind("id", id)
                        .execute()
                == 1;
    }

    /**
     * Usage back to zero and a new generation, in one statement: a relay's delta counted before the reset
     * carries the old generation and can no longer be added.
     */
    boolean resetUsage(Handle handle, UUID ownerId, UUID id) {
        return handle.createUpdate("""
                        UPDATE proxy_connections
                           SET bandwidth_used = 0, usage_generation = usage_generation + 1, updated_at = now()
                         WHERE owner_id = :owner AND id = :id""").bind("owner", ownerId).bind("id", id).execute() == 1;
    }

    boolean delete(Handle handle, UUID ownerId, UUID id) {
        return handle.createUpdate("DELETE FROM proxy_connections WHERE owner_id = :owner AND id = :id")
                        .bind("owner", ownerId)
                        .bind("id", id)
                        .execute()
                == 1;
    }

    boolean deviceExists(Handle handle, UUID ownerId, UUID deviceId) {
        return handle.createQuery("SELECT EXISTS (SELECT 1 FROM devices WHERE owner_id = :owner AND id = :id)")
                .bind("owner", ownerId)
                .bind("id", deviceId)
                .mapTo(Boolean.class)
                .one();
    }
}
