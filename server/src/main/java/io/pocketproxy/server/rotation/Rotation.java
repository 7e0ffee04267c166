package io.pocketproxy.server.rotation;

import com.fasterxml.jackson.annotation.JsonValue;
import java.time.Instant;
import java.util.UUID;

/**
 * One IP rotation of a device, as the API shows it: {@code running}, then {@code done} (with the new IP, whether it
 * changed and how long it took) or {@code failed} (with why, in a sentence). Fields that do not apply are null.
 */
public record Rotation(
        UUID id,
        UUID deviceId,
        Status status,
        String oldIp,
        String newIp,
        Boolean changed,
        String error,
        Instant startedAt,
        Instant finishedAt,
        Long tookMs) {

    public enum Status {
        RUNNING("running"),
        DONE("done"),
        FAILED("failed");

        private final String wireName;

        Status(String wireName) {
            this.wireName = wireName;
        }

        @JsonValue
        public String wireName() {
            return wireName;
        }

        static Status fromWireName(String name) {
            for (Status status : values()) {
                if (status.wireName.equals(name)) {
                    return status;
                }
            }
            throw new IllegalArgumentException("rotation status: " + name);
        }
    }
}
