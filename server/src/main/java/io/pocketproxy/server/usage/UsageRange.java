package io.pocketproxy.server.usage;

import io.pocketproxy.server.errors.InvalidInputException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * A valid question for a usage series: from {@code from} (inclusive) to {@code to} (exclusive) by {@code step}.
 * Its points are every whole hour or UTC day that overlaps the range, so the first may start before
 * {@code from} and the last end after {@code to}; there are at most {@link #MAX_POINTS} of them.
 */
public record UsageRange(Instant from, Instant to, UsageStep step) {

    public static final int MAX_POINTS = 1000;

    /** Without {@code from}, a series covers the day before {@code to}; without {@code to}, up to now. */
    public static final Duration DEFAULT_SPAN = Duration.ofHours(24);

    // Usage cannot predate the epoch, and PostgreSQL stores no instant beyond year 294276: bounds that keep a
    // typo (year 20260) from reaching the database.
    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("+10000-01-01T00:00:00Z");

    /**
     * Reads the API's {@code from}, {@code to} (ISO-8601 instants) and {@code step} ({@code hour} or
     * {@code day}); absent or blank ones take their defaults: the last 24 hours, by hour. Refuses, with a
     * sentence naming the field: what does not parse, {@code from} not before {@code to}, more than
     * {@link #MAX_POINTS} points, and hours older than the hourly history keeps.
     */
    static UsageRange parse(String from, String to, String step, Instant now) {
        UsageStep parsedStep = UsageStep.parse(step);
        Instant end = isAbsent(to) ? now : instant("to", to);
        Instant start = isAbsent(from) ? end.minus(DEFAULT_SPAN) : instant("from", from);
        if (!start.isBefore(end)) {
            throw InvalidInputException.malformed(
                    "invalid_range",
                    "from: " + start + " is not before to: " + end + " (expected: from earlier than to)");
        }
        UsageRange range = new UsageRange(start, end, parsedStep);
        long points = range.pointCount();
        if (points > MAX_POINTS) {
            throw InvalidInputException.malformed(
                    "too_many_points",
                    "from " + start + " to " + end + " by " + parsedStep.label() + " is " + points
                            + " points (expected: at most " + MAX_POINTS + "; ask for a shorter range or step=day)");
        }
        Instant hourlyKeptFrom = now.minus(UsageRetention.HOURLY);
        if (parsedStep == UsageStep.HOUR && start.isBefore(hourlyKeptFrom)) {
            throw InvalidInputException.malformed(
                    "invalid_range",
                    "from: " + start + " is more than " + UsageRetention.HOURLY.toDays()
                            + " days ago, where usage is kept by day only (expected: step=day, or from at or after "
                            + hourlyKeptFrom + ")");
        }
        return range;
    }

    /** The start of the first point: {@code from} truncated to its hour or UTC day. */
    public Instant firstPoint() {
        return from.truncatedTo(step.unit());
    }

    /** The end of the last point: every bucket that starts before {@code to} is a point, whole. */
    public Instant lastPointEnd() {
        return firstPoint().plus(step.length().multipliedBy(pointCount()));
    }

    public long pointCount() {
        Duration span = Duration.between(firstPoint(), to);
        long whole = span.dividedBy(step.length());
        return span.equals(step.length().multipliedBy(whole)) ? whole : whole + 1;
    }

    private static Instant instant(String field, String text) {
        Instant instant;
        try {
            instant = Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw InvalidInputException.malformed(
                    "invalid_field",
                    field + ": " + quoted(text) + " is not an ISO-8601 instant (expected, for example,"
                            + " 2026-12-01T18:00:00Z; in a URL, write a + offset as %2B)");
        }
        if (instant.isBefore(EARLIEST) || !instant.isBefore(LATEST)) {
            throw InvalidInputException.malformed(
                    "invalid_field", field + ": " + instant + " (expected: an instant from 1970 to 9999)");
        }
        return instant;
    }

    private static boolean isAbsent(String parameter) {
        return parameter == null || parameter.isBlank();
    }

    /** A caller's text in an error message: quoted, and cut short so an answer never grows with the input. */
    static String quoted(String text) {
        String shown = text.length() > 40 ? text.substring(0, 40) + "…" : text;
        return '"' + shown + '"';
    }
}
