package io.pocketproxy.server.directory;

import io.pocketproxy.relay.directory.Change;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import io.pocketproxy.relay.directory.UsageSink;
import io.pocketproxy.server.db.DatabaseSettings;
import java.util.Optional;
import java.util.OptionalLong;
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
            "id, username, password_hash, active, bandwidth_limit, bandwidth_used, usage_generation, device_id";

    private static final RowMapper<ConnectionRecord> RECORD = (rows, ctx) -> new ConnectionRecord(
            rows.getObject("id", UUID.class),
            rows.getString("username"),
            rows.getString("password_hash"),
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

    @Override
    public CompletableFuture<OptionalLong> addUsage(UUID connectionId, long generation, long delta) {
        return CompletableFuture.supplyAsync(
                () -> jdbi.withHandle(handle -> handle.createQuery("""
                        UPDATE proxy_connections SET bandwidth_used = bandwidth_used + :delta
                         WHERE id = :id AND usage_generation = :generation
                        RETURNING bandwidth_used""")
                        .bind("delta", delta)
                        .bind("id", connectionId)
                        .bind("generation", generation)
                        .mapTo(Long.class)
                        .findOne()
                        .map(OptionalLong::of)
                        .orElse(OptionalLong.empty())),
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
