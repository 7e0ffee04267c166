package io.pocketproxy.agent;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with equal jitter between link attempts: each wait is drawn uniformly between half and
 * all of the exponential delay. The random half spreads a fleet that lost its relay at the same moment; the
 * fixed half (where full jitter may draw zero) keeps every phone's wait doubling, so part of the fleet never
 * hits a restarting relay again at once, round after round.
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

    /**
     * The wait before attempt {@code failures + 1}: uniformly between half and all of
     * {@code min(max, initial × 2^failures)}.
     */
    public Duration delayAfter(int failures) {
        long ceiling = initial.toMillis() << Math.min(failures, 20);
        long capped = Math.min(max.toMillis(), ceiling);
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(capped / 2, capped + 1));
    }
}
