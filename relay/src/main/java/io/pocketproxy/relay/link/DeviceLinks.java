package io.pocketproxy.relay.link;

import io.pocketproxy.relay.directory.DeviceDirectory;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices linked to this relay, by id. A new link for a device replaces the old one, here or (through the
 * directory's {@code device.linked} notice) on another relay of the farm.
 */
public final class DeviceLinks {

    private static final Logger log = LoggerFactory.getLogger(DeviceLinks.class);

    /**
     * How long a link taken over from a live relay waits for that relay to write what the device's connections counted
     * there ({@code device.released}) before it serves anyway: a relay that does not answer so soon is dying, and
     * what it had not written is lost with it.
     */
    static final Duration HAND_OVER_WAIT = Duration.ofSeconds(3);

    /** How long a {@code device.released} notice is kept for a link that may be on its way here. */
    private static final long RELEASE_REMEMBERED_NANOS = Duration.ofMinutes(1).toNanos();

    private final ConcurrentMap<UUID, DeviceLink> links = new ConcurrentHashMap<>();
    /** Links taken over from a live relay, waiting for its {@code device.released}: not serving yet. */
    private final ConcurrentMap<UUID, DeviceLink> waiting = new ConcurrentHashMap<>();
    /** When each device was last released by another relay (System.nanoTime()). */
    private final ConcurrentMap<UUID, Long> releasedAt = new ConcurrentHashMap<>();

    private final ConcurrentMap<UUID, CompletableFuture<Void>> handOvers = new ConcurrentHashMap<>();
    private final DeviceDirectory devices;
    private final Function<UUID, CompletableFuture<?>> whenLinkLeaves;

    /**
     * @param whenLinkLeaves hears each device whose link left this relay (ended, and not replaced here), and completes
     *     once what the device's connections counted here is written; only then is the link's record cleared, so that
     *     a relay the device links to next waits for that write ({@link #register(DeviceLink, boolean, long)})
     */
    public DeviceLinks(DeviceDirectory devices, Function<UUID, CompletableFuture<?>> whenLinkLeaves) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.whenLinkLeaves = Objects.requireNonNull(whenLinkLeaves, "whenLinkLeaves");
    }

    private DeviceLinks() {
        this.devices = null;
        this.whenLinkLeaves = deviceId -> CompletableFuture.completedFuture(null);
    }

    /** Links that tell no directory when they end: a relay's parts driven alone, without a farm (tests). */
    public static DeviceLinks standalone() {
        return new DeviceLinks();
    }

    /**
     * Takes {@code link} into service; one taken over from a live relay ({@code fromLiveRelay}) only once that relay
     * said it wrote what the device's connections counted there since {@code linkingSince} (System.nanoTime() when
     * this link asked to be recorded), or after {@link #HAND_OVER_WAIT}: so this relay's meters start from totals
     * that hold every byte the other relay granted, and the limit holds across the move. Meanwhile the link carries
     * heartbeats but no customer, and a deletion or a newer link ends it as it would a serving one.
     */
    void register(DeviceLink link, boolean fromLiveRelay, long linkingSince) {
        UUID deviceId = link.deviceId();
        if (!fromLiveRelay || releasedSince(deviceId, linkingSince)) {
            register(link);
            return;
        }
        DeviceLink older = waiting.put(deviceId, link);
        if (older != null) {
            older.close();
        }
        link.channel().closeFuture().addListener(closed -> {
            if (waiting.remove(deviceId, link)) {
                unlink(deviceId); // never served: nothing counted here to write
            }
        });
        CompletableFuture<Void> released = handOvers.compute(
                deviceId, (id, known) -> known == null || known.isDone() ? new CompletableFuture<>() : known);
        if (releasedSince(deviceId, linkingSince)) {
            released.complete(null); // the notice came between the first look and the wait
        }
        released.orTimeout(HAND_OVER_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, timedOut) -> link.eventLoop().execute(() -> {
                    handOvers.remove(deviceId, released);
                    if (!waiting.remove(deviceId, link) || !link.isActive()) {
                        return; // closed, deleted or replaced meanwhile
                    }
                    if (timedOut != null) {
                        log.warn(
                                "device {}: the relay that held its link did not say within {} that it wrote its"
                                        + " connections' usage; serving the device here anyway",
                                deviceId,
                                HAND_OVER_WAIT);
                    }
                    register(link);
                }));
    }

    /** Another relay wrote what the device's connections counted there ({@code device.released}). */
    public void released(UUID deviceId) {
        long now = System.nanoTime();
        releasedAt.values().removeIf(at -> now - at > RELEASE_REMEMBERED_NANOS);
        releasedAt.put(deviceId, now);
        CompletableFuture<Void> handOver = handOvers.get(deviceId);
        if (handOver != null) {
            handOver.complete(null);
        }
    }

    private boolean releasedSince(UUID deviceId, long since) {
        Long at = releasedAt.get(deviceId);
        return at != null && at - since >= 0;
    }

    /** Takes {@code link} into service now, replacing the device's link here, serving or waiting. */
    void register(DeviceLink link) {
        UUID deviceId = link.deviceId();
        DeviceLink waitingOne = waiting.remove(deviceId);
        if (waitingOne != null && waitingOne != link) {
            waitingOne.close();
        }
        DeviceLink previous = links.put(deviceId, link);
        if (previous != null && previous != link) {
            log.info("device {} linked again; closing its previous link", deviceId);
            previous.close();
        }
        link.channel().closeFuture().addListener(closed -> {
            if (links.remove(deviceId, link)) {
                leave(deviceId);
            }
        });
    }

    /** The device's link left: what its connections counted here is written, then the link's record cleared. */
    private void leave(UUID deviceId) {
        CompletableFuture<?> written;
        try {
            written = whenLinkLeaves.apply(deviceId);
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        written.whenComplete((done, error) -> unlink(deviceId));
    }

    private void unlink(UUID deviceId) {
        if (devices != null) {
            devices.unlinkDevice(deviceId);
        }
    }

    /**
     * Another relay announced that it took {@code deviceId}'s link: closes the link held here (serving or waiting), if
     * the directory agrees that it is no longer this relay's. The link is taken before asking, so a newer link made
     * here in the meantime (whose record the answer already shows) is never the one closed.
     */
    public void closeIfLinkedElsewhere(UUID deviceId) {
        DeviceLink held = links.get(deviceId);
        DeviceLink waits = waiting.get(deviceId);
        if ((held == null && waits == null) || devices == null) {
            return;
        }
        devices.isLinkedHere(deviceId).whenComplete((here, error) -> {
            if (error != null) {
                log.warn("cannot tell whether device {} linked to another relay: {}", deviceId, error.getMessage());
                return;
            }
            if (here) {
                return;
            }
            if (waits != null && waiting.remove(deviceId, waits)) {
                waits.close();
            }
            if (held != null && links.remove(deviceId, held)) {
                log.info("device {} linked to another relay; closing its link here", deviceId);
                held.channel().closeFuture().addListener(closed -> leave(deviceId));
                held.close();
            }
        });
    }

    public Optional<DeviceLink> find(UUID deviceId) {
        return Optional.ofNullable(links.get(deviceId)).filter(DeviceLink::isActive);
    }

    /** Drops a device's link, serving or waiting (the device was deleted, or its token replaced). */
    public void close(UUID deviceId) {
        DeviceLink waits = waiting.remove(deviceId);
        if (waits != null) {
            waits.close();
        }
        DeviceLink link = links.remove(deviceId);
        if (link != null) {
            log.info("closing the link of deleted device {}", deviceId);
            link.close();
        }
    }

    public int size() {
        return links.size();
    }

    /** Closes every link (the relay stops); the devices whose links served here. */
    public List<UUID> closeAll() {
        waiting.values().forEach(DeviceLink::close);
        waiting.clear();
        List<UUID> closed = List.copyOf(links.keySet());
        links.values().forEach(DeviceLink::close);
        links.clear();
        return closed;
    }
}
