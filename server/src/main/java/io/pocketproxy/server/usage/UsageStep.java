package io.pocketproxy.server.usage;

import io.pocketproxy.server.errors.InvalidInputException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

/** The width of one point of a usage series: a UTC hour or a UTC day. */
public enum UsageStep {
    HOUR(ChronoUnit.HOURS),
    DAY(ChronoUnit.DAYS);

    private final ChronoUnit unit;

    UsageStep(ChronoUnit unit) {
        this.unit = unit;
    }

    /** How the API and PostgreSQL's {@code date_trunc} name it: {@code hour}, {@code day}. */
    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    Duration length() {
        return unit.getDuration();
    }

    ChronoUnit unit() {
        return unit;
    }

    /** {@code hour} or {@code day}, exactly; absent or blank is {@code hour}. */
    static UsageStep parse(String step) {
        if (step == null || step.isBlank()) {
            return HOUR;
        }
        for (UsageStep candidate : values()) {
            if (candidate.label().equals(step)) {
                return candidate;
            }
        }
        throw InvalidInputException.malformed(
                "invalid_field", "step: " + UsageRange.quoted(step) + " is no step (expected: hour or day)");
    }
}
