package io.pocketproxy.server.devices;

import java.time.Instant;

/** One row of a device's status history. */
public record StatusChange(DeviceStatus status, DeviceStatus previousStatus, Instant at) {}
