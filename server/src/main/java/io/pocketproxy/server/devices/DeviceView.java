package io.pocketproxy.server.devices;

import java.time.Instant;
import java.util.UUID;

/** A device as the API shows it. */
public record DeviceView(
        UUID id,
        String name,
        DeviceStatus status,
        Instant lastHeartbeat,
        String egressIp,
        Integer battery,
        Integer signal,
        String networkType,
        String agentVersion,
        Instant createdAt) {

    public static DeviceView of(Device device) {
        return new DeviceView(
                device.id(),
                device.name(),
                device.status(),
                device.lastHeartbeat(),
                device.egressIp(),
                device.battery(),
                device.signal(),
                device.networkType(),
                device.agentVersion(),
                device.createdAt());
    }
}
