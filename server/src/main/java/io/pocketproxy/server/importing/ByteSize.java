package io.pocketproxy.server.importing;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a byte count as operators write it in a spreadsheet: {@code 1073741824}, {@code 1 GB}, {@code 1.5GiB},
 * {@code 500 MB}. Units are powers of 1024 whether written KB or KiB, as the dashboard shows them (1 GB = 1024³
 * bytes).
 */
final class ByteSize {

    private static final Pattern SIZE = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*(?:([kmgt])i?)?b?");

    private ByteSize() {}

    /** The number of bytes, or an {@link IllegalArgumentException} saying what was expected. */
    static long parse(String column, String text) {
        Matcher matcher = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (!matcher.matches()) {
            throw new IllegalArgumentException(
                    column + ": '" + text + "' is not a size (expected: bytes, or e.g. 500 MB, 1.5 GB)");
        }
        BigDecimal number = new BigDecimal(matcher.group(1));
        if (number.signum() < 0) {
            throw new IllegalArgumentException(column + ": " + text + " is negative (expected: 0 or more)");
        }
        int shift = matcher.group(2) == null ? 0 : 10 * ("kmgt".indexOf(matcher.group(2)) + 1);
        BigDecimal bytes = number.multiply(BigDecimal.valueOf(2).pow(shift));
        try {
            return bytes.setScale(0, java.math.RoundingMode.HALF_UP).longValueExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(column + ": " + text + " is too large (expected: at most 8 EiB)");
        }
    }

    /** Checks a count read as a number from a database column. */
    static long requireNotNegative(String column, long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException(column + ": " + bytes + " is negative (expected: 0 or more bytes)");
        }
        return bytes;
    }
}
