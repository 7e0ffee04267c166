package io.pocketproxy.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter between link attempts: a fleet of phones that lost its relay at
 * the same moment must not come back at the same moment.
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException(
                    "backoff: " + initial + " to " + max + " (expected: 0 < initial <= max)");
        }
    }

    public static Backoff defaults() {
        return new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60));
    }

    /** The wait before attempt {@code failures + 1}: uniformly between half and all of initial × 2^failures, capped. */
    public Duration delayAfter(int failures) {
        long ceiling = initial.toMillis() << Math.min(failures, 20);
        long capped = Math.min(max.toMillis(), ceiling);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped / 2, capped + 1));
    }
}
