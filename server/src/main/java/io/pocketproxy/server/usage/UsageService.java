package io.pocketproxy.server.usage;

import io.pocketproxy.server.connections.ConnectionService;
import io.pocketproxy.server.devices.DeviceService;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * Usage over time, per connection and per device, from the history the relays' flushes write
 * (docs/architecture.md section 6). Owner-scoped: another operator's connection or device is not found.
 */
public final class UsageService {

    private final Jdbi jdbi;
    private final Clock clock;
    private final ConnectionService connections;
    private final DeviceService devices;
    private final UsageRepository usage = new UsageRepository();

    public UsageService(Jdbi jdbi, Clock clock, ConnectionService connections, DeviceService devices) {
        this.jdbi = jdbi;
        this.clock = clock;
        this.connections = connections;
        this.devices = devices;
    }

    /** The range the API's {@code from}, {@code to} and {@code step} ask for, defaults filled in from now. */
    public UsageRange range(String from, String to, String step) {
        return UsageRange.parse(from, to, step, clock.instant());
    }

    /** What one connection moved, through whichever devices it used, across resets. */
    public UsageSeries ofConnection(UUID ownerId, UUID connectionId, UsageRange range) {
        connections.get(ownerId, connectionId); // not found unless it is the caller's
        return series(range, jdbi.withHandle(handle -> usage.connectionTotals(handle, ownerId, connectionId, range)));
    }

    /**
     * What went through one device: the sum of the connections that used it while they used it, including
     * connections since moved elsewhere or deleted.
     */
    public UsageSeries ofDevice(UUID ownerId, UUID deviceId, UsageRange range) {
        devices.get(ownerId, deviceId); // not found unless it is the caller's
        return series(range, jdbi.withHandle(handle -> usage.deviceTotals(handle, ownerId, deviceId, range)));
    }

    /** What the operator's whole fleet moved: the sum over all their devices. */
    public UsageSeries ofFleet(UUID ownerId, UsageRange range) {
        return series(range, jdbi.withHandle(handle -> usage.fleetTotals(handle, ownerId, range)));
    }

    private static UsageSeries series(UsageRange range, Map<Instant, Long> totals) {
        List<UsagePoint> points = new ArrayList<>((int) range.pointCount());
        for (Instant t = range.firstPoint();
                t.isBefore(range.to());
                t = t.plus(range.step().length())) {
            points.add(new UsagePoint(t, totals.getOrDefault(t, 0L)));
        }
        return new UsageSeries(range.step().label(), points);
    }
}
