package io.pocketproxy.relay.directory;

import io.pocketproxy.link.status.StatusReport;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** Where the relay checks device tokens and reports heartbeats; implemented by the control plane. */
public interface DeviceDirectory {

    /** The device whose token has this SHA-256 digest, if it exists. */
    CompletableFuture<Optional<UUID>> findDeviceByTokenDigest(byte[] tokenDigest);

    /**
     * Records that a device answered its status request at {@code at}, over a link from {@code linkAddress} (an IP
     * address). May be batched: it returns at once, and an implementation must not lose the first heartbeat of a
     * device that was not online.
     */
    void recordHeartbeat(UUID deviceId, String linkAddress, StatusReport report, Instant at);
}
