package io.pocketproxy.server;

import io.pocketproxy.relay.directory.UsageSink.UsageDelta;
import io.pocketproxy.server.directory.DatabaseDirectory;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes usage the way a relay's flush does, through {@link DatabaseDirectory}, dated by the server's settable
 * clock: history tests put bytes in the hour they choose without a device or an agent.
 */
final class RelayUsage implements AutoCloseable {

    private final RunningServer server;
    private final DatabaseDirectory directory;

    RelayUsage(RunningServer server) {
        this.server = server;
        this.directory = new DatabaseDirectory(server.jdbi(), null, server.clock());
    }

    /** A flush at {@code when} of {@code bytes} counted in the connection's current usage generation. */
    Map<UUID, Long> flush(Instant when, UUID connection, long bytes) {
        return flush(when, connection, generation(server, connection), bytes);
    }

    /** A flush at {@code when} of {@code bytes} counted in {@code generation}, current or not. */
    Map<UUID, Long> flush(Instant when, UUID connection, long generation, long bytes) {
        Instant before = server.clock().instant();
        server.clock().set(when);
        try {
            return directory
                    .addUsage(List.of(new UsageDelta(connection, generation, bytes)))
                    .join();
        } finally {
            server.clock().set(before);
        }
    }

    static long generation(RunningServer server, UUID connection) {
        return server.jdbi()
                .withHandle(
                        handle -> handle.createQuery("SELECT usage_generation FROM proxy_connections WHERE id = :id")
                                .bind("id", connection)
                                .mapTo(Long.class)
                                .one());
    }

    static long bandwidthUsed(RunningServer server, UUID connection) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("SELECT bandwidth_used FROM proxy_connections WHERE id = :id")
                        .bind("id", connection)
                        .mapTo(Long.class)
                        .one());
    }

    /** What the history holds for one usage period of a connection, hourly and daily rows together. */
    static long historyOfPeriod(RunningServer server, UUID connection, long generation) {
        return server.jdbi()
                .withHandle(handle -> handle.createQuery("""
                                SELECT coalesce(sum(bytes), 0) FROM usage_buckets
                                 WHERE connection_id = :id AND usage_generation = :generation""")
                        .bind("id", connection)
                        .bind("generation", generation)
                        .mapTo(Long.class)
                        .one());
    }

    @Override
    public void close() {
        directory.close();
    }
}
