package io.pocketproxy.server.devices;

import java.time.Instant;
import java.util.UUID;

/** A phone or modem box of an operator, as last reported by its agent. Carries no token. */
public record Device(
        UUID id,
        String name,
        DeviceStatus status,
        Instant lastHeartbeat,
        String egressIp,
        Integer battery,
        Integer signal,
        String networkType,
        String agentVersion,
        Instant createdAt) {}
