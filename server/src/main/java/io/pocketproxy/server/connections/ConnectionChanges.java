package io.pocketproxy.server.connections;

import java.util.UUID;

/** What a PATCH asks to change; {@code null} means "leave as it is". */
public record ConnectionChanges(Long bandwidthLimit, Boolean active, UUID deviceId) {

    boolean isEmpty() {
        return bandwidthLimit == null && active == null && deviceId == null;
    }
}
