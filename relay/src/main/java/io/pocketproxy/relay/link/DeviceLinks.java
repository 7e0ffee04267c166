package io.pocketproxy.relay.link;

import io.pocketproxy.relay.directory.DeviceDirectory;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The devices linked to this relay, by id. A new link for a device replaces the old one, here or (through the
 * directory's {@code device.linked} notice) on another relay of the farm.
 */
public final class DeviceLinks {

    private static final Logger log = LoggerFactory.getLogger(DeviceLinks.class);

    private final ConcurrentMap<UUID, DeviceLink> links = new ConcurrentHashMap<>();
    private final DeviceDirectory devices;

    public DeviceLinks(DeviceDirectory devices) {
        this.devices = java.util.Objects.requireNonNull(devices, "devices");
    }

    private DeviceLinks() {
        this.devices = null;
    }

    /** Links that tell no directory when they end: a relay's parts driven alone, without a farm (tests). */
    public static DeviceLinks standalone() {
        return new DeviceLinks();
    }

    void register(DeviceLink link) {
        DeviceLink previous = links.put(link.deviceId(), link);
        if (previous != null && previous != link) {
            log.info("device {} linked again; closing its previous link", link.deviceId());
            previous.close();
        }
        link.channel().closeFuture().addListener(closed -> {
            if (links.remove(link.deviceId(), link) && devices != null) {
                devices.unlinkDevice(link.deviceId());
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
