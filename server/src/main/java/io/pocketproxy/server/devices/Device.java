package io.pocketproxy.server.devices;

import io.pocketproxy.link.status.DeviceHealth;
import java.time.Instant;
import java.util.UUID;

/**
 * A phone or modem box of an operator, as last reported by its agent. Carries no token.
 *
 * @param egressIp the address websites see, as the agent last measured it
 * @param linkAddress the address the device's link comes from, as the relay sees it
 * @param statusUpdatedAt when a heartbeat last carried any of {@code health}
 * @param rotationInterval seconds between automatic rotations, or {@code null}: rotated on request only
 */
public record Device(
        UUID id,
        String name,
        DeviceStatus status,
        Instant lastHeartbeat,
        String egressIp,
        String linkAddress,
        String agentVersion,
        DeviceHealth health,
        Instant statusUpdatedAt,
        Integer rotationInterval,
        Instant createdAt) {}
