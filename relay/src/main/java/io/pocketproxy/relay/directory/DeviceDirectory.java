package io.pocketproxy.relay.directory;

import io.pocketproxy.link.HostAndPort;
import io.pocketproxy.link.status.StatusReport;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Where the relay checks device tokens, records which relay of the farm holds each device's link, and reports
 * heartbeats; implemented by the control plane.
 */
public interface DeviceDirectory {

    /**
     * The device whose token has this SHA-256 digest, if it exists, now recorded as linked to this relay. A link it
     * had on another relay is announced ({@link Change.Kind#DEVICE_LINKED}) for that relay to close: a device links
     * to one relay at a time. Fails, and the link must be refused, while this cannot be recorded (the database is
     * away): the device keeps the relay it has rather than being served by two.
     */
    CompletableFuture<Optional<Linked>> linkDevice(byte[] tokenDigest);

    /**
     * A device now linked here; {@code fromLiveRelay} when another relay that is alive held its link until now, which
     * will say when it has written what it counted ({@link Change.Kind#DEVICE_RELEASED}).
     */
    record Linked(UUID deviceId, boolean fromLiveRelay) {}

    /** Announces that this relay wrote what the device's connections counted here, after its link left. */
    void released(UUID deviceId);

    /** Records that the device's link to this relay ended, unless another relay has taken it since. */
    void unlinkDevice(UUID deviceId);

    /**
     * Where another live relay of the farm that holds the device's link is reached (its link port): where this relay
     * forwards the device's customers. Empty when no other relay holds it, or the one recorded is not alive.
     */
    CompletableFuture<Optional<HostAndPort>> locate(UUID deviceId);

    /** Whether the device's link is this relay's as recorded now (another relay may have taken it). */
    CompletableFuture<Boolean> isLinkedHere(UUID deviceId);

    /**
     * Records that a device answered its status request at {@code at}, over a link from {@code linkAddress} (an IP
     * address). May be batched: it returns at once, and an implementation must not lose the first heartbeat of a
     * device that was not online.
     */
    void recordHeartbeat(UUID deviceId, String linkAddress, StatusReport report, Instant at);
}
