package io.pocketproxy.server.devices;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** {@code pending} until the device first links, then {@code online} or {@code offline}. */
public enum DeviceStatus {
    PENDING,
    ONLINE,
    OFFLINE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DeviceStatus fromWireName(String name) {
        return valueOf(name.toUpperCase(Locale.ROOT));
    }
}
