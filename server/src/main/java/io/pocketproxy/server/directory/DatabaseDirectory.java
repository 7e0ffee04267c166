package io.pocketproxy.server.directory;

import io.pocketproxy.relay.directory.ChangeHandler;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.directory.UsageSink;
import io.pocketproxy.server.db.DatabaseSettings;
import io.pocketproxy.server.db.SqlArrays;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The relay's view of the database: customer connections by username or id, usage deltas with their
 * generation guard and their hourly history, and the change notices of {@code pocketproxy_changes}. JDBC
 * blocks, so every call runs on virtual threads of its own and answers with a future.
 */
public final class DatabaseDirectory implements ConnectionDirectory, UsageSink, AutoCloseable {

    private static final String COLUMNS =
            "id, username, password_hash, type, active, bandwidth_limit, bandwidth_used, usage_generation, device_id";

    private static final RowMapper<ConnectionRecord> RECORD = (rows, ctx) -> new ConnectionRecord(
            rows.getObject("id", UUID.class),
            rows.getString("username"),
            rows.getString("password_hash"),
            ConnectionType.valueOf(rows.getString("type")),
            rows.getBoolean("active"),
            rows.getLong("bandwidth_limit"),
            rows.getLong("bandwidth_used"),
            rows.getLong("usage_generation"),
            rows.getObject("device_id", UUID.class));

    private final Jdbi jdbi;
    private final DatabaseSettings settings;
    private final Clock clock;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("directory-", 0).factory());

    /** {@code clock} dates the usage history: each flush's bytes go to the hour it is written in. */
    public DatabaseDirectory(Jdbi jdbi, DatabaseSettings settings, Clock clock) {
        this.jdbi = jdbi;
        this.settings = settings;
        this.clock = clock;
    }

    @Override
    public CompletableFuture<Optional<ConnectionRecord>> findByUsername(String username) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(handle -> handle.createQuery(
                                "SELECT " + COLUMNS + " FROM proxy_connections WHERE username = :username")
                        .bind("username", username)
                        .map(RECORD)
                        .findOne()),
                executor);
    }

    @Override
    public CompletableFuture<Optional<ConnectionRecord>> findById(UUID id) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(
                        handle -> handle.createQuery("SELECT " + COLUMNS + " FROM proxy_connections WHERE id = :id")
                                .bind("id", id)
                                .map(RECORD)
                                .findOne()),
                executor);
    }

    /**
     * Every delta in one statement. Rows are locked in id order, so relays flushing at once cannot
     * deadlock; a row whose generation moved on (a reset that committed first) drops out of the join, and
     * its delta with it.
     *
     * <p>The same statement adds each delta that counted to its connection's bucket of the current hour,
     * under the usage generation and the device the row has now: one statement is one transaction, so the
     * history and {@code bandwidth_used} can never disagree. Two relays adding to one bucket at once are
     * serialized by the connection's row lock taken first.
     */
    @Override
    public CompletableFuture<Map<UUID, Long>> addUsage(List<UsageDelta> deltas) {
        return CompletableFuture.supplyAsync(
                () -> {
                    if (deltas.isEmpty()) {
                        return Map.of();
                    }
                    List<UUID> ids = new ArrayList<>(deltas.size());
                    List<Long> generations = new ArrayList<>(deltas.size());
                    List<Long> bytes = new ArrayList<>(deltas.size());
                    for (UsageDelta delta : deltas) {
                        ids.add(delta.connectionId());
                        generations.add(delta.generation());
                        bytes.add(delta.bytes());
                    }
                    Timestamp hour = Timestamp.from(clock.instant().truncatedTo(ChronoUnit.HOURS));
                    return jdbi.withHandle(handle -> handle.createQuery("""
                            WITH delta AS (
                                SELECT * FROM unnest(:ids, :generations, :bytes) AS d(id, generation, bytes)
                            ), locked AS MATERIALIZED (
                                SELECT c.id, c.usage_generation, delta.bytes
                                  FROM proxy_connections c
                                  JOIN delta ON c.id = delta.id AND c.usage_generation = delta.generation
                                 ORDER BY c.id
                                   FOR UPDATE OF c
                            ), counted AS (
                                UPDATE proxy_connections c SET bandwidth_used = c.bandwidth_used + locked.bytes
                                  FROM locked
                                 WHERE c.id = locked.id AND c.usage_generation = locked.usage_generation
                                RETURNING c.id, c.bandwidth_used, c.usage_generation, c.device_id, c.owner_id,
                                          locked.bytes
                            ), history AS (
                                INSERT INTO usage_buckets
                                       (connection_id, usage_generation, device_id, owner_id, resolution, bucket_start,
                                        bytes)
                                SELECT id, usage_generation, device_id, owner_id, 'hour', CAST(:hour AS timestamptz), bytes
                                  FROM counted
                                 WHERE bytes > 0
                                 ORDER BY id
                                    ON CONFLICT (connection_id, bucket_start, resolution, usage_generation, device_id)
                                    DO UPDATE SET bytes = usage_buckets.bytes + EXCLUDED.bytes
                            )
                            SELECT id, bandwidth_used FROM counted""")
                            .bind("hour", hour)
                            .bind("ids", SqlArrays.of("uuid", ids))
                            .bind("generations", SqlArrays.of("bigint", generations))
                            .bind("bytes", SqlArrays.of("bigint", bytes))
                            .reduceRows(new HashMap<UUID, Long>(), (totals, row) -> {
                                totals.put(
                                        row.getColumn("id", UUID.class), row.getColumn("bandwidth_used", Long.class));
                                return totals;
                            }));
                },
                executor);
    }

    @Override
    public AutoCloseable subscribe(ChangeHandler handler) {
        return ChangeListener.start(settings, handler);
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
