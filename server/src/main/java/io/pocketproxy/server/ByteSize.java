package io.pocketproxy.server;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte counts as people write them, the one reading of sizes for the command line's options and the import's CSV:
 * {@code 1073741824}, {@code 512KiB}, {@code 1 GB}, {@code 1.5GiB}. Units are powers of 1024 whether written KB or
 * KiB, as the dashboard shows them (1 GB = 1024³ bytes).
 */
public final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])i?)?b?");
    private static final String[] UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private ByteSize() {}

    /** The number of bytes, or an {@link IllegalArgumentException} saying what was expected. */
    public static long parse(String text) {
        Matcher matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not a size (expected: bytes, or e.g. 500 MB, 1.5 GB)");
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        if (number.signum() < 0) {
            throw new IllegalArgumentException(text + " is negative (expected: 0 or more)");
        }
        int shift = matcher.group(2) == null ? 0 : 10 * ("kmgt".indexOf(matcher.group(2)) + 1);
        BigDecimal bytes = number.multiply(BigDecimal.valueOf(2).pow(shift));
        try {
            return bytes.setScale(0, RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(text + " is too large (expected: at most 8 EiB)");
        }
    }

    /** {@link #parse(String)}, its message naming {@code name}: the column or field the text came from. */
    public static long parse(String name, String text) {
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }

    /** Checks a count read as a number, from a database column for instance. */
    public static long requireNotNegative(String name, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(name + ": " + bytes + " is negative (expected: 0 or more bytes)");
        }
        return bytes;
    }

    /** The shortest form {@link #parse} reads back: {@code 16MiB} rather than {@code 16777216}. */
    public static String format(long bytes) {
        for (int i = UNITS.length - 1; i >= 0; i--) {
            long unit = 1L << (10 * (i + 1));
            if (bytes != 0 && bytes % unit == 0) {
                return bytes / unit + UNITS[i];
            }
        }
        return Long.toString(bytes);
    }
}
