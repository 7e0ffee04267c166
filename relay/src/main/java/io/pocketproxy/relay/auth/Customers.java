package io.pocketproxy.relay.auth;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * The connections customers sign in as, looked up by username and kept for a short while so that a
 * customer opening fifty connections at once costs one database lookup. Entries are re-read at least
 * every {@code ttl}, and dropped at once when the control plane announces a change.
 */
public final class Customers {

    private final ConnectionDirectory directory;
    private final AsyncCache<String, Optional<ConnectionRecord>> byUsername;

    public Customers(ConnectionDirectory directory, Duration ttl) {
        this.directory = directory;
        this.byUsername = Caffeine.newBuilder()
                .expireAfterWrite(ttl)
                .maximumSize(1_000_000)
                .buildAsync();
    }

    public CompletableFuture<Optional<ConnectionRecord>> find(String username) {
        return byUsername.get(username, (name, executor) -> directory.findByUsername(name));
    }

    /** Forgets the connection with this id, so its next use reads it afresh. */
    public void forget(UUID connectionId) {
        byUsername
                .synchronous()
                .asMap()
                .entrySet()
                .removeIf(entry -> entry.getValue()
                        .map(record -> record.id().equals(connectionId))
                        .orElse(false));
    }
}
