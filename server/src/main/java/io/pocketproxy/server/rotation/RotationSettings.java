package io.pocketproxy.server.rotation;

import java.time.Duration;
import java.util.Objects;

/**
 * How rotations are paced and bounded.
 *
 * @param minInterval a device rotates at most once in this time ({@code --rotation-min-interval}, 30 s): sooner is
 *     {@code 429} with {@code Retry-After}
 * @param timeout a rotation without a result after this long fails ({@code --rotate-timeout}, 2 min); while it runs
 *     the device is not marked offline
 */
public record RotationSettings(Duration minInterval, Duration timeout) {

    public static final RotationSettings DEFAULTS = new RotationSettings(Duration.ofSeconds(30), Duration.ofMinutes(2));

    public RotationSettings {
        Objects.requireNonNull(minInterval, "minInterval");
        Objects.requireNonNull(timeout, "timeout");
        if (minInterval.isNegative() || minInterval.isZero()) {
            throw new IllegalArgumentException("rotation-min-interval: " + minInterval + " (expected: more than 0)");
        }
        if (timeout.compareTo(Duration.ofSeconds(5)) < 0) {
            throw new IllegalArgumentException("rotate-timeout: " + timeout + " (expected: 5 s or more)");
        }
    }
}
