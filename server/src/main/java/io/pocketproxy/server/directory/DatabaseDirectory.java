package io.pocketproxy.server.directory;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.ConnectionType;
import io.pocketproxy.relay.directory.UsageSink;
import io.pocketproxy.server.db.DatabaseSettings;
import io.pocketproxy.server.db.SqlArrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;

/**
 * The relay's view of the database: customer connections by username or id, usage deltas with their
 * generation guard, and the change notices of {@code pocketproxy_changes}. JDBC blocks, so every call
 * runs on virtual threads of its own and answers with a future.
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
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("directory-", 0).factory());

    public DatabaseDirectory(Jdbi jdbi, DatabaseSettings settings) {
        this.jdbi = jdbi;
        this.settings = settings;
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
                    return jdbi.withHandle(handle -> handle.createQuery("""
                            WITH delta AS (
                                SELECT * FROM unnest(:ids, :generations, :bytes) AS d(id, generation, bytes)
                            ), locked AS MATERIALIZED (
                                SELECT c.id, c.usage_generation, delta.bytes
                                  FROM proxy_connections c
                                  JOIN delta ON c.id = delta.id AND c.usage_generation = delta.generation
                                 ORDER BY c.id
                                   FOR UPDATE OF c
                            )
                            UPDATE proxy_connections c SET bandwidth_used = c.bandwidth_used + locked.bytes
                              FROM locked
                             WHERE c.id = locked.id AND c.usage_generation = locked.usage_generation
                            RETURNING c.id, c.bandwidth_used""")
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
    public AutoCloseable subscribe(Consumer<Change> listener) {
        return ChangeListener.start(settings, listener);
    }

    @Override
    public void close() {
        executor.shutdown();
    }
}
