package io.pocketproxy.relay.link;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The devices linked to this relay, by id. A new link for a device replaces the old one. */
public final class DeviceLinks {

    private static final Logger log = LoggerFactory.getLogger(DeviceLinks.class);

    private final ConcurrentMap<UUID, DeviceLink> links = new ConcurrentHashMap<>();

    void register(DeviceLink link) {
        DeviceLink previous = links.put(link.deviceId(), link);
        if (previous != null && previous != link) {
            log.info("device {} linked again; closing its previous link", link.deviceId());
            previous.close();
        }
        link.channel().closeFuture().addListener(closed -> links.remove(link.deviceId(), link));
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
