package io.pocketproxy.relay.link;

import io.pocketproxy.relay.directory.DeviceDirectory;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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

    private final ConcurrentMap<UUID, DeviceLink> links = new ConcurrentHashMap<>();
    /** When each device was last released by another relay (System.nanoTime()), until a link here takes note. */
    private final ConcurrentMap<UUID, Long> releasedAt = new ConcurrentHashMap<>();

    private final ConcurrentMap<UUID, CompletableFuture<Void>> handOvers = new ConcurrentHashMap<>();
    private final DeviceDirectory devices;
    private final Consumer<UUID> whenLinkLeaves;

    /** @param whenLinkLeaves hears each device whose link left this relay (ended, and not replaced here) */
    public DeviceLinks(DeviceDirectory devices, Consumer<UUID> whenLinkLeaves) {
        this.devices = Objects.requireNonNull(devices, "devices");
        this.whenLinkLeaves = Objects.requireNonNull(whenLinkLeaves, "whenLinkLeaves");
    }

    private DeviceLinks() {
        this.devices = null;
        this.whenLinkLeaves = deviceId -> {};
    }

    /** Links that tell no directory when they end: a relay's parts driven alone, without a farm (tests). */
    public static DeviceLinks standalone() {
        return new DeviceLinks();
    }

    /**
     * Takes {@code link} into service; one taken over from a live relay ({@code fromLiveRelay}) only once that relay
     * said it wrote what the device's connections counted there since {@code linkingSince} (System.nanoTime() when
     * this link asked to be recorded), or after {@link #HAND_OVER_WAIT}: so this relay's meters start from totals
     * that hold every byte the other relay granted, and the limit holds across the move.
     */
    void register(DeviceLink link, boolean fromLiveRelay, long linkingSince) {
        UUID deviceId = link.deviceId();
        if (!fromLiveRelay || releasedSince(deviceId, linkingSince)) {
            register(link);
            return;
        }
        CompletableFuture<Void> released = handOvers.computeIfAbsent(deviceId, id -> new CompletableFuture<>());
        if (releasedSince(deviceId, linkingSince)) {
            released.complete(null); // the notice came between the first look and the wait
        }
        released.orTimeout(HAND_OVER_WAIT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((done, timedOut) -> link.eventLoop().execute(() -> {
                    handOvers.remove(deviceId, released);
                    if (timedOut != null) {
                        log.warn(
                                "device {}: the relay that held its link did not say within {} that it wrote its"
                                        + " connections' usage; serving the device here anyway",
                                deviceId,
                                HAND_OVER_WAIT);
                    }
                    if (link.isActive()) {
                        register(link);
                    }
                }));
    }

    /** Another relay wrote what the device's connections counted there ({@code device.released}). */
    public void released(UUID deviceId) {
        releasedAt.put(deviceId, System.nanoTime());
        CompletableFuture<Void> waiting = handOvers.get(deviceId);
        if (waiting != null) {
            waiting.complete(null);
        }
    }

    private boolean releasedSince(UUID deviceId, long since) {
        Long at = releasedAt.get(deviceId);
        return at != null && at - since >= 0;
    }

    void register(DeviceLink link) {
        DeviceLink previous = links.put(link.deviceId(), link);
        if (previous != null && previous != link) {
            log.info("device {} linked again; closing its previous link", link.deviceId());
            previous.close();
        }
        link.channel().closeFuture().addListener(closed -> {
            if (links.remove(link.deviceId(), link)) {
                whenLinkLeaves.accept(link.deviceId());
                if (devices != null) {
                    devices.unlinkDevice(link.deviceId());
                }
            }
        });
    }

    /**
     * Another relay announced that it took {@code deviceId}'s link: closes the link held here, if the directory
     * agrees that it is no longer this relay's. The link is taken before asking, so a newer link made here in the
     * meantime (whose record the answer already shows) is never the one closed.
     */
    public void closeIfLinkedElsewhere(UUID deviceId) {
        DeviceLink held = links.get(deviceId);
        if (held == null || devices == null) {
            return;
        }
        devices.isLinkedHere(deviceId).whenComplete((here, error) -> {
            if (error != null) {
                log.warn("cannot tell whether device {} linked to another relay: {}", deviceId, error.getMessage());
            } else if (!here && links.remove(deviceId, held)) {
                log.info("device {} linked to another relay; closing its link here", deviceId);
                held.channel().closeFuture().addListener(closed -> whenLinkLeaves.accept(deviceId));
                held.close();
            }
        });
    }

    public Optional<DeviceLink> find(UUID deviceId) {
        return Optional.ofNullable(links.get(deviceId)).filter(DeviceLink::isActive);
    }

    /** Drops a device's link (the device was deleted). */
    public void close(UUID deviceId) {
        DeviceLink link = links.remove(deviceId);
        if (link != null) {
            log.info("closing the link of deleted device {}", deviceId);
            link.close();
        }
    }

    public int size() {
        return links.size();
    }

    public void closeAll() {
        links.values().forEach(DeviceLink::close);
        links.clear();
    }
}
