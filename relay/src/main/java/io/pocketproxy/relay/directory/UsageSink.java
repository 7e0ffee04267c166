package io.pocketproxy.relay.directory;

import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Where counted bytes go: the control plane's database, shared by every relay. */
public interface UsageSink {

    /**
     * Adds {@code delta} bytes to a connection's usage if its usage generation is still {@code generation},
     * and answers the new total (which includes what other relays counted). Empty when the usage was reset
     * (or the connection deleted) since: bytes counted before a reset are never added after it.
     */
    CompletableFuture<OptionalLong> addUsage(UUID connectionId, long generation, long delta);
}
