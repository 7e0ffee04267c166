package io.pocketproxy.server.connections;

import io.pocketproxy.relay.directory.ConnectionType;
import java.time.Instant;
import java.util.UUID;

/** A connection as the API shows it: never a password, never a hash. */
public record ConnectionView(
        UUID id,
        UUID deviceId,
        String deviceName,
        ConnectionType type,
        String username,
        String endpoint,
        boolean active,
        long bandwidthLimit,
        long bandwidthUsed,
        Instant createdAt,
        Instant updatedAt) {

    public static ConnectionView of(ProxyConnection connection, ProxyEndpoints endpoints) {
        return new ConnectionView(
                connection.id(),
                connection.deviceId(),
                connection.deviceName(),
                connection.type(),
                connection.username(),
                endpoints.endpointOf(connection.type()),
                connection.active(),
                connection.bandwidthLimit(),
                connection.bandwidthUsed(),
                connection.createdAt(),
                connection.updatedAt());
    }
}
