package io.pocketproxy.relay.directory;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Where counted bytes go: the control plane's database, shared by every relay. */
public interface UsageSink {

    /** {@code bytes} more counted for a connection while its usage generation was {@code generation}. */
    record UsageDelta(UUID connectionId, long generation, long bytes) {}

    /**
     * Adds each delta to its connection's usage if the connection's usage generation is still the delta's,
     * all in one round trip, and answers the new totals (which include what other relays counted) by
     * connection id. A connection missing from the answer was reset (or deleted) since: its delta is void,
     * because bytes counted before a reset are never added after it. At most one delta per connection.
     */
    CompletableFuture<Map<UUID, Long>> addUsage(List<UsageDelta> deltas);
}
