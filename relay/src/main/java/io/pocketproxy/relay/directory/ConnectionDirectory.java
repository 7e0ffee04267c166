package io.pocketproxy.relay.directory;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where the relay looks customers up, implemented by the control plane over its database. Every method
 * answers with a future, completed off the relay's event loops: lookups may block on storage.
 */
public interface ConnectionDirectory {

    CompletableFuture<Optional<ConnectionRecord>> findByUsername(String username);

    CompletableFuture<Optional<ConnectionRecord>> findById(UUID id);

    /**
     * Delivers every change announced by the control plane to {@code handler}, on a thread of the directory's,
     * until the returned handle is closed, and tells it to {@link ChangeHandler#resync resync} whenever notices
     * may have been missed.
     */
    AutoCloseable subscribe(ChangeHandler handler);
}
