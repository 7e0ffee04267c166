package io.pocketproxy.server.devices;

import java.time.Instant;
import java.util.UUID;

/** A device as the API shows it: {@code null} where the device has not told (README "Devices"). */
public record DeviceView(
        UUID id,
        String name,
        DeviceStatus status,
        Instant lastHeartbeat,
        String egressIp,
        String linkAddress,
        String agentVersion,
        Integer batteryPercent,
        Boolean charging,
        Integer signalDbm,
        String networkType,
        String carrier,
        Instant statusUpdatedAt,
        Integer rotationInterval,
        Instant createdAt) {

    public static DeviceView of(Device device) {
        return new DeviceView(
                device.id(),
                device.name(),
                device.status(),
                device.lastHeartbeat(),
                device.egressIp(),
                device.linkAddress(),
                device.agentVersion(),
                device.health().batteryPercent(),
                device.health().charging(),
                device.health().signalDbm(),
                device.health().networkType(),
                device.health().carrier(),
                device.statusUpdatedAt(),
                device.rotationInterval(),
                device.createdAt());
    }
}
