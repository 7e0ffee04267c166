package io.pocketproxy.relay.directory;

import at.favre.lib.crypto.bcrypt.BCrypt;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The relay's storage ports kept in memory, for the relay's own tests: connections by username and id, usage
 * added up per connection, and a switch that makes every lookup fail as an unreachable database would.
 */
public final class InMemoryDirectory implements ConnectionDirectory, UsageSink {

    /** bcrypt at its lowest cost: the relay checks any cost a hash carries, and tests stay fast. */
    private static final int TEST_COST = 4;

    private final Map<UUID, ConnectionRecord> byId = new ConcurrentHashMap<>();
    private volatile boolean unreachable;

    /** Adds an active connection of {@code type} through {@code deviceId} with this password; returns its record. */
    public ConnectionRecord add(
            String username, String password, ConnectionType type, UUID deviceId, long limit, long used) {
        String hash = BCrypt.withDefaults().hashToString(TEST_COST, password.toCharArray());
        ConnectionRecord record =
                new ConnectionRecord(UUID.randomUUID(), username, hash, type, true, limit, used, 0, deviceId);
        byId.put(record.id(), record);
        return record;
    }

    public void put(ConnectionRecord record) {
        byId.put(record.id(), record);
    }

    /** From now on every lookup fails (or, with false, works again). */
    public void unreachable(boolean down) {
        unreachable = down;
    }

    @Override
    public CompletableFuture<Optional<ConnectionRecord>> findByUsername(String username) {
        if (unreachable) {
            return CompletableFuture.failedFuture(new IllegalStateException("database unreachable (test)"));
        }
        return CompletableFuture.completedFuture(byId.values().stream()
                .filter(record -> record.username().equals(username))
                .findFirst());
    }

    @Override
    public CompletableFuture<Optional<ConnectionRecord>> findById(UUID id) {
        if (unreachable) {
            return CompletableFuture.failedFuture(new IllegalStateException("database unreachable (test)"));
        }
        return CompletableFuture.completedFuture(Optional.ofNullable(byId.get(id)));
    }

    @Override
    public AutoCloseable subscribe(ChangeHandler handler) {
        return () -> {};
    }

    @Override
    public CompletableFuture<Map<UUID, Long>> addUsage(List<UsageDelta> deltas) {
        Map<UUID, Long> totals = new HashMap<>();
        for (UsageDelta delta : deltas) {
            ConnectionRecord record = byId.computeIfPresent(
                    delta.connectionId(),
                    (id, old) -> old.usageGeneration() != delta.generation()
                            ? old
                            : new ConnectionRecord(
                                    id,
                                    old.username(),
                                    old.passwordHash(),
                                    old.type(),
                                    old.active(),
                                    old.bandwidthLimit(),
                                    old.bandwidthUsed() + delta.bytes(),
                                    old.usageGeneration(),
                                    old.deviceId()));
            if (record != null && record.usageGeneration() == delta.generation()) {
                totals.put(record.id(), record.bandwidthUsed());
            }
        }
        return CompletableFuture.completedFuture(totals);
    }
}
