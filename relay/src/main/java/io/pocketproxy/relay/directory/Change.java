package io.pocketproxy.relay.directory;

import java.util.Objects;
import java.util.UUID;

/**
 * A change the data plane must apply at once, announced by the control plane with
 * {@code NOTIFY pocketproxy_changes, '<kind>:<id>'} in the same transaction as the change itself.
 */
public record Change(Kind kind, UUID id) {

    /** The PostgreSQL channel every relay listens on. */
    public static final String CHANNEL = "pocketproxy_changes";

    public enum Kind {
        CONNECTION_LIMIT("connection.limit"),
        CONNECTION_RESET("connection.reset"),
        CONNECTION_PASSWORD("connection.password"),
        CONNECTION_ACTIVE("connection.active"),
        CONNECTION_DEVICE("connection.device"),
        CONNECTION_DELETED("connection.deleted"),
        DEVICE_DELETED("device.deleted"),
        /** A relay took the device's link: any other relay holding one for it closes that link. */
        DEVICE_LINKED("device.linked"),
        /**
         * The relay that held the device's link wrote what its connections counted there: the relay that took the link
         * may serve them now, starting from the database's totals.
         */
        DEVICE_RELEASED("device.released");

        private final String wireName;

        Kind(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        static Kind fromWireName(String wireName) {
            for (Kind kind : values()) {
                if (kind.wireName.equals(wireName)) {
                    return kind;
                }
            }
            throw new IllegalArgumentException("change kind: " + wireName
                    + " (expected: one of connection.*, device.deleted, device.linked, device.released)");
        }
    }

    public Change {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(id, "id");
    }

    /** The NOTIFY payload. */
    public String payload() {
        return kind.wireName + ":" + id;
    }

    public static Change parse(String payload) {
        int colon = payload.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("change: " + payload + " (expected: <kind>:<id>)");
        }
        return new Change(
                Kind.fromWireName(payload.substring(0, colon)), UUID.fromString(payload.substring(colon + 1)));
    }
}
