package io.pocketproxy.server.connections;

import io.pocketproxy.relay.directory.ConnectionType;
import java.time.Instant;
import java.util.UUID;

/** A customer's access through one device, with its quota. Carries no password or hash. */
public record ProxyConnection(
        UUID id,
        UUID deviceId,
        String deviceName,
        ConnectionType type,
        String username,
        boolean active,
        long bandwidthLimit,
        long bandwidthUsed,
        long usageGeneration,
        Instant createdAt,
        Instant updatedAt) {}
