package io.pocketproxy.relay.auth;

import com.github.benmanes.caffeine.cache.AsyncCacheLoader;
import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.pocketproxy.relay.directory.ConnectionDirectory;
import io.pocketproxy.relay.directory.ConnectionRecord;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The connections customers sign in as, looked up by username and kept, so that a customer opening fifty
 * connections at once costs one database lookup. An entry older than {@code ttl} is answered as it is and read
 * again in the background; it is dropped at once when the control plane announces a change.
 *
 * <p>While the database cannot answer, a re-read keeps what was known: customers the relay knows keep signing in
 * from memory, and only those it has never seen are answered "try again later". A connection nobody signed in
 * as for {@code keepUnused} is dropped, as its verified password is ({@link VerifiedCredentials}). A username that named no connection is forgotten after
 * {@code ttl} as it always was: a connection created since (creations are not announced) must not wait for a
 * second attempt.
 */
public final class Customers {

    private final AsyncLoadingCache<String, Optional<ConnectionRecord>> byUsername;

    public Customers(ConnectionDirectory directory, Duration ttl, Duration keepUnused) {
        this.byUsername = Caffeine.newBuilder()
                .refreshAfterWrite(ttl)
                .expireAfter(new Lifetime(ttl, keepUnused.compareTo(ttl) > 0 ? keepUnused : ttl))
                .maximumSize(1_000_000)
                .buildAsync(new KeepingWhatWasKnown(directory));
    }

    public CompletableFuture<Optional<ConnectionRecord>> find(String username) {
        return byUsername.get(username);
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

    /** Reads every entry again, keeping each as it is until its fresh copy arrives (or if it cannot). */
    public void refreshAll() {
        byUsername.synchronous().refreshAll(byUsername.synchronous().asMap().keySet());
    }

    /** A known connection lives while it is used; an unknown username for {@code ttl}. */
    private record Lifetime(Duration ttl, Duration keepUnused) implements Expiry<String, Optional<ConnectionRecord>> {

        @Override
        public long expireAfterCreate(String username, Optional<ConnectionRecord> found, long now) {
            return found.isPresent() ? keepUnused.toNanos() : ttl.toNanos();
        }

        @Override
        public long expireAfterUpdate(String username, Optional<ConnectionRecord> found, long now, long remaining) {
            return expireAfterCreate(username, found, now);
        }

        @Override
        public long expireAfterRead(String username, Optional<ConnectionRecord> found, long now, long remaining) {
            return found.isPresent() ? keepUnused.toNanos() : remaining;
        }
    }

    /** Loads from the directory; a failed re-read answers the entry it was to replace. */
    private record KeepingWhatWasKnown(ConnectionDirectory directory)
            implements AsyncCacheLoader<String, Optional<ConnectionRecord>> {

        @Override
        public CompletableFuture<Optional<ConnectionRecord>> asyncLoad(String username, Executor executor) {
            return directory.findByUsername(username);
        }

        @Override
        public CompletableFuture<Optional<ConnectionRecord>> asyncReload(
                String username, Optional<ConnectionRecord> known, Executor executor) {
            return directory.findByUsername(username).exceptionally(failure -> known);
        }
    }
}
