package io.pocketproxy.server.usage;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.jdbi.v3.core.Handle;

/** SQL reading {@code usage_buckets}, always filtered by owner. */
final class UsageRepository {

    /**
     * Bytes per step of {@code range} for the rows whose {@code column} is {@code id}. By hour, only hourly
     * rows count (the range is within the hourly history); by day, hourly and daily rows together, which
     * never overlap: the roll-up moves an hour into its day in one transaction.
     */
    private static final String TOTALS = """
            SELECT date_trunc(:step, bucket_start, 'UTC') AS t, sum(bytes)::bigint AS bytes
              FROM usage_buckets
             WHERE owner_id = :owner AND %s
               AND bucket_start >= :start AND bucket_start < :end
               AND (resolution = 'hour' OR :step = 'day')
             GROUP BY 1""";

    /** Everything a connection moved, through whichever devices. */
    Map<Instant, Long> connectionTotals(Handle handle, UUID ownerId, UUID connectionId, UsageRange range) {
        return totals(handle, "connection_id = :id", ownerId, connectionId, range);
    }

    /** Everything that went through a device, for whichever connections, deleted ones included. */
    Map<Instant, Long> deviceTotals(Handle handle, UUID ownerId, UUID deviceId, UsageRange range) {
        return totals(handle, "device_id = :id", ownerId, deviceId, range);
    }

    /** Everything an operator's fleet moved: all their devices, deleted ones included. */
    Map<Instant, Long> fleetTotals(Handle handle, UUID ownerId, UsageRange range) {
        return totals(handle, "TRUE", ownerId, null, range);
    }

    /** @param filter what narrows the owner's rows: a condition on {@code :id}, which is bound when not null */
    private static Map<Instant, Long> totals(Handle handle, String filter, UUID ownerId, UUID id, UsageRange range) {
        var query = handle.createQuery(TOTALS.formatted(filter));
        if (id != null) {
            query.bind("id", id);
        }
        return query.bind("step", range.step().label())
                .bind("owner", ownerId)
                .bind("start", Timestamp.from(range.firstPoint()))
                .bind("end", Timestamp.from(range.lastPointEnd()))
                .reduceRows(new HashMap<>(), (totals, row) -> {
                    totals.put(row.getColumn("t", Timestamp.class).toInstant(), row.getColumn("bytes", Long.class));
                    return totals;
                });
    }
}
