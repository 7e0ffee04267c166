package io.pocketproxy.app;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/** Reads durations the way people write them: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, or ISO-8601. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** The shortest form {@link #convert} reads back: {@code 2m} rather than {@code 120s}. */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0 || millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        if (seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds % 3600 == 0) {
            return seconds / 3600 + "h";
        }
        return seconds % 60 == 0 ? seconds / 60 + "m" : seconds + "s";
    }

    @Override
    public Duration convert(String value) {
        Duration duration = read(value);
        try {
            // Timeouts and intervals are used in milliseconds: a longer one (292 million years) would fail where it
            // is used, long after the command line was read.
            duration.toMillis();
        } catch (ArithmeticException e) {
            throw tooLong(value);
        }
        return duration;
    }

    private static Duration read(String value) {
        String text = value.strip();
        Matcher matcher = SIMPLE.matcher(text);
        if (matcher.matches()) {
            try {
                long amount = Long.parseLong(matcher.group(1));
                return switch (matcher.group(2)) {
                    case "ms" -> Duration.ofMillis(amount);
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
            } catch (NumberFormatException | ArithmeticException e) {
                // More digits than a long holds, or more seconds than a Duration does: picocli would show the raw
                // exception instead of saying what was wrong.
                throw tooLong(value);
            }
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a duration (expected: e.g. 500ms, 30s, 2m, 1h)");
        }
    }

    private static CommandLine.TypeConversionException tooLong(String value) {
        return new CommandLine.TypeConversionException("'" + value + "' is too long (expected: e.g. 30s, 2m, 1h)");
    }
}
